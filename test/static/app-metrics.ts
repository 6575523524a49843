import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsService } from '../../src/observability/metrics.service.js';

/**
 * The metrics the gateway exposes, for the specs that check queries written against them (Grafana dashboard, alert
 * rules): names and labels are read from the source (`new Counter/Gauge/Histogram({ name, labelNames })`), the default
 * process metrics from a real MetricsService registry, so a renamed metric or label fails those specs.
 */
export interface Metric {
  type: string;
  labels: string[];
}

const root = join(__dirname, '../..');

/** Labels Prometheus adds to every series it scrapes through the ServiceMonitor. */
export const TARGET_LABELS = ['namespace', 'pod', 'instance', 'job', 'service', 'endpoint', 'container'];

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });

/** Metrics declared in src/: `new Counter({ name: 'mcp_gateway_…', labelNames: [...], ... })`. */
function declaredMetrics(): Map<string, Metric> {
  const metrics = new Map<string, Metric>();
  const declaration =
    /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name: '(mcp_gateway_\w+)'([\s\S]*?)\}\)/g;
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const [, type, name, body] of readFileSync(file, 'utf8').matchAll(declaration)) {
      const labels = /labelNames: \[([^\]]*)\]/.exec(body)?.[1] ?? '';
      metrics.set(name, {
        type: type.toLowerCase(),
        labels: [...labels.matchAll(/'(\w+)'/g)].map((m) => m[1]),
      });
    }
  }
  return metrics;
}

/** Every metric of the gateway: the declared ones and prom-client's default metrics (`mcp_gateway_process_…`). */
export async function appMetrics(): Promise<Map<string, Metric>> {
  const metrics = declaredMetrics();
  for (const metric of await new MetricsService().registry.getMetricsAsJSON()) {
    if (metrics.has(metric.name)) continue;
    // Their labels (`kind` of a GC, `space` of the heap) are only known from the values they report.
    const labels = new Set(metric.values.flatMap((value) => Object.keys(value.labels)));
    labels.delete('le'); // a histogram's bucket bound, not a label of the metric
    metrics.set(metric.name, { type: String(metric.type), labels: [...labels] });
  }
  return metrics;
}

/** The metric a series name belongs to (histograms and summaries also expose _bucket, _sum and _count). */
export function metricOf(metrics: Map<string, Metric>, series: string): [string, Metric] | undefined {
  if (metrics.has(series)) return [series, metrics.get(series)!];
  const base = series.replace(/_(bucket|sum|count)$/, '');
  const metric = metrics.get(base);
  return metric?.type === 'histogram' || metric?.type === 'summary' ? [base, metric] : undefined;
}
