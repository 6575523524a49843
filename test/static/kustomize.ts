import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  components?: string[];
  patches?: { path: string }[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** The kustomization features this renderer implements; a file using anything else is refused, not half-rendered. */
const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'patches',
  'namespace',
  'images',
]);

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every YAML document of a `---` stream (empty ones left out); `source` names it in a parse error. */
export function parseManifests(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

/** Every YAML document of a file (empty ones left out). */
export function readManifests(file: string): K8sObject[] {
  return parseManifests(readFileSync(file, 'utf8'), file);
}

export function readKustomization(dir: string): Kustomization {
  const kustomization = readManifests(join(dir, 'kustomization.yaml'))[0] as unknown as Kustomization;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(`${dir}/kustomization.yaml: unsupported ${unsupported.join(', ')}`);
  return kustomization;
}

/**
 * Renders a kustomization directory the way `kubectl kustomize` does for the features above: resources (files and
 * directories), components, strategic-merge patches (lists of named items merged by name), images and namespace.
 */
export function kustomize(dir: string): K8sObject[] {
  const kustomization = readKustomization(dir);
  let objects = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? kustomize(path) : readManifests(path);
  });
  for (const component of kustomization.components ?? [])
    objects = applyComponent(join(dir, component), objects);
  return transform(dir, kustomization, objects);
}

function applyComponent(dir: string, objects: K8sObject[]): K8sObject[] {
  const component = readKustomization(dir);
  if (component.kind !== 'Component') throw new Error(`${dir} is not a kustomize Component`);
  return transform(dir, component, [
    ...objects,
    ...(component.resources ?? []).flatMap((resource) => readManifests(join(dir, resource))),
  ]);
}

function transform(dir: string, kustomization: Kustomization, objects: K8sObject[]): K8sObject[] {
  let result = objects;
  for (const { path } of kustomization.patches ?? []) {
    for (const patch of readManifests(join(dir, path))) {
      const matches = result.filter((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (matches.length !== 1)
        throw new Error(`${dir}/${path}: no single ${patch.kind} ${patch.metadata.name}`);
      result = result.map((o) => (o === matches[0] ? (merge(o, patch) as K8sObject) : o));
    }
  }
  for (const image of kustomization.images ?? []) result = result.map((o) => setImage(o, image));
  if (kustomization.namespace) {
    const namespace = kustomization.namespace;
    result = result.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
  }
  return result;
}

/** Strategic merge: maps merge, `null` deletes, lists of objects with a `name` merge by name, other lists replace. */
export function merge(target: unknown, patch: unknown): unknown {
  if (isPlain(target) && isPlain(patch)) {
    const result: Plain = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = key in target ? merge(target[key], value) : value;
    }
    return result;
  }
  const named = (list: unknown): list is Plain[] =>
    Array.isArray(list) && list.every((item) => isPlain(item) && typeof item.name === 'string');
  if (named(target) && named(patch)) {
    const result = target.map((item) => {
      const override = patch.find((p) => p.name === item.name);
      return override ? (merge(item, override) as Plain) : item;
    });
    return [...result, ...patch.filter((p) => !target.some((item) => item.name === p.name))];
  }
  return patch;
}

function setImage(obj: K8sObject, image: NonNullable<Kustomization['images']>[number]): K8sObject {
  const pod = podSpecOf(obj);
  if (!pod) return obj;
  const retag = (container: Plain) => {
    const current = String(container.image);
    const [name, tag] = current.split(/:(?=[^/:]+$)/);
    if (name !== image.name) return container;
    return { ...container, image: `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}` };
  };
  const spec = {
    ...pod,
    containers: (pod.containers as Plain[]).map(retag),
    ...(pod.initContainers ? { initContainers: (pod.initContainers as Plain[]).map(retag) } : {}),
  };
  return merge(obj, { spec: { template: { spec } } }) as K8sObject;
}

/** The pod spec of a workload (Deployment, Job, ...), if it has one. */
export function podSpecOf(obj: K8sObject): Plain | undefined {
  const template = (obj.spec as Plain | undefined)?.template as Plain | undefined;
  return template?.spec as Plain | undefined;
}
