import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { appMetrics, type Metric, metricOf, TARGET_LABELS } from './app-metrics.js';
import { only, renderings, root } from './k8s-fixtures.js';
import { readManifests } from './kustomize.js';

/**
 * The Prometheus alert rules: every expression parses with Prometheus's own PromQL grammar (the one its UI uses),
 * queries only metrics and labels the gateway exposes, and every label an annotation prints survives the
 * expression's aggregations. Every alert has a severity, a summary, a description and a runbook heading in
 * docs/deployment.md.
 */
interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const file = join(root, 'deploy/k8s/components/monitoring/prometheusrule.yaml');
const rules = (readManifests(file)[0].spec as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const RUNBOOK = 'https://github.com/example/mcp-registry-gateway/blob/main/docs/deployment.md#';
const SEVERITIES = ['critical', 'warning', 'info'];

type Node = ReturnType<typeof parser.parse>['topNode'];
const childrenOf = (node: Node): Node[] => {
  const children: Node[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
};

/**
 * Checks one expression against the metrics: returns the problems found and the labels its result series carry
 * (what `{{ $labels.x }}` can print). Aggregations keep their `by` labels, binary operations the left side's (the
 * vector side's against a scalar), functions their argument's; every label named in a matcher, `by` or `on` must be
 * on the series it applies to.
 */
function inspect(expr: string, metrics: Map<string, Metric>) {
  const problems: string[] = [];
  const text = (node: Node) => expr.slice(node.from, node.to);
  const names = (grouping: Node | null) => (grouping?.getChildren('LabelName') ?? []).map(text);
  const expectLabels = (used: string[], available: Set<string>, where: string) => {
    for (const label of used) if (!available.has(label)) problems.push(`${label} is not a label of ${where}`);
  };
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        problems.push(`syntax error at ${node.from}: ${expr.slice(node.from, node.from + 20)}`);
    },
  });

  const selector = (node: Node): Set<string> => {
    const series = text(node.getChild('Identifier') ?? node);
    const found = metricOf(metrics, series);
    if (series !== 'up' && !found) problems.push(`${series} is not a metric of the gateway`);
    const own = found?.[1].labels ?? [];
    // A metric label that is also a target label is renamed exported_<label> at scrape time (honorLabels: false).
    const labels = new Set([...own.filter((l) => !TARGET_LABELS.includes(l)), ...TARGET_LABELS]);
    if (series.endsWith('_bucket')) labels.add('le');
    const matchers = node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
    const used = matchers.map((m) => text(m.getChild('LabelName')!));
    expectLabels(used, labels, series);
    for (const label of used.filter((l) => own.includes(l) && TARGET_LABELS.includes(l)))
      problems.push(`${series}'s own ${label} label is scraped as exported_${label}`);
    return labels;
  };

  /** absent() returns one series, labelled with its selector's `label="value"` matchers. */
  const equalityLabels = (node: Node) =>
    new Set(
      (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [])
        .filter((m) => m.getChild('MatchOp')?.firstChild?.name === 'EqlSingle')
        .map((m) => text(m.getChild('LabelName')!)),
    );

  const labelsOf = (node: Node): Set<string> | undefined => {
    const children = childrenOf(node);
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr':
      case 'FunctionCallBody':
        return labelsOf(children[0]);
      case 'NumberDurationLiteral':
      case 'StringLiteral':
        return undefined; // a scalar
      case 'VectorSelector':
        return selector(node);
      case 'MatrixSelector':
        return labelsOf(node.getChild('VectorSelector')!);
      case 'AggregateExpr': {
        const inner = labelsOf(node.getChild('FunctionCallBody')!) ?? new Set<string>();
        const modifier = node.getChild('AggregateModifier');
        const grouping = names(modifier?.getChild('GroupingLabels') ?? null);
        expectLabels(grouping, inner, `the argument of ${text(node.getChild('AggregateOp')!)}`);
        if (!modifier) return new Set();
        return modifier.getChild('By')
          ? new Set(grouping)
          : new Set([...inner].filter((l) => !grouping.includes(l)));
      }
      case 'FunctionCall': {
        const fn = text(node.getChild('FunctionIdentifier')!);
        const args = childrenOf(node.getChild('FunctionCallBody')!).map(labelsOf);
        const vector = args.find((a) => a !== undefined) ?? new Set<string>();
        if (fn === 'absent') return equalityLabels(node.getChild('FunctionCallBody')!.firstChild!);
        if (fn === 'histogram_quantile') return new Set([...vector].filter((l) => l !== 'le'));
        return vector;
      }
      case 'BinaryExpr': {
        const [left, right] = [labelsOf(children[0]), labelsOf(children[children.length - 1])];
        const matching = names(node.getChild('MatchingModifierClause')?.getChild('GroupingLabels') ?? null);
        expectLabels(matching, left ?? new Set(), 'the left side of a binary operation');
        expectLabels(matching, right ?? new Set(), 'the right side of a binary operation');
        return left ?? right;
      }
      default:
        problems.push(`unsupported node ${node.name}: ${text(node)}`);
        return new Set();
    }
  };
  const labels = labelsOf(parser.parse(expr).topNode) ?? new Set<string>();
  return { problems, labels };
}

