#!/usr/bin/env node
/**
 * Proxy benchmark (not a test): a fast SDK upstream with an echo tool, measured in one run directly, through
 * /servers/{id}/mcp and through /federated/mcp, at concurrency 1 and 32. Prints req/s, p50, p99 and the ratio to
 * direct. Run with `npm run bench` (builds first). Uses MREG_DATABASE_URL when set, else the embedded database.
 *   BENCH_REQUESTS=2000 BENCH_CONCURRENCY=1,32 npm run bench
 * BENCH_PROFILE=/tmp/prof writes a CPU profile of the gateway process (open it in Chrome DevTools).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { GatewayTokens } from '../dist/src/auth/gateway-tokens.js';
import { localPrincipal } from '../dist/src/auth/oauth/dev-sign-in.js';
import { loadConfig } from '../dist/src/config/load-config.js';
import { SigningKeyStore } from '../dist/src/auth/signing-keys.js';
import { gatewayIssuer } from '../dist/src/auth/auth.module.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,32').split(',').map(Number);
const WARMUP = 300;

/** Starts a child process and resolves with the first line it prints (its URL). */
function spawnService(args, env = {}) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('http'));
      if (line) resolve({ child, url: line.trim() });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

function callBody(id, name) {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: { text: 'hello' } },
  });
}

/** Sends `count` tools/call requests with `concurrency` in flight; returns latencies (ms) and wall time. */
async function load(url, token, toolName, count, concurrency) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const latencies = [];
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      const id = next++;
      const t0 = performance.now();
      const response = await pool.request({
        path: target.pathname,
        method: 'POST',
        headers,
        body: callBody(id, toolName),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !text.includes('hello')) {
        throw new Error(`${url}: ${response.statusCode} ${text.slice(0, 200)}`);
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: count / (wall / 1000), p50: at(0.5), p99: at(0.99) };
}

async function main() {
  const upstream = await spawnService(['bench/upstream.mjs']);
  const dataDir = mkdtempSync(join(tmpdir(), 'mreg-bench-'));
  const env = {
    MREG_HOST: '127.0.0.1',
    MREG_PORT: String(18_000 + Math.floor(Math.random() * 1000)),
    MREG_LOG_LEVEL: 'warn',
    MREG_DATA_DIR: dataDir,
    MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
    MREG_HEALTH_CHECKS_ENABLED: 'false',
    // Rate limiting stays on (every request is counted) with limits the load never reaches; audit stays on.
    MREG_FASTMCP_REQUESTS_PER_MINUTE: process.env.MREG_FASTMCP_REQUESTS_PER_MINUTE ?? '1000000',
    MREG_RATE_LIMIT_ADMIN_PER_MINUTE: process.env.MREG_RATE_LIMIT_ADMIN_PER_MINUTE ?? '1000000',
    MREG_RATE_LIMIT_BURST_FACTOR: process.env.MREG_RATE_LIMIT_BURST_FACTOR ?? '60',
    ...(process.env.MREG_DATABASE_URL ? { MREG_DATABASE_URL: process.env.MREG_DATABASE_URL } : {}),
  };
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const gateway = spawn(process.execPath, [...profile, 'bin/mcp-gateway.js', 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const gatewayUrl = `http://127.0.0.1:${env.MREG_PORT}`;
  try {
    await waitForReady(gatewayUrl);
    const { config } = loadConfig(env, { dotenvDir: false });
    const tokens = new GatewayTokens(
      await SigningKeyStore.open(SigningKeyStore.fileFor(dataDir)),
      gatewayIssuer(config),
    );
    const principal = localPrincipal('bench', 'bench', ['admin']);
    const token = (audience) => tokens.issue({ ...principal, audience, ttlSeconds: 3600 });
    const register = await fetch(`${gatewayUrl}/api/v1/servers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await token(`http://localhost:${env.MREG_PORT}`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'bench', url: upstream.url }),
    });
    if (register.status !== 201) throw new Error(`register: ${register.status} ${await register.text()}`);
    const { server } = await register.json();
    const proxyUrl = `${gatewayUrl}/servers/${server.id}/mcp`;
    const federatedUrl = `${gatewayUrl}/federated/mcp`;
    const scenarios = [
      { name: 'direct upstream', url: upstream.url, token: undefined, tool: 'echo' },
      { name: '/servers/{id}/mcp', url: proxyUrl, token: await token(proxyUrl), tool: 'echo' },
      { name: '/federated/mcp', url: federatedUrl, token: await token(federatedUrl), tool: 'bench__echo' },
    ];
    console.log(
      `node ${process.version}, ${REQUESTS} tools/call per run, database ${config.database.kind}, ${os.cpus().length} CPUs`,
    );
    console.log('| scenario | c | req/s | p50 ms | p99 ms | throughput vs direct | added p50 ms |');
    console.log('|---|---|---|---|---|---|---|');
    for (const concurrency of CONCURRENCY) {
      let direct;
      for (const scenario of scenarios) {
        await load(scenario.url, scenario.token, scenario.tool, WARMUP, concurrency);
        const result = await load(scenario.url, scenario.token, scenario.tool, REQUESTS, concurrency);
        direct ??= result;
        console.log(
          `| ${scenario.name} | ${concurrency} | ${result.rps.toFixed(0)} | ${result.p50.toFixed(2)} | ${result.p99.toFixed(2)} | ${(result.rps / direct.rps).toFixed(2)} | ${(result.p50 - direct.p50).toFixed(2)} |`,
        );
      }
    }
  } finally {
    gateway.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitForReady(url) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('gateway did not become ready');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
