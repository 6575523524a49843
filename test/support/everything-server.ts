import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ENTRY = join(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `@modelcontextprotocol/server-everything` over streamable HTTP (or legacy SSE) in a child process. */
export class EverythingServer {
  private child?: ChildProcess;
  private port = 0;

  constructor(private readonly mode: 'streamableHttp' | 'sse' = 'streamableHttp') {}

  /** The MCP endpoint: `/mcp` for streamable HTTP, `/sse` for the legacy HTTP+SSE transport. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/${this.mode === 'sse' ? 'sse' : 'mcp'}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const child = spawn(process.execPath, [ENTRY, this.mode], {
      env: { ...process.env, PORT: String(this.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${output}`)), 15_000);
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/listening on port|running on port/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server-everything exited with ${code}: ${output}`));
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
