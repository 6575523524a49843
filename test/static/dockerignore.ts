/**
 * The subset of `.dockerignore` semantics the repository uses: one pattern a line, `#` comments, `!` exceptions (the
 * last matching line wins), `*` and `?` within one path segment, `**` across segments, and a pattern that matches a
 * directory excludes everything below it.
 */
export class DockerIgnore {
  private readonly rules: { negated: boolean; pattern: RegExp }[];

  constructor(text: string) {
    this.rules = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const negated = line.startsWith('!');
        const body = (negated ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
        return { negated, pattern: toRegExp(body) };
      });
  }

  /** Whether the build context leaves out this path (relative to the context root, `/`-separated). */
  excludes(path: string): boolean {
    const segments = path.replace(/^\.\//, '').split('/');
    // A path is out when it, or a directory above it, matches.
    const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = !rule.negated;
    }
    return excluded;
  }
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` anything below.
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
