// `npm start` and `npm test` run this first: it compiles only when a source or build input is newer than the last
// build, so a restart without changes starts in about three seconds, and tests run beside a started gateway without
// deleting its dist/ under it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const INPUTS = ['src', 'admin', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtime(join(path, entry))),
    stat.mtimeMs,
  );
}

const builtAt = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
const changedAt = Math.max(...INPUTS.map(newestMtime));
if (changedAt < builtAt) process.exit(0);

// A first start compiles for a while (about 15 s on two cores): say so, or the terminal looks stuck.
const started = Date.now();
process.stderr.write(
  builtAt === 0
    ? 'Building the gateway (the first time, about 15 s)...\n'
    : 'Sources changed since the last build: rebuilding...\n',
);
// `npm run build` writes the stamp itself, so a build right before `npm start` or `npm test` is not repeated.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