/** GitHub's anchors for the headings of a Markdown file. */
const anchorsOf = (markdown: string) =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

describe('Prometheus alert rules', () => {
  let metrics: Map<string, Metric>;
  beforeAll(async () => {
    metrics = await appMetrics();
  });

  it('is a PrometheusRule the prod rendering ships, labelled like the ServiceMonitor', () => {
    const rule = only(renderings.prod, 'PrometheusRule');
    expect(rule.metadata.name).toBe('mcp-gateway');
    expect(rule.metadata.labels).toEqual(only(renderings.prod, 'ServiceMonitor').metadata.labels);
    expect(rules.length).toBeGreaterThanOrEqual(10);
  });

  it('selects the job the ServiceMonitor creates: named after the Service, no jobLabel override', () => {
    const monitor = only(renderings.prod, 'ServiceMonitor');
    expect(monitor.spec.jobLabel).toBeUndefined();
    const jobs = rules.flatMap((r) => [...r.expr.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1]));
    expect(jobs.length).toBeGreaterThan(0);
    expect(new Set(jobs)).toEqual(new Set([only(renderings.prod, 'Service').metadata.name]));
  });

  it.each(rules.map((r) => [r.alert ?? r.expr, r]))(
    '%s: parses, and queries only metrics and labels the gateway exposes',
    (_name, rule) => {
      expect(inspect(rule.expr, metrics).problems).toEqual([]);
    },
  );

  it('catches what it is there to catch: syntax errors, unknown metrics and labels, labels aggregated away', () => {
    const problems = (expr: string) => inspect(expr, metrics).problems;
    expect(problems('sum(rate(mcp_gateway_audit_queue_depth[5m])')).toEqual([
      expect.stringMatching(/^syntax error/),
    ]);
    expect(problems('rate(mcp_gateway_no_such_total[5m]) > 0')).toEqual([
      'mcp_gateway_no_such_total is not a metric of the gateway',
    ]);
    expect(problems('sum by (tenant) (mcp_gateway_open_streams)')).toEqual([
      'tenant is not a label of the argument of sum',
    ]);
    expect(problems('mcp_gateway_rate_limited_total{tenant="a"}')).toEqual([
      'tenant is not a label of mcp_gateway_rate_limited_total',
    ]);
    const withClash = new Map([...metrics, ['mcp_gateway_clash', { type: 'gauge', labels: ['endpoint'] }]]);
    expect(inspect('max by (endpoint) (mcp_gateway_clash{endpoint="0"})', withClash).problems).toEqual([
      "mcp_gateway_clash's own endpoint label is scraped as exported_endpoint",
    ]);
    expect([...inspect('sum by (namespace) (up) == 0', metrics).labels]).toEqual(['namespace']);
  });

  it('declares no metric label that the scrape overwrites (it would arrive as exported_<label>)', () => {
    const clashes = [...metrics].flatMap(([name, metric]) =>
      metric.labels.filter((label) => TARGET_LABELS.includes(label)).map((label) => `${name}: ${label}`),
    );
    expect(clashes).toEqual([]);
  });

  it('gives every alert a unique name, a severity, a summary, a description and a duration', () => {
    const names = rules.map((r) => r.alert);
    expect(names.every((n) => n !== undefined && /^McpGateway[A-Z]\w+$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(SEVERITIES).toContain(rule.labels?.severity);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      expect(rule.annotations?.description).toEqual(expect.any(String));
    }
    expect(new Set(rules.map((r) => r.labels?.severity))).toEqual(new Set(SEVERITIES));
  });

  it('prints only labels that the alert series carry', () => {
    for (const rule of rules) {
      const { labels } = inspect(rule.expr, metrics);
      const printed = Object.values(rule.annotations ?? {}).flatMap((a) =>
        [...a.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]),
      );
      expect({ alert: rule.alert, missing: printed.filter((l) => !labels.has(l)) }).toEqual({
        alert: rule.alert,
        missing: [],
      });
    }
  });

  it('links every alert to its own section of docs/deployment.md', () => {
    const anchors = anchorsOf(readFileSync(join(root, 'docs/deployment.md'), 'utf8'));
    for (const rule of rules) {
      const url = rule.annotations?.runbook_url ?? '';
      expect(url).toBe(`${RUNBOOK}${rule.alert!.toLowerCase()}`);
      expect({ url, found: anchors.has(url.slice(RUNBOOK.length)) }).toEqual({ url, found: true });
    }
  });
});
