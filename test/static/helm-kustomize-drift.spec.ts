import {
  containersOf,
  effectiveEnv,
  exampleSecretValues,
  only,
  type Plain,
  renderings,
  selects,
} from './k8s-fixtures.js';
import { type K8sObject } from './kustomize.js';
import { canRenderChart, everythingOff, everythingOn, helmTemplate } from './helm.js';

/**
 * One set of settings, two renderers: the chart's defaults against the kustomize prod overlay (the base, migrations by
 * a Job, never at boot), field by field: environment, ports, probes, shutdown, security, resources, volumes,
 * scaling, disruption budget, network policy, migration Job and scrape config. Names and labels differ on purpose
 * (Helm's release labels); every selector is instead checked to select the pods it is meant for.
 */
const describeRendered = canRenderChart ? describe : describe.skip;

describeRendered('Helm chart against the kustomize prod overlay', () => {
  let chart: K8sObject[];
  beforeAll(() => {
    chart = helmTemplate(everythingOn);
  });
  const kustomize = renderings.prod;
  const podLabelsOf = (objects: K8sObject[], kind: string): Record<string, string> =>
    only(objects, kind).spec.template.metadata.labels as Record<string, string>;

  /** `spec` with every selector checked against `podLabels` and replaced by a marker, for comparing the rest. */
  function withCheckedSelectors(spec: unknown, podLabels: Record<string, string>): unknown {
    if (Array.isArray(spec)) return spec.map((item) => withCheckedSelectors(item, podLabels));
    if (spec === null || typeof spec !== 'object') return spec;
    return Object.fromEntries(
      Object.entries(spec as Plain).map(([field, value]) => {
        if (!['selector', 'podSelector', 'labelSelector'].includes(field))
          return [field, withCheckedSelectors(value, podLabels)];
        const labels = ((value as Plain).matchLabels ?? value) as Record<string, string>;
        expect({ field, selects: selects(labels, podLabels) }).toEqual({ field, selects: true });
        return [field, '<selects the pods>'];
      }),
    );
  }
  const specOf = (objects: K8sObject[], kind: string, podKind = 'Deployment') =>
    withCheckedSelectors(only(objects, kind).spec, podLabelsOf(objects, podKind));

  const containerFields = [
    'args',
    'image',
    'imagePullPolicy',
    'ports',
    'startupProbe',
    'livenessProbe',
    'readinessProbe',
    'lifecycle',
    'securityContext',
    'resources',
    'volumeMounts',
  ];
  const pick = (obj: Plain, fields: string[]) =>
    Object.fromEntries(fields.filter((f) => obj[f] !== undefined).map((f) => [f, obj[f]]));

  it('Deployment: the same container (image, args, port, probes, preStop, security context, resources, mounts)', () => {
    const [ours] = containersOf(only(chart, 'Deployment'));
    const [theirs] = containersOf(only(kustomize, 'Deployment'));
    expect(pick(ours, containerFields)).toEqual(pick(theirs, containerFields));
    expect(Object.keys(pick(theirs, containerFields))).toEqual(containerFields);
  });

  it('Deployment: the same environment, from the ConfigMap and the same Secret', () => {
    const envOf = (objects: K8sObject[], kind: string) =>
      effectiveEnv(objects, containersOf(only(objects, kind))[0], exampleSecretValues);
    expect(envOf(chart, 'Deployment')).toEqual(envOf(kustomize, 'Deployment'));
    expect(envOf(chart, 'Job')).toEqual(envOf(kustomize, 'Job'));
    expect(envOf(chart, 'Deployment').MREG_MIGRATE_ON_BOOT).toBe('false');
  });

  it('Deployment: the same pod settings, rollout strategy and spread', () => {
    const podFields = [
      'terminationGracePeriodSeconds',
      'automountServiceAccountToken',
      'enableServiceLinks',
      'securityContext',
      'topologySpreadConstraints',
      'volumes',
    ];
    const ours = specOf(chart, 'Deployment') as Plain;
    const theirs = specOf(kustomize, 'Deployment') as Plain;
    expect(pick(ours.template.spec, podFields)).toEqual(pick(theirs.template.spec, podFields));
    expect(Object.keys(pick(theirs.template.spec, podFields))).toEqual(podFields);
    expect(ours.strategy).toEqual(theirs.strategy);
    expect(ours.revisionHistoryLimit).toEqual(theirs.revisionHistoryLimit);
  });

  it('scaling: replicaCount is the base replicas, and the HPA is the same (the HPA owns replicas when on)', () => {
    expect(only(helmTemplate(everythingOff), 'Deployment').spec.replicas).toBe(
      only(renderings.base, 'Deployment').spec.replicas,
    );
    expect(only(chart, 'HorizontalPodAutoscaler').spec).toEqual(
      only(kustomize, 'HorizontalPodAutoscaler').spec,
    );
  });

  it.each(['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceMonitor'])(
    '%s: the same spec, its selector selecting the gateway pods',
    (kind) => {
      expect(specOf(chart, kind)).toEqual(specOf(kustomize, kind));
    },
  );

  it('NetworkPolicy covers the migration Job too (same egress to PostgreSQL)', () => {
    const policy = only(chart, 'NetworkPolicy');
    expect(selects(policy.spec.podSelector.matchLabels, podLabelsOf(chart, 'Job'))).toBe(true);
  });

  it('migration Job: the same container, pod and limits as the prod overlay Job', () => {
    const ours = specOf(chart, 'Job', 'Job') as Plain;
    const theirs = specOf(kustomize, 'Job', 'Job') as Plain;
    const jobFields = ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'];
    expect(pick(ours, jobFields)).toEqual(pick(theirs, jobFields));
    const withoutContainers = (pod: Plain) => ({ ...pod, containers: undefined });
    expect(withoutContainers(ours.template.spec)).toEqual(withoutContainers(theirs.template.spec));
    const fields = containerFields.filter((f) => f !== 'imagePullPolicy');
    expect(pick(ours.template.spec.containers[0], fields)).toEqual(
      pick(theirs.template.spec.containers[0], fields),
    );
  });
});
