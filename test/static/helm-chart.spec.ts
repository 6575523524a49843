import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { envVarsOf } from '../../src/config/env-var.decorator.js';
import { GatewayEnv } from '../../src/config/gateway-env.js';
import { containersOf, only, type Plain, root } from './k8s-fixtures.js';
import { validateAgainstSchema } from './k8s-schemas.js';
import { type K8sObject, parseManifests } from './kustomize.js';
import {
  canRenderChart,
  chartDir,
  everythingOff,
  everythingOn,
  hasHelm,
  helmTemplate,
  renderChart,
  variants,
} from './helm.js';

/**
 * The Helm chart, statically (no cluster, and no Helm binary unless one is on the PATH): its metadata, its values
 * against values.schema.json, and every object it renders with its options on and off against the Kubernetes and
 * Prometheus Operator schemas. Rendering: helm.ts. The app contract: helm-app-contract.spec.ts; the drift from the
 * kustomize base: helm-kustomize-drift.spec.ts.
 */
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Plain;
const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Plain;
const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Plain;
const packageVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Plain)
  .version as string;
const templates = readdirSync(join(chartDir, 'templates')).map((name) => ({
  name,
  // Template comments ({{/* ... */}}) left out: they may name what the code does not use.
  text: readFileSync(join(chartDir, 'templates', name), 'utf8').replace(
    /\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g,
    '',
  ),
}));
const key = (obj: K8sObject) => `${obj.kind}/${obj.metadata.name}`;
const describeRendered = canRenderChart ? describe : describe.skip;

/** The schema node that describes `path` of the values, following properties, $ref and additionalProperties. */
function schemaAt(path: string[]): Plain | undefined {
  let node: Plain | undefined = schema;
  for (const part of path) {
    while (node?.$ref) node = schema.definitions[(node.$ref as string).split('/').pop()!] as Plain;
    node = (node?.properties?.[part] ?? node?.additionalProperties) as Plain | undefined;
    if (node === undefined || (node as unknown) === false) return undefined;
  }
  return node;
}
const leafPaths = (value: unknown, path: string[] = []): string[][] =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
    ? Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]))
    : [path];

