/**
 * The gateway under test: `mcp-gateway serve` from the built dist/, in local identity mode, in its own process,
 * on 127.0.0.1 with a throwaway data directory. The bench mints its own tokens with the gateway's signing key (read
 * from that directory, as the CLI does) instead of going through the OAuth sign-in, and registers upstreams through
 * the REST API like an admin would.
 */
import { mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayTokens } from '../../dist/src/auth/gateway-tokens.js';
import { localPrincipal } from '../../dist/src/auth/oauth/dev-sign-in.js';
import { loadConfig } from '../../dist/src/config/load-config.js';
import { SigningKeyStore } from '../../dist/src/auth/signing-keys.js';
import { gatewayIssuer } from '../../dist/src/auth/auth.module.js';
import { freePort, spawnChild, stopChild } from './children.mjs';

/** The environment the gateway runs with; every value can be overridden from the bench's own environment. */
function gatewayEnv(dataDir, port) {
  const keep = (name, value) => process.env[name] ?? value;
  return {
    MREG_HOST: '127.0.0.1',
    MREG_PORT: String(port),
    MREG_LOG_LEVEL: keep('MREG_LOG_LEVEL', 'warn'),
    MREG_DATA_DIR: dataDir,
    MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
    MREG_HEALTH_CHECKS_ENABLED: 'false',
    // Rate limiting stays on (every request is counted) with limits the load never reaches; audit stays on.
    MREG_FASTMCP_REQUESTS_PER_MINUTE: keep('MREG_FASTMCP_REQUESTS_PER_MINUTE', '1000000'),
    MREG_RATE_LIMIT_ADMIN_PER_MINUTE: keep('MREG_RATE_LIMIT_ADMIN_PER_MINUTE', '1000000'),
    MREG_RATE_LIMIT_BURST_FACTOR: keep('MREG_RATE_LIMIT_BURST_FACTOR', '60'),
    // Session housekeeping (initialize, initialized, opening a stream) has its own per-user budget in newer builds;
    // the idle scenario opens sessions far faster than any user would.
    MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE: keep('MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE', '1000000'),
    // 16 relay workers are one user with 16 streams open (older builds allowed 20 per user). 10000 is within the
    // range of every build. The idle scenario spreads its sessions over users instead (see scenarios/idle.mjs).
    MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL: keep('MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL', '10000'),
    // The idle scenario's sessions are all one tenant's, to one upstream: its share (2,500 by default) is not what
    // is measured either.
    MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT: keep('MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT', '10000'),
    ...(process.env.MREG_DATABASE_URL ? { MREG_DATABASE_URL: process.env.MREG_DATABASE_URL } : {}),
  };
}

/** `dataDir`: start on an existing data directory (a restart); by default a throwaway one is made. */
export async function startGateway({ profileDir, dataDir: existing } = {}) {
  const dataDir = existing ?? mkdtempSync(join(tmpdir(), 'mreg-bench-'));
  // However the bench ends (error, Ctrl-C during start-up), the throwaway directory goes with it.
  if (!existing) process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = gatewayEnv(dataDir, port);
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // BENCH_HEAP_SNAPSHOTS=/dir: the gateway writes a heap snapshot there on SIGUSR2 (the idle scenario sends one
  // before and one after opening its sessions), to see what an idle session holds.
  const heapDir = process.env.BENCH_HEAP_SNAPSHOTS;
  if (heapDir) profile.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`);
  // BENCH_GATEWAY_LOG=/path keeps the gateway's log (appended): the bench only sees status codes, the log says why.
  const log = process.env.BENCH_GATEWAY_LOG ? openSync(process.env.BENCH_GATEWAY_LOG, 'a') : 'ignore';
  // BENCH_GATEWAY_NODE_FLAGS="--max-semi-space-size=2 ...": V8 or Node flags for the gateway process only.
  const flags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawnChild([...flags, ...profile, 'bin/mcp-gateway.js', 'serve'], env, { stdout: log });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, child);
  const { config } = loadConfig(env, { dotenvDir: false });
  const tokens = new GatewayTokens(
    await SigningKeyStore.open(SigningKeyStore.fileFor(dataDir)),
    gatewayIssuer(config),
  );
  const tokenCache = new Map();

  const gateway = {
    url,
    dataDir,
    pid: child.pid,
    /** Has the gateway write a heap snapshot (BENCH_HEAP_SNAPSHOTS) and waits until it is written. */
    async heapSnapshot() {
      if (!heapDir) return;
      const before = new Set(readdirSync(heapDir));
      process.kill(child.pid, 'SIGUSR2');
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const written = readdirSync(heapDir).find(
          (name) => !before.has(name) && name.endsWith('.heapsnapshot'),
        );
        // Written when the gateway answers again: it is busy (and silent) while it writes.
        if (
          written &&
          (await fetch(`${url}/health`).then(
            (r) => r.ok,
            () => false,
          ))
        )
          return;
      }
    },
    /** A bearer token of local user `user` (an admin) for exactly `audience` (the gateway checks the URL). */
    async token(audience, user = 'bench') {
      const key = `${user} ${audience}`;
      if (!tokenCache.has(key)) {
        const principal = localPrincipal('bench', user, ['admin']);
        tokenCache.set(key, await tokens.issue({ ...principal, audience, ttlSeconds: 6 * 3600 }));
      }
      return tokenCache.get(key);
    },
    /** Registers an upstream (the gateway discovers its tools right away) and returns its /servers/{id}/mcp URL. */
    async register(name, upstreamUrl) {
      const response = await fetch(`${url}/api/v1/servers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await gateway.token(`http://localhost:${port}`)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name, url: upstreamUrl }),
        signal: AbortSignal.timeout(60_000),
      });
      if (response.status !== 201)
        throw new Error(`register ${name}: ${response.status} ${await response.text()}`);
      const { server } = await response.json();
      return `${url}/servers/${server.id}/mcp`;
    },
    /**
     * Samples from /metrics, each named exactly as exposed (`name` or `name{label="value"}`); NaN for a sample
     * that is missing, {} if /metrics does not answer. Diagnostics only: metric names may change.
     */
    async metrics(samples) {
      try {
        const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
        const values = new Map(
          text
            .split('\n')
            .filter((line) => line && !line.startsWith('#'))
            .map((line) => [
              line.slice(0, line.lastIndexOf(' ')),
              Number(line.slice(line.lastIndexOf(' ') + 1)),
            ]),
        );
        return Object.fromEntries(samples.map((sample) => [sample, values.get(sample) ?? Number.NaN]));
      } catch {
        return {};
      }
    },
    stop: () => stopChild(child),
    /** A crash: SIGKILL, no shutdown; resolves when the process is gone. */
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  };
  return gateway;
}

async function waitForReady(url, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null)
      throw new Error(`the gateway exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the gateway did not become ready in 60 s');
}
