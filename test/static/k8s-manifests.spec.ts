import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type ConfigValidationError, loadConfig } from '../../src/config/load-config.js';
import { k8sDir, renderings, secretTemplate, secretTemplateFile } from './k8s-fixtures.js';
import { validateAgainstSchema as validate } from './k8s-schemas.js';
import { type K8sObject, readKustomization } from './kustomize.js';

/**
 * The Kubernetes manifests, statically: every object of every rendering (base, dev, prod) validates against the
 * Kubernetes and Prometheus Operator schemas, the renderer agrees with `kubectl kustomize` where kubectl exists,
 * every manifest file is used, and the Secret template holds placeholders the gateway refuses to start with.
 */
const key = (obj: K8sObject) => `${obj.kind}/${obj.metadata.name}`;
const yamlFilesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFilesUnder(path) : name.endsWith('.yaml') ? [path] : [];
  });
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('Kubernetes manifests', () => {
  it.each(Object.keys(renderings) as (keyof typeof renderings)[])(
    '%s: every object validates against its schema',
    (name) => {
      for (const obj of renderings[name]) expect(() => validate(obj)).not.toThrow();
    },
  );

  it('validates the Secret template too, and the validator does reject invalid objects', () => {
    expect(() => validate(secretTemplate)).not.toThrow();
    const deployment = renderings.prod.find((o) => o.kind === 'Deployment')!;
    expect(() =>
      validate({ ...deployment, spec: { ...(deployment.spec as object), replicas: 'three' } }),
    ).toThrow();
    expect(() => validate({ ...deployment, spec: { replicas: 3 } })).toThrow(/selector|template/);
  });

  it('renders each overlay with the expected objects, in its own namespace', () => {
    expect(renderings.prod.map(key).sort()).toEqual([
      'ConfigMap/mcp-gateway-config',
      'Deployment/mcp-gateway',
      'HorizontalPodAutoscaler/mcp-gateway',
      'Job/mcp-gateway-migrate',
      'NetworkPolicy/mcp-gateway',
      'PodDisruptionBudget/mcp-gateway',
      'PrometheusRule/mcp-gateway',
      'Service/mcp-gateway',
      'ServiceMonitor/mcp-gateway',
    ]);
    expect(renderings.dev.map(key).sort()).toEqual(
      renderings.base.map(key).sort(), // dev adds no objects: no Job (migrations at startup), no monitoring
    );
    expect(new Set(renderings.prod.map((o) => o.metadata.namespace))).toEqual(new Set(['mcp-gateway']));
    expect(new Set(renderings.dev.map((o) => o.metadata.namespace))).toEqual(new Set(['mcp-gateway-dev']));
  });

  (hasKubectl ? it : it.skip).each(['overlays/dev', 'overlays/prod'])(
    '%s renders exactly as `kubectl kustomize` renders it',
    (overlay) => {
      const result = spawnSync('kubectl', ['kustomize', join(k8sDir, overlay)], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const theirs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as K8sObject);
      const ours = renderings[overlay.split('/')[1] as 'dev' | 'prod'];
      const byKey = (a: K8sObject, b: K8sObject) => key(a).localeCompare(key(b));
      expect([...ours].sort(byKey)).toEqual([...theirs].sort(byKey));
    },
  );

  it('uses every manifest file, and keeps the Secret template out of every kustomization', () => {
    const used = new Set<string>();
    const visit = (dir: string) => {
      const kustomization = readKustomization(dir);
      used.add(join(dir, 'kustomization.yaml'));
      for (const entry of [...(kustomization.resources ?? []), ...(kustomization.components ?? [])]) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) visit(path);
        else used.add(path);
      }
      for (const patch of kustomization.patches ?? []) used.add(join(dir, patch.path));
    };
    visit(join(k8sDir, 'overlays/dev'));
    visit(join(k8sDir, 'overlays/prod'));
    const unused = yamlFilesUnder(k8sDir).filter((file) => !used.has(file));
    expect(unused.map((file) => relative(k8sDir, file))).toEqual([relative(k8sDir, secretTemplateFile)]);
    for (const rendering of Object.values(renderings))
      expect(rendering.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('Secret template: placeholders only, which the gateway refuses to start with', () => {
    const data = secretTemplate.stringData as Record<string, string>;
    expect(secretTemplate.data).toBeUndefined();
    for (const value of Object.values(data)) expect(value).toMatch(/^CHANGE_ME\b/);
    let problems: string[] = [];
    try {
      loadConfig(
        { NODE_ENV: 'production', MREG_PUBLIC_URL: 'https://gw.example.com', ...data },
        { dotenvDir: false },
      );
    } catch (error) {
      problems = (error as ConfigValidationError).problems.map((p) => p.variable);
    }
    expect(problems).toEqual(
      expect.arrayContaining(['MREG_DATABASE_URL', 'MREG_REDIS_URL', 'MREG_ENCRYPTION_KEY']),
    );
  });
});
