import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayEnv } from '../../src/config/gateway-env.js';
import { type K8sObject, kustomize, podSpecOf, readManifests } from './kustomize.js';

export const root = join(__dirname, '../..');
export const k8sDir = join(root, 'deploy/k8s');
export const secretTemplateFile = join(k8sDir, 'base/secret.template.yaml');

/** Every kustomization an operator may apply (and the base they share), rendered. */
export const renderings: Record<'base' | 'dev' | 'prod', K8sObject[]> = {
  base: kustomize(join(k8sDir, 'base')),
  dev: kustomize(join(k8sDir, 'overlays/dev')),
  prod: kustomize(join(k8sDir, 'overlays/prod')),
};
export type RenderingName = keyof typeof renderings;

export const secretTemplate = readManifests(secretTemplateFile)[0];

export type Plain = Record<string, any>;

export function only(objects: K8sObject[], kind: string): Plain {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

export const containersOf = (obj: Plain): Plain[] =>
  (podSpecOf(obj as K8sObject)?.containers as Plain[] | undefined) ?? [];

/** The environment a container starts with: envFrom ConfigMaps/Secrets in order, then `env`. */
export function effectiveEnv(
  objects: K8sObject[],
  container: Plain,
  secretData: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of (container.envFrom ?? []) as Plain[]) {
    if (source.configMapRef) {
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === source.configMapRef.name);
      if (!map) throw new Error(`ConfigMap ${source.configMapRef.name} is not in the rendering`);
      Object.assign(env, (map as Plain).data);
    }
    if (source.secretRef) {
      if (source.secretRef.name !== secretTemplate.metadata.name)
        throw new Error(`Secret ${source.secretRef.name} has no template`);
      Object.assign(env, secretData);
    }
  }
  for (const variable of (container.env ?? []) as Plain[]) env[variable.name] = String(variable.value ?? '');
  return env;
}

/**
 * Values an operator would put into the Secret, valid for the gateway's validation. The keys are the template's
 * (the contract test checks that), the values are generated here and never written anywhere.
 */
export const exampleSecretValues: Record<string, string> = {
  MREG_DATABASE_URL: 'postgres://mreg:example@postgres.db.svc:5432/mreg',
  MREG_REDIS_URL: 'redis://:example@redis.db.svc:6379',
  MREG_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  MREG_AZURE_CLIENT_SECRET: 'example-client-secret',
  MREG_METRICS_TOKEN: 'example-metrics-scrape-token',
};

/** Whether every label of `selector` is on `labels`. */
export const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Routes of the health controller (`@Controller()` without prefix), e.g. '/health'. */
export const healthRoutes = [
  ...readFileSync(join(root, 'src/health/health.controller.ts'), 'utf8').matchAll(/@Get\('([^']+)'\)/g),
].map((match) => `/${match[1]}`);

const gatewayDefaults = new GatewayEnv();

/**
 * What stopping a container takes: its preStop sleep, then the gateway's readiness delay and drain timeout (`env`,
 * else the app's defaults), then 5 s to close (audit flush, health checks finishing, pools). The pod's
 * terminationGracePeriodSeconds must be at least `neededSeconds`.
 */
export function shutdownBudget(container: Plain, env: Record<string, string>) {
  const preStop = container.lifecycle.preStop.exec.command as string[];
  const delayMs = Number(env.MREG_SHUTDOWN_DELAY_MS ?? gatewayDefaults.MREG_SHUTDOWN_DELAY_MS);
  const timeoutMs = Number(env.MREG_SHUTDOWN_TIMEOUT_MS ?? gatewayDefaults.MREG_SHUTDOWN_TIMEOUT_MS);
  return {
    preStop,
    delayMs,
    timeoutMs,
    neededSeconds: Number(preStop[1]) + (delayMs + timeoutMs) / 1000 + 5,
  };
}
