import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * The Markdown a newcomer reads (README and docs/) never sends them to a stranger's npm package or to a file that is
 * not in the clone: two traps of the first hour.
 */
const root = join(__dirname, '../..');
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...readdirSync(join(root, 'docs/adr')).map((name) => `docs/adr/${name}`),
];

describe('README and docs', () => {
  it.each(documents)('%s never runs the CLI as a bare npx mcp-gateway (an unrelated npm package)', (file) => {
    // The warning against it ("Not `npx mcp-gateway` ...") is the one mention allowed.
    expect(readFileSync(join(root, file), 'utf8')).not.toMatch(/(?<!Not `)npx\s+mcp-gateway/);
  });

  it.each(documents)('%s links only to files that are in the repository', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)]
      .map((match) => match[1])
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
    const broken = targets.filter((target) => {
      const resolved = normalize(join(dirname(join(root, file)), target));
      return !resolved.startsWith(root) || !existsSync(resolved);
    });
    expect(broken).toEqual([]);
  });
});
