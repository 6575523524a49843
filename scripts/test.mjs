// The README's test command (`npm test`): builds (the process-level e2e specs run the compiled CLI), runs every
// Jest project (unit, integration, e2e) and ends with one plain line `N passed, N failed` that CI reads.
// Extra arguments go to Jest, e.g. `npm test -- --selectProjects unit`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: false });

// Only when sources changed since the last build: a gateway started with `npm start` beside the tests keeps its dist/.
const build = run(process.execPath, ['scripts/build-if-stale.mjs']);
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(build.status ?? 1);
}

const resultsFile = '.test-results/jest.json';
mkdirSync('.test-results', { recursive: true });
rmSync(resultsFile, { force: true });
const jest = run(process.execPath, [
  'node_modules/jest/bin/jest.js',
  '--ci',
  '--maxWorkers=2',
  '--json',
  `--outputFile=${resultsFile}`,
  ...process.argv.slice(2),
]);

let summary;
try {
  summary = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(jest.status || 1);
}
const passed = summary.numPassedTests;
// A suite that cannot even load reports no failed test; count it, so a broken file never reads as green.
const failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(jest.status ?? 1);
