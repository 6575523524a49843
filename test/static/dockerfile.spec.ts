import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type Copy, DockerfileParser, type Instruction, type Label } from 'dockerfile-ast';
import { GatewayEnv } from '../../src/config/gateway-env.js';
import { DockerIgnore } from './dockerignore.js';

/**
 * No Docker engine runs here, so the Dockerfile is checked statically: stages, base image, user, port, health
 * check, labels, and that everything the runtime stage copies exists: from the build stage only what that stage
 * copies in or produces (npm ci, npm run build), from the build context only files `.dockerignore` lets through.
 */
const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const dockerfile = DockerfileParser.parse(read('Dockerfile'));
const froms = dockerfile.getFROMs();
const instructions = dockerfile.getInstructions();
const runtimeStart = instructions.indexOf(froms[1]);
const buildStage = instructions.slice(0, runtimeStart);
const runtimeStage = instructions.slice(runtimeStart);
const ignore = new DockerIgnore(read('.dockerignore'));
const packageJson = JSON.parse(read('package.json')) as { version: string; scripts: Record<string, string> };

const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.getKeyword() === keyword);
const copies = (stage: Instruction[]) => find(stage, 'COPY') as Copy[];
/** Sources and destination of a COPY, flags (--from, --chown) left out. */
const pathsOf = (copy: Copy) => {
  const args = copy.getArguments().map((arg) => arg.getValue());
  return { sources: args.slice(0, -1), destination: args[args.length - 1] };
};
const runText = (stage: Instruction[]) => find(stage, 'RUN').map((run) => run.getArgumentsContent() ?? '');
const workdir = (stage: Instruction[]) => find(stage, 'WORKDIR')[0].getArgumentsContent() ?? '/';
/** Where a COPY puts one source, as an absolute path in the image. */
const target = (stage: Instruction[], source: string, destination: string) => {
  const dir = posix.resolve(workdir(stage), destination);
  return destination.endsWith('/') ? posix.join(dir, posix.basename(source)) : dir;
};
/** The sources the build stage copies in before the RUN whose arguments are `run`. */
const copiedBefore = (run: string) => {
  const upTo = buildStage.indexOf(find(buildStage, 'RUN').find((r) => r.getArgumentsContent() === run)!);
  return copies(buildStage.slice(0, upTo)).flatMap((copy) => pathsOf(copy).sources);
};
const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = posix.join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesUnder(path) : [path];
  });
