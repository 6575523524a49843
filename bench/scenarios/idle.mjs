/**
 * Idle-session scenario: N sessions to the reference server through /servers/{id}/mcp, each holding its listening
 * stream open (GET, `accept: text/event-stream`), as every connected SDK client does; then how long opening a new
 * session takes (initialize + initialized + one tools/call, one after another) and what the gateway's memory is,
 * compared with no idle sessions and with the same new sessions made directly against the upstream.
 *
 * Every request has a time limit and every phase gives up after a few failures in a row, so a gateway that stops
 * answering (e.g. all its upstream connections held by streams) shows up as "stalled" with the errors counted, and
 * the bench still ends. Idle sessions are spread over users, 50 each, as they would be in a real deployment: the gateway
 * also caps the streams one user holds open (MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL, and per server in newer builds,
 * MREG_PROXY_MAX_STREAMS_PER_SERVER, default 64), and these caps are not what this scenario measures.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkNotStopping, isStopping, rssMiB } from '../lib/children.mjs';
import { McpSession } from '../lib/mcp-session.mjs';
import { errorSummary, fmt, printTable, summarize } from '../lib/report.mjs';

const OPEN_CONCURRENCY = 16;
const SESSIONS_PER_USER = 50;
/** Opening stops after this many failures in a row (one full wave of openers); probing after PROBE_GIVE_UP. */
const OPEN_GIVE_UP = OPEN_CONCURRENCY;
const PROBE_GIVE_UP = 5;
const SAMPLES = [
  'mcp_gateway_open_streams',
  'mcp_gateway_upstream_pool_connections{state="busy"}',
  'mcp_gateway_upstream_pool_waiting',
];

/** @param upstream the reference server, `{ url, pid, tool, argument, proxyUrl }` */
export async function idleScenario({ gateway, upstream, settings }) {
  const count = settings.idleSessions;
  const proxyUrl = upstream.proxyUrl;
  console.log(
    `\n### Idle sessions: ${count} listening streams through /servers/{id}/mcp to the reference server\n`,
  );
  warnAboutFileDescriptors(gateway.pid, count);

  const rows = [];
  const notes = [];
  const snapshot = async (phase, probe) => {
    checkNotStopping();
    const metrics = await gateway.metrics(SAMPLES);
    rows.push([
      phase,
      probe ? `${probe.count}/${probe.attempted}` : '-',
      fmt(probe?.p50),
      fmt(probe?.p99),
      probe ? probe.errors.length + (probe.stalled ? ' (stalled)' : '') : '-',
      fmt(rssMiB(gateway.pid), 0),
      fmt(rssMiB(upstream.pid), 0),
      ...SAMPLES.map((sample) => fmt(metrics[sample], 0)),
    ]);
    for (const line of errorSummary(probe?.errors ?? [])) notes.push(`${phase}: ${line}`);
  };
  const probe = async (url, user, probes = settings.idleProbes) => {
    process.stderr.write(
      `  idle: ${probes} new sessions on ${url === proxyUrl ? 'the gateway' : 'the upstream'} ...\n`,
    );
    const token = user ? await gateway.token(proxyUrl, user) : undefined;
    return probeNewSessions({ url, token, upstream, count: probes, timeoutMs: settings.timeoutMs });
  };

  // Unmeasured warm-up (BENCH_WARMUP sessions) on both paths: the gateway is fresh, and without it the baseline would
  // time its JIT compiler (with 50 the gateway's baseline p50 was half again slower than later phases).
  await probe(upstream.url, undefined, settings.warmup);
  await probe(proxyUrl, 'probe', settings.warmup);
  await snapshot('new sessions, direct upstream, no idle sessions', await probe(upstream.url));
  await snapshot('new sessions, /servers/{id}/mcp, no idle sessions', await probe(proxyUrl, 'probe'));
  const rssBefore = rssMiB(gateway.pid);
  await gateway.heapSnapshot();

  process.stderr.write(`  idle: opening ${count} sessions with listening streams ...\n`);
  const idle = await openIdleSessions({ gateway, proxyUrl, count, settings });
  const rssIdle = rssMiB(gateway.pid);
  await gateway.heapSnapshot();
  await snapshot(`${idle.open} idle sessions opened in ${fmt(idle.seconds, 1)} s`);
  notes.push(
    `opening: ${idle.open} of ${count} sessions with their stream open, ${idle.errors.length} failures` +
      (idle.stopReason ? `, ${idle.stopReason}` : ''),
  );
  for (const line of errorSummary(idle.errors)) notes.push(`opening: ${line}`);
  if (idle.open > 0) {
    notes.push(
      `gateway RSS ${fmt(rssBefore, 0)} MiB before opening, ${fmt(rssIdle, 0)} MiB with ${idle.open} idle sessions: ` +
        `${fmt(((rssIdle - rssBefore) * 1024) / idle.open, 1)} KiB per session (RSS also moves with garbage collection)`,
    );
  }

  await snapshot(
    `new sessions, /servers/{id}/mcp, ${idle.open} idle sessions`,
    await probe(proxyUrl, 'probe'),
  );
  // What an operator's dashboard shows: the gateway left alone with its idle sessions, once V8's memory reducer (which
  // acts when allocation stops for a few seconds) has compacted what the burst of openings left behind.
  if (settings.idleSettleSeconds > 0) {
    await sleep(settings.idleSettleSeconds * 1000);
    await snapshot(`${idle.open} idle sessions, ${settings.idleSettleSeconds} s later`);
  }
  notes.push(`idle streams that ended while held open: ${idle.dropped()}`);
  await idle.close();
  await snapshot(
    'new sessions, /servers/{id}/mcp, idle streams closed again',
    await probe(proxyUrl, 'probe', Math.min(settings.idleProbes, 50)),
  );

  printTable(
    [
      'phase',
      'sessions ok/tried',
      'p50 ms',
      'p99 ms',
      'errors',
      'gateway RSS MiB',
      'upstream RSS MiB',
      'gateway open streams',
      'upstream conns busy',
      'upstream reqs waiting',
    ],
    rows,
  );
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
}

