import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appMetrics, type Metric, metricOf as metricIn, TARGET_LABELS } from './app-metrics.js';

/**
 * The Grafana dashboard queries only metrics the gateway exposes (./app-metrics.ts reads them from the source),
 * grouped by labels those metrics carry.
 */
const root = join(__dirname, '../..');
interface Panel {
  id: number;
  type: string;
  datasource?: unknown;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/mcp-gateway.json'), 'utf8')) as {
  panels: Panel[];
  templating: { list: { type: string; query: { query: string } }[] };
};

describe('Grafana dashboard', () => {
  let metrics: Map<string, Metric>;
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => v.query.query),
  ];

  beforeAll(async () => {
    metrics = await appMetrics();
  });

  const metricOf = (series: string) => metricIn(metrics, series);

  it('finds the metrics it checks against in the source', () => {
    expect(metrics.get('mcp_gateway_http_request_duration_seconds')).toEqual({
      type: 'histogram',
      labels: ['method', 'route', 'status_code'],
    });
    expect(metrics.has('mcp_gateway_audit_queue_depth')).toBe(true);
    expect(metrics.has('mcp_gateway_process_cpu_seconds_total')).toBe(true);
  });

  it('queries only metrics the gateway exposes', () => {
    const referenced = queries.flatMap((q) => [...q.matchAll(/\b(mcp_gateway_\w+)/g)].map((m) => m[1]));
    expect(referenced.length).toBeGreaterThan(20);
    expect([...new Set(referenced)].filter((series) => !metricOf(series))).toEqual([]);
  });

  it('groups and filters only by labels the queried metrics carry', () => {
    for (const query of queries) {
      const names = [...query.matchAll(/\b(mcp_gateway_\w+)/g)].map((m) => metricOf(m[1])!);
      const allowed = new Set([...TARGET_LABELS, ...names.flatMap(([, metric]) => metric.labels)]);
      if (names.some(([, m]) => m.type === 'histogram')) allowed.add('le');
      const used = [
        ...[...query.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim())),
        ...[...query.matchAll(/[{,]\s*(\w+)\s*=~?/g)].map((m) => m[1]),
      ].filter((label) => label !== '');
      expect({ query, unknown: used.filter((label) => !allowed.has(label)) }).toEqual({ query, unknown: [] });
    }
  });

  it('covers the operations the issue asks for', () => {
    const all = queries.join('\n');
    for (const needed of [
      /rate\(mcp_gateway_http_request_duration_seconds_count/, // request rate
      /histogram_quantile\(0\.99, sum by \(le, route\) \(rate\(mcp_gateway_http_request_duration_seconds_bucket/,
      /histogram_quantile\(0\.5, /,
      /status_code=~"5\.\."/, // errors
      /mcp_gateway_rate_limited_total/,
      /mcp_gateway_audit_queue_depth/,
      /mcp_gateway_audit_spill_pending/,
      /mcp_gateway_breaker_state/,
      /mcp_gateway_process_cpu_seconds_total/,
      /mcp_gateway_process_resident_memory_bytes/,
    ])
      expect(all).toMatch(needed);
  });

  it('is an importable dashboard: unique panel ids, every panel on the datasource variable', () => {
    expect(dashboard).toMatchObject({ uid: 'mcp-gateway', title: expect.any(String), schemaVersion: 39 });
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr).toContain('namespace=~"$namespace"');
    }
  });
});
