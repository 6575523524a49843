/**
 * How many answered calls a crash loses from the audit trail: `tools/call` through `/servers/{id}/mcp` at a steady
 * rate (`CRASH_RATE` per second, default 100), the gateway killed with SIGKILL at a random moment under that load,
 * restarted on the same data (embedded database, or `MREG_DATABASE_URL`), and every call that was answered before
 * the kill looked up in the audit trail by the unique text it carried. Prints, per round, the calls answered, those
 * missing from the trail, and how long before the kill the oldest missing one was answered: the real loss window.
 *
 *   npm run build && node bench/audit-crash-loss.mjs                       # embedded database, 5 rounds
 *   MREG_DATABASE_URL=postgres://... CRASH_ROUNDS=10 node bench/audit-crash-loss.mjs
 */
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';
import { Pool } from 'undici';
import { killChildrenOnExit, stopAll } from './lib/children.mjs';
import { startGateway } from './lib/gateway.mjs';
import { McpSession } from './lib/mcp-session.mjs';
import { printTable } from './lib/report.mjs';
import { startFast } from './lib/upstreams.mjs';

const RATE = Number(process.env.CRASH_RATE ?? 100);
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);
/** Load runs this long (`CRASH_LOAD_MS`) before the kill, plus a random part of a second (any moment of a flush cycle). */
const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 2_000);

async function auditedTexts(gateway, since) {
  const token = await gateway.token(gateway.url);
  const texts = new Set();
  let cursor;
  do {
    const query = new URLSearchParams({
      tool: 'echo',
      from: since,
      limit: '1000',
      ...(cursor ? { cursor } : {}),
    });
    const response = await fetch(`${gateway.url}/api/v1/audit?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`audit query: ${response.status} ${await response.text()}`);
    const page = await response.json();
    for (const event of page.events) {
      // A proxied tools/call stores its arguments as params.
      const text = event.params?.text;
      if (typeof text === 'string') texts.add(text);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return texts;
}

async function round(index, upstream, dataDir) {
  const gateway = await startGateway({ dataDir });
  const url = await gateway.register(`crash-${index}-${Date.now()}`, upstream.url);
  const since = new Date().toISOString();
  const pool = new Pool(new URL(url).origin, { connections: 32 });
  const session = await new McpSession({
    dispatcher: pool,
    url,
    token: await gateway.token(url),
    timeoutMs: 10_000,
  }).open();
  const answered = new Map();
  let sent = 0;
  const inFlight = new Set();
  const timer = setInterval(() => {
    const text = `r${index}-c${sent++}`;
    const call = session
      .callTool('echo', { text }, text)
      .then(() => answered.set(text, performance.now()))
      .catch(() => undefined)
      .finally(() => inFlight.delete(call));
    inFlight.add(call);
  }, 1000 / RATE);
  await sleep(LOAD_MS + Math.random() * 1000);
  await gateway.kill();
  const killedAt = performance.now();
  clearInterval(timer);
  await Promise.allSettled([...inFlight]);
  await pool.close();

  const restarted = await startGateway({ dataDir: gateway.dataDir });
  const stored = await auditedTexts(restarted, since);
  await restarted.stop();
  const lost = [...answered].filter(([text]) => !stored.has(text));
  const oldest = lost.length > 0 ? Math.max(...lost.map(([, at]) => killedAt - at)) : 0;
  return { dataDir: gateway.dataDir, row: [index, sent, answered.size, lost.length, oldest.toFixed(0)] };
}

killChildrenOnExit();
try {
  const upstream = await startFast();
  const rows = [];
  let dataDir;
  for (let index = 1; index <= ROUNDS; index++) {
    const result = await round(index, upstream, dataDir);
    dataDir = result.dataDir;
    rows.push(result.row);
  }
  console.log(
    `\nAudit loss on kill -9 at ${RATE} calls/s, ${process.env.MREG_DATABASE_URL ? 'PostgreSQL' : 'embedded database'}\n`,
  );
  printTable(
    ['round', 'sent', 'answered', 'answered, not audited', 'oldest lost answer before kill, ms'],
    rows,
  );
} finally {
  await stopAll();
}
