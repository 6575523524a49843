import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '../../scripts/build-if-stale.mjs');

/**
 * `npm test` and `npm start` run scripts/build-if-stale.mjs first. It must leave dist/ alone when nothing changed
 * since the last build, so tests started beside a running gateway do not delete the dist/ it runs from (a first-hour
 * trap). Checked on a project of its own, whose build only leaves a mark.
 */
describe('build-if-stale', () => {
  let project: string;
  const run = () =>
    spawnSync(process.execPath, [SCRIPT], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'mreg-stale-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'stale-probe',
        scripts: { build: "node -e \"require('fs').writeFileSync('built', '1')\"" },
      }),
    );
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src/main.ts'), 'export {};');
    mkdirSync(join(project, 'dist'));
    writeFileSync(join(project, 'dist/main.js'), 'the running gateway');
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('does not build, and leaves dist/ as it is, when the last build is newer than every source', () => {
    const past = new Date(Date.now() - 60_000);
    for (const path of ['src/main.ts', 'src', 'package.json']) utimesSync(join(project, path), past, past);
    writeFileSync(join(project, 'dist/.build-stamp'), new Date().toISOString());
    const result = run();
    expect(result.status).toBe(0);
    expect(existsSync(join(project, 'built'))).toBe(false);
    expect(existsSync(join(project, 'dist/main.js'))).toBe(true);
  });

  it('builds when a source changed after the last build, saying so', () => {
    writeFileSync(join(project, 'dist/.build-stamp'), 'old');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(project, 'dist/.build-stamp'), past, past);
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('Sources changed since the last build: rebuilding');
    expect(existsSync(join(project, 'built'))).toBe(true);
  });
});
