/**
 * The gateway's own public probes, read without the user's token: `/ready` (database, migrations, draining) and the
 * audit pipeline's gauges from `/metrics` (Prometheus text). With MREG_METRICS_TOKEN set, /metrics refuses the
 * console (it holds a user's token, not the scrape token) and the audit card says so.
 */
export interface Readiness {
  status: string;
  checks: Record<string, { status: string; [key: string]: unknown }>;
}

export interface AuditPipeline {
  queueDepth?: number;
  spillPending?: number;
  dropped?: number;
}

export async function readiness(): Promise<Readiness> {
  const response = await fetch('/ready', { credentials: 'omit' });
  const body = (await response.json().catch(() => ({}))) as {
    status?: string;
    details?: Readiness['checks'];
  };
  return { status: body.status ?? (response.ok ? 'ok' : 'error'), checks: body.details ?? {} };
}

/** Undefined when /metrics is protected or unreachable. */
export async function auditPipeline(): Promise<AuditPipeline | undefined> {
  const response = await fetch('/metrics', { credentials: 'omit' });
  if (!response.ok) return undefined;
  const text = await response.text();
  return {
    queueDepth: sampleSum(text, 'mcp_gateway_audit_queue_depth'),
    spillPending: sampleSum(text, 'mcp_gateway_audit_spill_pending'),
    dropped: sampleSum(text, 'mcp_gateway_audit_events_dropped_total'),
  };
}

/** The sum of a metric's samples over all label sets, or undefined when it has none. */
export function sampleSum(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}
