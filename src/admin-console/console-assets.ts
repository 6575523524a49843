import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

/** Where `npm run build` writes the console (vite's outDir, admin/vite.config.ts). */
const BUILD_FOLDER = 'console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names built assets `name-<hash>.ext` under `assets/`: their content never changes under that name. */
const HASHED_ASSET = /^assets\/[\w.-]+-[\w-]{8,}\.[a-z0-9]+$/;

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Safe to cache for a year: the name changes whenever the content does. */
  immutable: boolean;
}

/**
 * The built console's files, read once and kept in memory (a few hundred kB): requests never touch the disk, and a
 * request path can only ever name one of these files, so traversal (`..`, encoded slashes) has nothing to reach.
 */
export class ConsoleAssets {
  private constructor(
    private readonly files: ReadonlyMap<string, ConsoleFile>,
    readonly directory: string | undefined,
  ) {}

  /**
   * Finds the build beside the compiled gateway (`dist/src/admin-console` → `dist/console`), or, when the gateway
   * runs from its TypeScript sources (Jest), in `dist/console` of the checkout.
   */
  static load(here: string = import.meta.dirname): ConsoleAssets {
    const candidates = [join(here, '..', '..', BUILD_FOLDER), join(here, '..', '..', 'dist', BUILD_FOLDER)];
    const directory = candidates.find((dir) => existsSync(join(dir, 'index.html')));
    return new ConsoleAssets(directory ? readTree(directory) : new Map(), directory);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  /** The file a path under `/admin/` names, or undefined. */
  file(relative: string): ConsoleFile | undefined {
    return this.files.get(relative);
  }

  /** The single-page app's entry document: every route of the console that is not a file answers with it. */
  index(): ConsoleFile | undefined {
    return this.files.get('index.html');
  }
}

function readTree(root: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (relative: string) => {
    const absolute = join(root, relative);
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) walk(relative ? `${relative}/${entry}` : entry);
      return;
    }
    const type = CONTENT_TYPES[extname(relative).toLowerCase()];
    if (!type) return;
    files.set(normalize(relative).split(sep).join('/'), {
      body: readFileSync(absolute),
      contentType: type,
      immutable: HASHED_ASSET.test(relative),
    });
  };
  walk('');
  return files;
}
