import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './k8s-fixtures.js';
import { type K8sObject, parseManifests } from './kustomize.js';

/**
 * `helm template` for the chart, without a Helm binary (no registry this project reaches ships one): helm-render/ is
 * a small Go program on the engine Helm itself uses (text/template + sprig, Helm's include/toYaml/required, value
 * coalescing, values.schema.json validation with gojsonschema), built from Debian's Go packages, which .ci/run
 * installs: golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev
 * golang-github-xeipuuv-gojsonschema-dev. That it renders what Helm renders is checked only where a real `helm` is on
 * the PATH (helm-chart.spec.ts then compares the two), so never in this project's CI, which has none.
 */
export const chartDir = join(root, 'deploy/helm/mcp-gateway');
const debianGoPath = '/usr/share/gocode';

/** Whether this machine can build the renderer. CI must (.ci/run installs it); elsewhere the Helm specs skip. */
export const canRenderChart =
  spawnSync('go', ['version']).status === 0 &&
  existsSync(join(debianGoPath, 'src/github.com/Masterminds/sprig'));
if (!canRenderChart && process.env.CI)
  throw new Error('CI must render the Helm chart: install the Go packages named in test/static/helm.ts');

export const hasHelm = spawnSync('helm', ['version', '--short']).status === 0;

let renderer: string | undefined;
const rendererBinary = () => (renderer ??= build());
// Built on import, while Jest collects the tests: a cold build (~10 s) then meets no test timeout.
if (canRenderChart) rendererBinary();

/**
 * Builds helm-render in GOPATH mode: inside a GOPATH and beside its go.mod, so that Go resolves sprig's `/v3` import
 * paths to Debian's unversioned directories ("minimal module compatibility"). Nothing is downloaded.
 */
function build(): string {
  const gopath = mkdtempSync(join(tmpdir(), 'helm-render-'));
  const source = join(gopath, 'src/helm-render');
  mkdirSync(source, { recursive: true });
  for (const file of ['main.go', 'go.mod']) cpSync(join(__dirname, 'helm-render', file), join(source, file));
  const binary = join(gopath, 'helm-render');
  const result = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: source,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPATH: `${gopath}:${debianGoPath}`,
      GOPROXY: 'off',
      // Shared between runs and spec files (and set even where HOME is not, which `go build` needs otherwise).
      GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'helm-render-go-cache'),
    },
  });
  if (result.status !== 0) throw new Error(`building helm-render failed:\n${result.stderr}`);
  return binary;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Fail on any value a template reads that is not set (missingkey=error), as `helm lint --strict` renders. */
  strict?: boolean;
  /**
   * As if `helm dependency build` had run (default): the Bitnami subcharts are not in the repository, and Helm refuses
   * a chart whose dependencies are not vendored, enabled or not. Their own objects are not rendered either way.
   */
  skipDependencyCheck?: boolean;
}

export interface Rendering {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `helm template RELEASE deploy/helm/mcp-gateway -f <values>`: the raw result, failures included. */
export function renderChart(values: object = {}, options: RenderOptions = {}): Rendering {
  const binary = rendererBinary();
  const valuesFile = join(binary, '..', `values-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(valuesFile, JSON.stringify(values)); // JSON is YAML
  const args = ['-f', valuesFile, '-release', options.release ?? 'mcp-gateway'];
  if (options.namespace) args.push('-namespace', options.namespace);
  if (options.strict) args.push('-strict');
  if (options.skipDependencyCheck ?? true) args.push('-skip-dependency-check');
  const result = spawnSync(binary, [...args, chartDir], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The objects the chart renders with `values` over values.yaml; throws with Helm's message when it refuses. */
export function helmTemplate(values: object = {}, options: RenderOptions = {}): K8sObject[] {
  const result = renderChart(values, options);
  if (result.status !== 0) throw new Error(result.stderr);
  return parseManifests(result.stdout, 'helm-render');
}

/** Every optional object on: HPA, PDB and NetworkPolicy (on by default), ServiceMonitor and the migration Job. */
export const everythingOn = {
  autoscaling: { enabled: true },
  podDisruptionBudget: { enabled: true },
  networkPolicy: { enabled: true },
  serviceMonitor: { enabled: true },
  migration: { enabled: true },
};
/** Every optional object off. */
export const everythingOff = {
  autoscaling: { enabled: false },
  podDisruptionBudget: { enabled: false },
  networkPolicy: { enabled: false },
  serviceMonitor: { enabled: false },
  migration: { enabled: false },
};

/**
 * The shapes the Helm specs render the chart in, by name: values over values.yaml, and release options. Each is
 * checked against the schemas (helm-chart.spec.ts) and against the app (helm-app-contract.spec.ts).
 */
export const variants: Record<string, [object, RenderOptions?]> = {
  defaults: [{}],
  'everything on': [everythingOn],
  'everything off': [everythingOff],
  'bundled PostgreSQL and Redis': [{ postgresql: { enabled: true }, redis: { enabled: true } }],
  'another release, namespace and names': [
    { nameOverride: 'mcp', image: { tag: '9.9.9' } },
    { release: 'team-a', namespace: 'gateways' },
  ],
};