/** New sessions one after another, each initialize + initialized + one echo call, timed as a whole. */
async function probeNewSessions({ url, token, upstream, count, timeoutMs }) {
  const pool = new Pool(new URL(url).origin, { connections: 1, pipelining: 1 });
  const latencies = [];
  const errors = [];
  let failuresInRow = 0;
  let attempted = 0;
  const started = performance.now();
  while (attempted < count && failuresInRow < PROBE_GIVE_UP && !isStopping()) {
    const text = `probe-${attempted++}`;
    const t0 = performance.now();
    try {
      const session = await new McpSession({ dispatcher: pool, url, token, timeoutMs }).open();
      await session.callTool(upstream.tool, { [upstream.argument]: text }, text);
      latencies.push(performance.now() - t0);
      failuresInRow = 0;
    } catch (error) {
      errors.push(error);
      failuresInRow += 1;
    }
  }
  const wall = performance.now() - started;
  await pool.destroy();
  return { ...summarize(latencies, wall), attempted, errors, stalled: failuresInRow >= PROBE_GIVE_UP };
}

/**
 * Opens `count` sessions, OPEN_CONCURRENCY at a time, each with its listening stream, and keeps the streams open
 * (reading and dropping what arrives) until `close()`. Stops early after OPEN_GIVE_UP failures in a row or at the
 * deadline (two minutes plus 30 ms per session).
 */
async function openIdleSessions({ gateway, proxyUrl, count, settings }) {
  // No connection limit: every stream holds one connection for as long as it is open.
  const pool = new Pool(new URL(proxyUrl).origin, { connections: null, pipelining: 1 });
  const streams = [];
  const errors = [];
  let next = 0;
  let failuresInRow = 0;
  let dropped = 0;
  let closing = false;
  let stopReason;
  const started = performance.now();
  const deadline = started + 120_000 + count * 30;
  async function opener() {
    while (next < count && !stopReason && !isStopping()) {
      const user = `idle-${Math.floor(next++ / SESSIONS_PER_USER)}`;
      try {
        const token = await gateway.token(proxyUrl, user);
        const session = await new McpSession({
          dispatcher: pool,
          url: proxyUrl,
          token,
          timeoutMs: settings.timeoutMs,
        }).open();
        const body = await session.listen();
        body.on('data', () => {});
        body.on('error', () => {});
        body.on('close', () => {
          if (!closing) dropped += 1;
        });
        streams.push(body);
        failuresInRow = 0;
      } catch (error) {
        errors.push(error);
        failuresInRow += 1;
        if (failuresInRow >= OPEN_GIVE_UP)
          stopReason = `stalled: gave up after ${failuresInRow} failures in a row`;
      }
      if (performance.now() > deadline) stopReason ??= 'stopped at the deadline';
    }
  }
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, opener));
  return {
    open: streams.length,
    errors,
    stopReason,
    seconds: (performance.now() - started) / 1000,
    dropped: () => dropped,
    async close() {
      closing = true;
      for (const body of streams) body.destroy();
      await pool.destroy();
    },
  };
}

/** The gateway holds two sockets per idle stream (client side and upstream side); say so before it runs out. */
function warnAboutFileDescriptors(pid, count) {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const soft = Number(limits.match(/^Max open files\s+(\d+)/m)?.[1]);
    if (soft && 2 * count + 200 > soft) {
      console.log(
        `> the gateway may run out of file descriptors: ${count} streams need about ${2 * count + 200}, ` +
          `its limit is ${soft} (raise \`ulimit -n\` before the bench)\n`,
      );
    }
  } catch {
    // not Linux: no check
  }
}
