#!/usr/bin/env node
/**
 * Proxy benchmark (not a test). `npm run bench` builds, then runs this against dist/. See docs/performance.md.
 *
 * Scenarios (BENCH_SCENARIOS, comma-separated, default all three):
 * - relay: tools/call of an echo tool on the official reference server (stateful, SSE) and on a fast stateless
 *   JSON upstream, each measured directly, through a raw forwarder, /servers/{id}/mcp and /federated/mcp;
 * - tools: tools/list through /servers/{id}/mcp with 5 vs 500 tools;
 * - idle: opening new sessions while N idle sessions hold their listening streams open, and the gateway's memory.
 *
 * Knobs: BENCH_REQUESTS (3000 per relay row), BENCH_WARMUP (300), BENCH_CONCURRENCY (1,16), BENCH_TIMEOUT_MS
 * (10000, per request), BENCH_TOOLS (500), BENCH_TOOLS_REQUESTS (1000 per tools row), BENCH_IDLE_SESSIONS (1000),
 * BENCH_IDLE_PROBES (200), BENCH_PROFILE=/dir (CPU profile of the gateway), BENCH_GATEWAY_LOG=/file (its log),
 * MREG_DATABASE_URL (PostgreSQL instead of the embedded database); any MREG_* variable of the gateway can be set too.
 * Everything listens on 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { isStopping, killChildrenOnExit, stopAll } from './lib/children.mjs';
import { startGateway } from './lib/gateway.mjs';
import { startEverything, startFast } from './lib/upstreams.mjs';
import { idleScenario } from './scenarios/idle.mjs';
import { relayScenario } from './scenarios/relay.mjs';
import { toolsScenario } from './scenarios/tools.mjs';

const SCENARIOS = ['relay', 'tools', 'idle'];

function positiveInt(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function readSettings() {
  const scenarios = (process.env.BENCH_SCENARIOS ?? SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS: unknown ${unknown} (known: ${SCENARIOS})`);
  const concurrency = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
  if (!concurrency.every((c) => Number.isInteger(c) && c >= 1 && c <= 256)) {
    throw new Error('BENCH_CONCURRENCY must be comma-separated integers from 1 to 256');
  }
  const requests = positiveInt('BENCH_REQUESTS', 3000);
  return {
    scenarios: new Set(scenarios),
    requests,
    warmup: positiveInt('BENCH_WARMUP', 300),
    concurrency,
    timeoutMs: positiveInt('BENCH_TIMEOUT_MS', 10_000),
    toolCount: positiveInt('BENCH_TOOLS', 500),
    toolsRequests: positiveInt('BENCH_TOOLS_REQUESTS', Math.min(requests, 1000)),
    toolsWarmup: Math.max(20, Math.ceil(positiveInt('BENCH_WARMUP', 300) / 3)),
    idleSessions: positiveInt('BENCH_IDLE_SESSIONS', 1000),
    idleProbes: positiveInt('BENCH_IDLE_PROBES', 200),
    idleSettleSeconds: Number(process.env.BENCH_IDLE_SETTLE_S ?? 30),
    profileDir: process.env.BENCH_PROFILE,
  };
}

async function main() {
  const settings = readSettings();
  killChildrenOnExit();
  const want = (name) => settings.scenarios.has(name);
  try {
    const [everything, fast] = await Promise.all([
      want('relay') || want('idle') ? startEverything() : undefined,
      want('relay') ? startFast() : undefined,
    ]);
    console.log(
      `gateway ${sourceVersion()}, node ${process.version}, ${os.cpus().length} CPUs, ` +
        `database ${process.env.MREG_DATABASE_URL ? 'PostgreSQL (MREG_DATABASE_URL)' : 'embedded'}; ` +
        `scenarios ${[...settings.scenarios]}, c=${settings.concurrency}, ${settings.requests} calls per relay row ` +
        `after ${settings.warmup} warm-up, ${settings.toolsRequests} per tools row, ` +
        `${settings.idleSessions} idle sessions, ${settings.idleProbes} new-session probes`,
    );
    let failures = 0;
    if (want('relay') || want('tools')) {
      const gateway = await startGateway({ profileDir: settings.profileDir });
      // Both echo upstreams are registered before anything is measured, so /federated/mcp has the same catalog in
      // both relay tables.
      for (const upstream of [everything, fast].filter(Boolean)) {
        upstream.proxyUrl = await gateway.register(upstream.name, upstream.url);
      }
      if (want('relay')) {
        for (const upstream of [everything, fast]) {
          failures += await relayScenario({ gateway, upstream, settings });
        }
      }
      if (want('tools')) failures += await toolsScenario({ gateway, settings });
      await gateway.stop();
    }
    if (want('idle')) {
      // A gateway of its own: its memory is then not mixed with the garbage of the runs before, and if it stalls
      // under the idle streams nothing else is measured on it.
      const gateway = await startGateway({ profileDir: settings.profileDir });
      // Its own name: on PostgreSQL (MREG_DATABASE_URL) both gateways share the registry, and the first one's
      // `everything` is still there.
      everything.proxyUrl = await gateway.register(`${everything.name}-idle`, everything.url);
      await idleScenario({ gateway, upstream: everything, settings });
      await gateway.stop();
    }
    if (failures > 0) {
      console.error(`\n${failures} relay/tools requests failed (see the notes under the tables)`);
      process.exitCode = 1;
    }
  } finally {
    await stopAll();
  }
}

/** The commit dist/ was built from, "-dirty" with uncommitted changes: numbers belong to a version of the code. */
function sourceVersion() {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '(not a git checkout)';
  }
}

main().catch((error) => {
  // After Ctrl-C the signal handler ends the process; what failed meanwhile is only the processes it stopped.
  if (isStopping()) return;
  console.error(error);
  process.exitCode = 1;
});
