import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

/**
 * No Docker engine runs here, so the Dockerfile is checked statically: stages, base image, user, port, health
 * check, and that everything the runtime stage copies from the build stage is produced there.
 */
describe('Dockerfile', () => {
  const root = join(__dirname, '../..');
  const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const froms = dockerfile.getFROMs();
  const instructions = dockerfile.getInstructions();
  const runtimeStart = instructions.indexOf(froms[1]);
  const buildStage = instructions.slice(0, runtimeStart);
  const runtimeStage = instructions.slice(runtimeStart);
  const argsOf = (instruction: Instruction) => instruction.getArguments().map((arg) => arg.getValue());
  const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.getKeyword() === keyword);

  it('has a build stage and a runtime stage, both on Node 24', () => {
    expect(froms.map((from) => [from.getImageName(), from.getImageTag(), from.getBuildStage()])).toEqual([
      ['node', '24-bookworm-slim', 'build'],
      ['node', '24-bookworm-slim', 'runtime'],
    ]);
  });

  it('installs with npm ci from the lock file, builds, and prunes dev dependencies', () => {
    const runs = find(buildStage, 'RUN').map((run) => run.getArgumentsContent() ?? '');
    expect(runs.join('\n')).toMatch(/npm ci/);
    expect(runs.join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
    expect(argsOf(find(buildStage, 'COPY')[0])).toEqual(['package.json', 'package-lock.json', './']);
  });

  it('copies into the runtime stage only what the build stage produces or the repository holds', () => {
    const produced = ['/app/package.json', '/app/node_modules', '/app/dist'];
    for (const copy of find(runtimeStage, 'COPY')) {
      // Flags such as --from are not arguments in dockerfile-ast; the raw text says where a copy comes from.
      const fromBuild =
        (copy.getArgumentsContent() ?? '').includes('--from=build') ||
        copy.getTextContent().includes('--from=build');
      const sources = argsOf(copy)
        .filter((arg) => !arg.startsWith('--'))
        .slice(0, -1);
      for (const source of sources) {
        if (fromBuild) expect(produced).toContain(source);
        else expect(existsSync(join(root, source))).toBe(true);
      }
    }
  });

  it('runs as a non-root user, exposes the default port and checks health through the CLI', () => {
    expect(argsOf(find(runtimeStage, 'USER')[0])).toEqual(['node']);
    expect(argsOf(find(runtimeStage, 'EXPOSE')[0])).toEqual(['8000']);
    expect(find(runtimeStage, 'HEALTHCHECK')[0].getArgumentsContent()).toContain(
      '"bin/mcp-gateway.js", "healthcheck"',
    );
    expect(find(runtimeStage, 'ENTRYPOINT')[0].getArgumentsContent()).toContain('bin/mcp-gateway.js');
  });

  it('keeps build context small and secrets out of the image', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.git', '.mcp-gateway']));
  });
});
