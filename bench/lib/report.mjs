/**
 * Numbers and tables. Tables are printed as Markdown so a run can be pasted into docs/performance.md as is.
 */

/** p-quantile of latencies already sorted ascending (nearest rank); NaN when there are none. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** req/s, p50, p99 of a measured run. */
export function summarize(latencies, wallMs) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    rps: sorted.length / (wallMs / 1000),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
  };
}

/** Two runs of the same target as one (mean req/s and percentiles, errors of both, other fields of the first). */
export function meanRun(a, b) {
  const avg = (x, y) => (Number.isFinite(x) && Number.isFinite(y) ? (x + y) / 2 : Number.NaN);
  return {
    ...a,
    rps: avg(a.rps, b.rps),
    p50: avg(a.p50, b.p50),
    p99: avg(a.p99, b.p99),
    cpuUsPerCall: avg(a.cpuUsPerCall, b.cpuUsPerCall),
    errors: [...a.errors, ...b.errors],
  };
}

/** Fixed decimals, with '-' for what could not be measured (no successful request, unknown RSS). */
export function fmt(value, digits = 2) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

export function printTable(header, rows) {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Errors of a run, each kind once with its count, so a stalled gateway reads as one line and not thousands. Ids
 * (correlation ids, server ids) are blanked so that the same failure of different requests counts as one kind;
 * BENCH_GATEWAY_LOG keeps the gateway's log with the correlation ids.
 */
export function errorSummary(errors) {
  const counts = new Map();
  for (const error of errors) {
    const text = String(error?.code ? `${error.code}: ${error.message}` : (error?.message ?? error));
    const message = text.replace(UUID, '…');
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => `${count} × ${message}`);
}
