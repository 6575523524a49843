/**
 * The load generator: `concurrency` workers, each with its own MCP session (one SDK client per concurrent user),
 * sending requests back to back over an undici Pool with one connection per worker. Sessions are opened and warmed
 * up before the clock starts; only the measured requests count. Every answer is checked (a fast wrong answer is not
 * a result), failures are counted rather than thrown, and a run stops early after `maxErrors` failures so a broken
 * or stalled target costs seconds, not `requests × timeout`.
 */
import { Pool } from 'undici';
import { checkNotStopping, cpuMs, isStopping } from './children.mjs';
import { McpSession } from './mcp-session.mjs';
import { summarize } from './report.mjs';

/**
 * Measures one target.
 * @param send `(session, seq) => Promise` one request of the workload, throwing when the answer is wrong
 * @returns `{ count, rps, p50, p99, errors, cpuUsPerCall }` (the last only with `cpuPid`)
 */
export async function measure({
  url,
  token,
  concurrency,
  warmup,
  requests,
  timeoutMs,
  send,
  maxErrors = 20,
  /** A process whose CPU time per measured call to report (the proxy under test), if any. */
  cpuPid,
}) {
  const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1 });
  const errors = [];
  try {
    let sessions;
    try {
      sessions = await Promise.all(
        Array.from({ length: concurrency }, () =>
          new McpSession({ dispatcher: pool, url, token, timeoutMs }).open(),
        ),
      );
    } catch (error) {
      errors.push(error);
      return { ...summarize([], 1), errors };
    }
    await drive(sessions, warmup, send, errors, maxErrors);
    // Warm-up failures are reported too, but only the measured run's latencies count.
    const started = performance.now();
    const cpuBefore = cpuPid === undefined ? undefined : cpuMs(cpuPid);
    const latencies = await drive(sessions, requests, send, errors, maxErrors);
    const cpuAfter = cpuPid === undefined ? undefined : cpuMs(cpuPid);
    checkNotStopping();
    const cpuUsPerCall =
      cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / latencies.length;
    return { ...summarize(latencies, performance.now() - started), errors, cpuUsPerCall };
  } finally {
    await pool.destroy();
  }
}

/** Sends `count` requests spread over the sessions (each keeps one in flight); returns their latencies in ms. */
async function drive(sessions, count, send, errors, maxErrors) {
  const latencies = [];
  let next = 0;
  async function worker(session) {
    while (next < count && errors.length < maxErrors && !isStopping()) {
      const seq = next++;
      const started = performance.now();
      try {
        await send(session, seq);
        latencies.push(performance.now() - started);
      } catch (error) {
        errors.push(error);
      }
    }
  }
  await Promise.all(sessions.map(worker));
  return latencies;
}

/** The relay workload: `tools/call` of an echo tool with a text unique to the request, which the answer must echo. */
export function echoCall(tool, argument) {
  return (session, seq) => {
    const text = `bench-${seq}-${Math.random().toString(36).slice(2, 8)}`;
    return session.callTool(tool, { [argument]: text }, text);
  };
}
