import { envVarsOf } from '../../src/config/env-var.decorator.js';
import { GatewayEnv } from '../../src/config/gateway-env.js';
import { loadConfig } from '../../src/config/load-config.js';
import {
  containersOf,
  effectiveEnv,
  exampleSecretValues,
  healthRoutes,
  only,
  type Plain,
  selects,
  shutdownBudget,
} from './k8s-fixtures.js';
import { type K8sObject } from './kustomize.js';
import { canRenderChart, helmTemplate, variants } from './helm.js';

/**
 * The chart against the application, in every shape it renders (as k8s-app-contract.spec.ts does for the kustomize
 * renderings): the variables it sets are ones the app reads, secret ones never in the ConfigMap, the configuration
 * the pods and the migration Job start with passes the gateway's validation (with the bundled PostgreSQL and Redis
 * too, whose URLs the kubelet assembles from the subcharts' Secrets), and port, probes and shutdown budget fit.
 */
const describeRendered = canRenderChart ? describe : describe.skip;
const declared = new Map(envVarsOf(GatewayEnv).map((d) => [d.name, d]));

/** What the bundled subcharts' generated Secrets would hold (URL-safe, as the Bitnami charts generate them). */
const bundledSecretValues: Record<string, string> = {
  password: 'generatedPostgresPassword1',
  'redis-password': 'generatedRedisPassword1',
};

/** The environment a container starts with, `$(VAR)` references expanded and secretKeyRefs resolved as above. */
function startEnvironment(objects: K8sObject[], container: Plain, secret: Record<string, string>) {
  const env = effectiveEnv(objects, { ...container, env: [] }, secret);
  for (const variable of (container.env ?? []) as Plain[]) {
    env[variable.name] = variable.valueFrom
      ? bundledSecretValues[variable.valueFrom.secretKeyRef.key as string]
      : String(variable.value).replace(/\$\((\w+)\)/g, (reference, name: string) => env[name] ?? reference);
  }
  return env;
}

describeRendered.each(Object.keys(variants))('Helm chart (%s) against the app', (variant) => {
  const isBundled = variant === 'bundled PostgreSQL and Redis';
  // With the bundled databases the existing Secret needs no URLs: the chart's own env wins over envFrom anyway.
  const secret = isBundled
    ? { ...exampleSecretValues, MREG_DATABASE_URL: '', MREG_REDIS_URL: '' }
    : exampleSecretValues;
  let objects: K8sObject[];
  let deployment: Plain;
  let container: Plain;
  let workloads: Plain[];
  let env: Record<string, string>;
  beforeAll(() => {
    objects = helmTemplate(...variants[variant]);
    deployment = only(objects, 'Deployment');
    [container] = containersOf(deployment);
    workloads = [deployment, ...objects.filter((o) => o.kind === 'Job')];
    env = startEnvironment(objects, container, secret);
  });

  it('sets only variables the app declares, and no secret one outside the Secret', () => {
    const configMap = only(objects, 'ConfigMap');
    const chartSet = [
      ...Object.keys(configMap.data as object),
      ...workloads.flatMap((w) =>
        containersOf(w).flatMap((c) => ((c.env ?? []) as Plain[]).map((e) => e.name)),
      ),
    ];
    // OTEL_* are read by OpenTelemetry's SDK; BUNDLED_* only carry a subchart password into a URL.
    const helper = (name: string) => name.startsWith('OTEL_') || name.startsWith('BUNDLED_');
    expect(chartSet.filter((name) => !declared.has(name) && !helper(name))).toEqual([]);
    const secretKind = (name: string) => (helper(name) ? 'none' : declared.get(name)!.secret);
    expect(Object.keys(configMap.data as object).filter((name) => secretKind(name) !== 'none')).toEqual([]);
    for (const workload of workloads)
      for (const variable of (containersOf(workload)[0].env ?? []) as Plain[])
        if (variable.value !== undefined && secretKind(variable.name as string) === 'full')
          throw new Error(`${variable.name} is given in clear on ${workload.kind}`);
  });

  it('starts pods and the migration Job with a configuration the gateway accepts', () => {
    for (const workload of workloads) {
      const { config } = loadConfig(startEnvironment(objects, containersOf(workload)[0], secret), {
        dotenvDir: false,
      });
      expect(config).toMatchObject({
        nodeEnv: 'production',
        http: { host: '0.0.0.0', port: 8000 },
        dataDir: '/data',
        database: { kind: 'postgres' },
        auth: { mode: 'entra' },
      });
    }
    if (isBundled) {
      expect(env.MREG_DATABASE_URL).toBe(
        'postgres://mreg:generatedPostgresPassword1@mcp-gateway-postgresql:5432/mreg',
      );
      expect(env.MREG_REDIS_URL).toBe('redis://:generatedRedisPassword1@mcp-gateway-redis-master:6379');
    }
  });

  it('listens where the container port, the Service and MREG_PORT agree, and probes routes the app serves', () => {
    const http = (container.ports as Plain[]).find((port) => port.name === 'http')!;
    expect(Number(env.MREG_PORT)).toBe(http.containerPort);
    const service = only(objects, 'Service');
    expect(service.spec.ports).toEqual([expect.objectContaining({ targetPort: 'http' })]);
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(healthRoutes).toEqual(expect.arrayContaining(['/health', '/ready']));
    expect(container.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
  });

  it('gives shutdown its budget: preStop, readiness delay, drain timeout and closing fit the grace period', () => {
    const { preStop, neededSeconds } = shutdownBudget(container, env);
    expect(preStop[0]).toBe('sleep');
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(neededSeconds);
  });

  it('migrates exactly once: by the hook Job, or at boot when the Job is disabled', () => {
    const job = objects.find((o) => o.kind === 'Job') as Plain | undefined;
    expect(env.MREG_MIGRATE_ON_BOOT).toBe(job ? 'false' : 'true');
    if (job) {
      expect(containersOf(job)[0].args).toEqual(['migrate', 'run']);
      expect(containersOf(job)[0].image).toBe(container.image);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
    }
  });
});