/** compilerOptions resolved through `extends`, as tsc sees them. */
const tsconfig = (file: string): { include?: string[]; compilerOptions: Record<string, unknown> } => {
  const config = JSON.parse(read(file)) as {
    extends?: string;
    include?: string[];
    compilerOptions?: Record<string, unknown>;
  };
  const base = config.extends ? tsconfig(config.extends) : { compilerOptions: {} };
  return {
    include: config.include ?? base.include,
    compilerOptions: { ...base.compilerOptions, ...config.compilerOptions },
  };
};

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage, both on Node 24', () => {
    expect(froms.map((from) => [from.getImageName(), from.getBuildStage()])).toEqual([
      ['node', 'build'],
      ['node', 'runtime'],
    ]);
    for (const from of froms) expect(from.getImageTag()).toMatch(/^24(\.|-|$)/);
  });

  it('installs from the lock file, compiles everything tsconfig.build.json includes, then prunes dev dependencies', () => {
    const runs = runText(buildStage);
    const ci = runs.findIndex((run) => /\bnpm ci\b/.test(run));
    const build = runs.findIndex((run) => /\bnpm run build\b/.test(run));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
    expect(runs[build]).toMatch(/npm run build && npm prune --omit=dev/);
    expect(packageJson.scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);

    expect(copiedBefore(runs[ci])).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    const buildInputs = [
      'tsconfig.json',
      'tsconfig.build.json',
      ...(tsconfig('tsconfig.build.json').include ?? []),
    ];
    expect(copiedBefore(runs[build])).toEqual(expect.arrayContaining(buildInputs));
  });

  it('builds the admin console into dist/ from admin/, which the build stage copies in first', () => {
    // `npm run build` runs vite with admin/vite.config.ts, whose outDir is dist/console: the runtime's dist has it.
    expect(packageJson.scripts.build).toMatch(/vite build --config admin\/vite\.config\.ts/);
    expect(read('admin/vite.config.ts')).toContain("'../dist/console'");
    const build = runText(buildStage).find((run) => /\bnpm run build\b/.test(run))!;
    expect(copiedBefore(build)).toContain('admin');
    expect(ignore.excludes('admin/src/main.tsx')).toBe(false);
    expect(copies(runtimeStage).some((copy) => pathsOf(copy).sources.includes('/app/dist'))).toBe(true);
  });

  it('copies from the build stage only what that stage copied in or produced', () => {
    const { outDir, rootDir } = tsconfig('tsconfig.build.json').compilerOptions as {
      outDir: string;
      rootDir: string;
    };
    const app = workdir(buildStage);
    const produced = new Set<string>([
      ...copies(buildStage).flatMap((copy) => {
        const { sources, destination } = pathsOf(copy);
        return sources.map((source) => target(buildStage, source, destination));
      }),
      ...(runText(buildStage).some((run) => /\bnpm ci\b/.test(run)) ? [posix.join(app, 'node_modules')] : []),
      ...(runText(buildStage).some((run) => /\bnpm run build\b/.test(run))
        ? [posix.resolve(app, outDir)]
        : []),
    ]);
    const fromBuild = copies(runtimeStage).filter((copy) => copy.getFromFlag() !== null);
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const copy of fromBuild) {
      expect(copy.getFromFlag()?.getValue()).toBe('build');
      for (const source of pathsOf(copy).sources) expect([...produced]).toContain(source);
    }
    // The CLI entry point loads the compiled CLI from dist/, which tsc writes from src/ (rootDir '.').
    const entry = /import\('\.\.\/(dist\/[^']+)'\)/.exec(read('bin/mcp-gateway.js'))?.[1];
    expect(entry).toBe(posix.join(outDir, 'src/cli/main.js'));
    expect(rootDir).toBe('.');
    expect(existsSync(join(root, 'src/cli/main.ts'))).toBe(true);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const plain = [...copies(buildStage), ...copies(runtimeStage)].filter(
      (copy) => copy.getFromFlag() === null,
    );
    for (const { sources } of plain.map(pathsOf)) {
      for (const source of sources) {
        expect(existsSync(join(root, source))).toBe(true);
        const isDir = statSync(join(root, source)).isDirectory();
        // Inside a directory only test files may stay out of the context (tsconfig.build.json skips them anyway).
        const needed = isDir ? filesUnder(source).filter((file) => !file.endsWith('.spec.ts')) : [source];
        expect(needed.filter((file) => ignore.excludes(file))).toEqual([]);
      }
    }
  });

  it('keeps local state, secrets, build output and the deploy manifests out of the build context', () => {
    for (const path of [
      'node_modules',
      'dist/src/main.js',
      '.env',
      '.git/HEAD',
      '.mcp-gateway/keys',
      'deploy/k8s',
    ])
      expect(ignore.excludes(path)).toBe(true);
  });

  it('runs as a non-root numeric user that owns the /data volume, the only place it writes', () => {
    const user = find(runtimeStage, 'USER')[0].getArgumentsContent() ?? '';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(runText(runtimeStage).join('\n')).toContain(`chown ${user} /data`);
    expect(find(runtimeStage, 'VOLUME')[0].getArgumentsContent()).toBe('["/data"]');
    const env = find(runtimeStage, 'ENV')[0].getArgumentsContent() ?? '';
    expect(env).toMatch(/MREG_DATA_DIR=\/data\b/);
    expect(env).toMatch(/NODE_ENV=production\b/);
  });

  it("exposes the app's default port and checks health through the CLI", () => {
    expect(find(runtimeStage, 'EXPOSE')[0].getArgumentsContent()).toBe(String(new GatewayEnv().MREG_PORT));
    expect(find(runtimeStage, 'HEALTHCHECK')[0].getArgumentsContent()).toMatch(
      /CMD \["node", "bin\/mcp-gateway\.js", "healthcheck"\]$/,
    );
    expect(find(runtimeStage, 'ENTRYPOINT')[0].getArgumentsContent()).toContain('"bin/mcp-gateway.js"');
    expect(find(runtimeStage, 'CMD')[0].getArgumentsContent()).toBe('["serve"]');
  });

  it('carries OCI labels whose version, revision, creation time and source come from build arguments', () => {
    const labels = Object.fromEntries(
      (find(runtimeStage, 'LABEL') as Label[])
        .flatMap((label) => label.getProperties())
        .map((property) => [property.getName(), property.getValue()?.replace(/^"|"$/g, '')]),
    );
    const args = Object.fromEntries(
      find(runtimeStage, 'ARG').map(
        (arg) => (arg.getArgumentsContent() ?? '').split('=') as [string, string],
      ),
    );
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'mcp-registry-gateway',
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.revision': '${REVISION}',
      'org.opencontainers.image.created': '${CREATED}',
      'org.opencontainers.image.source': '${SOURCE}',
    });
    expect(labels['org.opencontainers.image.description']).toBeTruthy();
    expect(labels['org.opencontainers.image.licenses']).toBeTruthy();
    expect(Object.keys(args).sort()).toEqual(['CREATED', 'REVISION', 'SOURCE', 'VERSION']);
    expect(args.VERSION).toBe(packageJson.version);
  });
});

describe('DockerIgnore', () => {
  const sut = new DockerIgnore('# comment\nnode_modules\n**/*.spec.ts\n/docs\n*.log\n!keep.log\n');

  it('excludes matching paths and everything below a matching directory, with exceptions', () => {
    expect(sut.excludes('node_modules/jest/package.json')).toBe(true);
    expect(sut.excludes('src/a/b.spec.ts')).toBe(true);
    expect(sut.excludes('x.spec.ts')).toBe(true);
    expect(sut.excludes('docs/deployment.md')).toBe(true);
    expect(sut.excludes('error.log')).toBe(true);
    expect(sut.excludes('keep.log')).toBe(false);
    expect(sut.excludes('src/a/b.ts')).toBe(false);
    expect(sut.excludes('logs/x.log')).toBe(false);
  });
});