describe('Helm chart: metadata, values and schema', () => {
  it('Chart.yaml: apiVersion v2, named after its directory, SemVer version, appVersion = package.json version', () => {
    expect(chart).toMatchObject({ apiVersion: 'v2', name: basename(chartDir), type: 'application' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(chart.appVersion).toBe(packageVersion);
  });

  it('declares the bundled PostgreSQL and Redis as optional dependencies, disabled by default', () => {
    expect(chart.dependencies).toEqual([
      expect.objectContaining({ name: 'postgresql', condition: 'postgresql.enabled' }),
      expect.objectContaining({ name: 'redis', condition: 'redis.enabled' }),
    ]);
    expect(values.postgresql.enabled).toBe(false);
    expect(values.redis.enabled).toBe(false);
  });

  it('values.schema.json describes every value of values.yaml and admits no other top-level key', () => {
    const undescribed = leafPaths(values)
      .filter((path) => !schemaAt(path))
      .map((path) => path.join('.'));
    expect(undescribed).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(values).filter((k) => !(k in schema.properties))).toEqual([]);
  });

  it('refuses in `config` exactly the secret variables the app declares, plus the two the chart derives', () => {
    const secret = envVarsOf(GatewayEnv)
      .filter((variable) => variable.secret !== 'none')
      .flatMap((variable) => [variable.name, ...variable.aliases]);
    const refused = schema.properties.config.propertyNames.not.enum as string[];
    expect([...refused].sort()).toEqual([...secret, 'MREG_PORT', 'MREG_MIGRATE_ON_BOOT'].sort());
  });

  it('templates keep to the documented subset: no .Files, lookup, tpl or .Capabilities', () => {
    for (const { name, text } of templates)
      expect({ name, uses: text.match(/\.Files\b|\blookup\b|\btpl\b|\.Capabilities\b/g) }).toEqual({
        name,
        uses: null,
      });
  });
});

describeRendered('Helm chart: rendered', () => {
  let defaults: K8sObject[];
  beforeAll(() => {
    defaults = helmTemplate();
  });
  it.each(Object.keys(variants))(
    '%s: every object validates against its schema, once, with valid names and the standard labels',
    (variant) => {
      const objects = helmTemplate(...variants[variant]);
      expect(objects.length).toBeGreaterThan(0);
      for (const obj of objects) {
        expect(() => validateAgainstSchema(obj)).not.toThrow();
        expect(obj.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        expect(obj.metadata.labels).toMatchObject({
          'app.kubernetes.io/name': expect.any(String),
          'app.kubernetes.io/instance': variants[variant][1]?.release ?? 'mcp-gateway',
          'app.kubernetes.io/managed-by': 'Helm',
          'helm.sh/chart': `${chart.name}-${chart.version}`,
        });
        for (const value of Object.values(obj.metadata.labels ?? {}))
          expect(value).toMatch(/^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]?$/);
      }
      expect(new Set(objects.map(key)).size).toBe(objects.length);
    },
  );

  it.each(Object.keys(variants))(
    '%s: reads no value that is not set (strict, as `helm lint --strict`)',
    (variant) => {
      const [override, options] = variants[variant];
      expect(renderChart(override, { ...options, strict: true })).toMatchObject({ status: 0, stderr: '' });
    },
  );

  it('defaults: the objects of the kustomize base, and the migration Job', () => {
    expect(defaults.map(key).sort()).toEqual([
      'ConfigMap/mcp-gateway-config',
      'Deployment/mcp-gateway',
      'HorizontalPodAutoscaler/mcp-gateway',
      'Job/mcp-gateway-migrate',
      'NetworkPolicy/mcp-gateway',
      'PodDisruptionBudget/mcp-gateway',
      'Service/mcp-gateway',
    ]);
    expect(helmTemplate(everythingOn).map(key)).toContain('ServiceMonitor/mcp-gateway');
  });

  it('everything off: ConfigMap, Deployment and Service; replicas from replicaCount; pods migrate at boot', () => {
    const objects = helmTemplate(everythingOff);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
    expect(only(objects, 'Deployment').spec.replicas).toBe(values.replicaCount);
    expect(only(objects, 'ConfigMap').data.MREG_MIGRATE_ON_BOOT).toBe('true');
    // With the HPA on, the Deployment leaves replicas to it.
    expect(only(defaults, 'Deployment').spec.replicas).toBeUndefined();
    expect(only(defaults, 'ConfigMap').data.MREG_MIGRATE_ON_BOOT).toBe('false');
  });

  it('the migration Job is a pre-install,pre-upgrade hook; post-install when the PostgreSQL is bundled', () => {
    const hookOf = (objects: K8sObject[]) =>
      only(objects, 'Job').metadata.annotations as Record<string, string>;
    expect(hookOf(defaults)).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    });
    expect(hookOf(helmTemplate({ postgresql: { enabled: true } }))['helm.sh/hook']).toBe(
      'post-install,pre-upgrade',
    );
  });

  it('values.schema.json refuses invalid values before anything renders, as Helm does', () => {
    const refusal = (override: object) => {
      const result = renderChart(override);
      expect(result.status).not.toBe(0);
      return result.stderr;
    };
    expect(refusal({ replicaCount: 'three' })).toMatch(/replicaCount: Invalid type/);
    expect(refusal({ config: { MREG_ENCRYPTION_KEY: 'x' } })).toMatch(/config/);
    expect(refusal({ config: { MREG_DB_POOL_SIZE: 10 } })).toMatch(/config.MREG_DB_POOL_SIZE/);
    expect(refusal({ existingSecret: '' })).toMatch(/existingSecret/);
    expect(refusal({ securityContext: { readOnlyRootFilesystem: false } })).toMatch(/readOnlyRootFilesystem/);
    expect(refusal({ replicas: 3 })).toMatch(/Additional property replicas/);
    expect(refusal({ resources: { requests: { cpu: 'lots', memory: '1Gi' } } })).toMatch(/cpu/);
  });

  it('like Helm, refuses a chart whose dependencies are not vendored (`helm dependency build`), enabled or not', () => {
    const result = renderChart({}, { skipDependencyCheck: false });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/missing in charts\/ directory: postgresql, redis/);
  });

  it('a changed config rolls the pods: the pod template carries the ConfigMap checksum', () => {
    const checksum = (override: object) =>
      only(helmTemplate(override), 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(checksum({})).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ config: { MREG_LOG_LEVEL: 'debug' } })).not.toBe(checksum({}));
    expect(checksum({ replicaCount: 5 })).toBe(checksum({}));
  });

  it('names follow the release and nameOverride; the image tag defaults to appVersion', () => {
    const objects = helmTemplate(...variants['another release, namespace and names']);
    const deployment = only(objects, 'Deployment');
    expect(deployment.metadata.name).toBe('team-a-mcp');
    expect(containersOf(deployment)[0].envFrom).toEqual([
      { configMapRef: { name: 'team-a-mcp-config' } },
      { secretRef: { name: values.existingSecret } },
    ]);
    expect(containersOf(deployment)[0].image).toBe(`${values.image.repository}:9.9.9`);
    expect(containersOf(only(defaults, 'Deployment'))[0].image).toBe(
      `${values.image.repository}:${chart.appVersion}`,
    );
  });

  // Where a Helm binary exists, it is the judge: lint, and the same objects from `helm template`. The declared
  // subcharts cannot be fetched here, so both run on a copy without the (disabled) dependencies.
  (hasHelm ? it : it.skip)('helm lint passes and `helm template` renders what helm-render renders', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'chart-')), basename(chartDir));
    cpSync(chartDir, copy, { recursive: true });
    writeFileSync(join(copy, 'Chart.yaml'), stringify({ ...chart, dependencies: undefined }));
    const lint = spawnSync('helm', ['lint', '--strict', copy], { encoding: 'utf8' });
    expect(lint.status).toBe(0);
    for (const override of [{}, everythingOn, everythingOff]) {
      const valuesFile = join(copy, '..', 'values.json');
      writeFileSync(valuesFile, JSON.stringify(override));
      const helm = spawnSync(
        'helm',
        ['template', 'mcp-gateway', copy, '-f', valuesFile, '--kube-version', '1.30.0'],
        {
          encoding: 'utf8',
        },
      );
      expect(helm.stderr).toBe('');
      const sorted = (objects: K8sObject[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sorted(parseManifests(helm.stdout, 'helm template'))).toEqual(sorted(helmTemplate(override)));
    }
  });
});
