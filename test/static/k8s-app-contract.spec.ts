import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  type RenderingName,
  renderings,
  root,
  secretTemplate,
  selects,
  shutdownBudget,
} from './k8s-fixtures.js';

/**
 * The manifests against the application they deploy: ports, probe paths, environment variable names and values,
 * the shutdown budget, and the security settings the image was built for.
 */
const declared = new Map(envVarsOf(GatewayEnv).map((d) => [d.name, d]));
const defaults = new GatewayEnv();

/** The numeric uid the image runs as. */
const imageUser = Number(/^USER (\d+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1]);

describe.each(Object.keys(renderings) as RenderingName[])('%s rendering against the app', (name) => {
  const objects = renderings[name];
  const deployment = only(objects, 'Deployment');
  const pod = deployment.spec.template.spec as Plain;
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
  const [container] = containersOf(deployment);
  const env = effectiveEnv(objects, container, exampleSecretValues);
  const workloads = [deployment, ...objects.filter((o) => o.kind === 'Job')];

  it('listens on the port the container, Service, NetworkPolicy and app default agree on', () => {
    expect(containersOf(deployment)).toHaveLength(1);
    const http = (container.ports as Plain[]).find((port) => port.name === 'http')!;
    expect(http.containerPort).toBe(8000);
    expect(defaults.MREG_PORT).toBe(8000);
    expect(Number(env.MREG_PORT ?? defaults.MREG_PORT)).toBe(8000);
    const service = only(objects, 'Service');
    expect(service.spec.ports).toEqual([
      expect.objectContaining({ name: 'http', port: 8000, targetPort: 'http' }),
    ]);
    expect(selects(service.spec.selector, podLabels)).toBe(true);
    const policy = only(objects, 'NetworkPolicy');
    expect(selects(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 8000, protocol: 'TCP' }] }]);
    const egress = (policy.spec.egress as Plain[]).flatMap((rule) => rule.ports as Plain[]);
    expect(egress.map((p) => `${p.port}/${p.protocol}`).sort()).toEqual(
      ['443/TCP', '5432/TCP', '53/TCP', '53/UDP', '6379/TCP'].sort(),
    );
  });

  it('probes routes the app serves: liveness and startup /health, readiness /ready', () => {
    expect(healthRoutes).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
    expect(container.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
  });

  it('sets only variables the app declares: non-secret ones in the ConfigMap, secret ones in the Secret', () => {
    const configMap = only(objects, 'ConfigMap');
    const names = [
      ...Object.keys(configMap.data as object),
      ...Object.keys(secretTemplate.stringData as object),
      ...workloads.flatMap((w) =>
        containersOf(w).flatMap((c) => ((c.env ?? []) as Plain[]).map((e) => e.name)),
      ),
    ];
    // OpenTelemetry's own variables (OTEL_*) are read by its SDK, not declared by the gateway.
    const standard = (n: string) => n.startsWith('OTEL_');
    expect(names.filter((n) => !declared.has(n) && !standard(n))).toEqual([]);
    const secretKind = (n: string) => (standard(n) ? 'none' : declared.get(n)!.secret);
    expect(Object.keys(configMap.data as object).filter((n) => secretKind(n) !== 'none')).toEqual([]);
    expect(Object.keys(secretTemplate.stringData as object).filter((n) => secretKind(n) === 'none')).toEqual(
      [],
    );
    expect(Object.keys(exampleSecretValues).sort()).toEqual(
      Object.keys(secretTemplate.stringData as object).sort(),
    );
  });

  it('passes the gateway configuration validation once the Secret holds real values', () => {
    for (const workload of workloads) {
      const { config } = loadConfig(effectiveEnv(objects, containersOf(workload)[0], exampleSecretValues), {
        dotenvDir: false,
      });
      expect(config).toMatchObject({
        nodeEnv: 'production',
        http: { host: '0.0.0.0', port: 8000, publicUrl: expect.stringMatching(/^https:\/\//) },
        dataDir: '/data',
        database: { kind: 'postgres' },
        redisUrl: expect.stringMatching(/^rediss?:\/\//),
        auth: { mode: 'entra' },
      });
    }
  });

  it('gives shutdown its whole budget: preStop, readiness delay, drain timeout and closing fit the grace period', () => {
    const { preStop, delayMs, timeoutMs, neededSeconds } = shutdownBudget(container, env);
    expect(preStop[0]).toBe('sleep');
    expect(timeoutMs).toBeGreaterThanOrEqual(defaults.MREG_SHUTDOWN_TIMEOUT_MS);
    expect(delayMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(neededSeconds);
  });

  it('runs non-root with a read-only root file system, no privileges, and writable /data and /tmp', () => {
    for (const workload of workloads) {
      const spec = workload.spec.template.spec as Plain;
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: imageUser,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of containersOf(workload)) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        const mounts = Object.fromEntries((c.volumeMounts as Plain[]).map((m) => [m.mountPath, m.name]));
        const volumes = Object.fromEntries((spec.volumes as Plain[]).map((v) => [v.name, v]));
        expect(volumes[mounts['/data']].emptyDir).toBeDefined();
        expect(volumes[mounts['/tmp']].emptyDir).toBeDefined();
      }
    }
    expect(imageUser).toBeGreaterThan(0);
  });

  it('scales with an HPA on the Deployment, spreads pods and limits disruptions', () => {
    const hpa = only(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'mcp-gateway',
    });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(container.resources.requests.cpu).toBeDefined(); // CPU utilization needs a request
    expect(selects(only(objects, 'PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    const spread = pod.topologySpreadConstraints as Plain[];
    expect(spread.map((c) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const constraint of spread)
      expect(selects(constraint.labelSelector.matchLabels, podLabels)).toBe(true);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
  });
});

describe('overlays', () => {
  const deploymentOf = (name: RenderingName) => only(renderings[name], 'Deployment');
  const envOf = (name: RenderingName) =>
    effectiveEnv(renderings[name], containersOf(deploymentOf(name))[0], exampleSecretValues);

  it('prod: 3 replicas, migrations by a Job running `mcp-gateway migrate run` with the same image, never at boot', () => {
    expect(deploymentOf('base').spec.replicas).toBe(3);
    expect(deploymentOf('prod').spec.replicas).toBe(3);
    expect(envOf('prod').MREG_MIGRATE_ON_BOOT).toBe('false');
    const job = only(renderings.prod, 'Job');
    const [migrate] = containersOf(job);
    expect(migrate.args).toEqual(['migrate', 'run']);
    expect(migrate.image).toBe(containersOf(deploymentOf('prod'))[0].image);
    expect(migrate.envFrom).toEqual(containersOf(deploymentOf('prod'))[0].envFrom);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // The CLI has that command: `migrate [action]` with a `run` action.
    const command = readFileSync(join(root, 'src/cli/migrate.command.ts'), 'utf8');
    expect(command).toMatch(/name: 'migrate'/);
    expect(command).toMatch(/'run'/);
  });

  it('prod: Prometheus scrapes /metrics on the http port of the Service', () => {
    const monitor = only(renderings.prod, 'ServiceMonitor');
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const service = only(renderings.prod, 'Service');
    expect(selects(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(healthRoutes).toContain('/metrics');
  });

  it('dev: one replica that applies migrations itself', () => {
    expect(deploymentOf('dev').spec.replicas).toBe(1);
    expect(envOf('dev').MREG_MIGRATE_ON_BOOT).not.toBe('false');
    expect(renderings.dev.some((o) => o.kind === 'Job')).toBe(false);
  });

  it('overlays pin a registry image with a tag', () => {
    for (const name of ['dev', 'prod'] as const)
      expect(containersOf(deploymentOf(name))[0].image).toMatch(/^[\w.-]+\/[\w./-]+:[\w.-]+$/);
  });
});
