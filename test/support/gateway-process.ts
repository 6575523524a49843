import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { scratchDataDir } from './test-config.js';

const CLI = join(__dirname, '../../bin/mcp-gateway.js');

export interface GatewayProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs the built CLI (`bin/mcp-gateway.js`) as a separate process, the way operators and containers do. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
): ChildProcessWithoutNullStreams {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MREG_')) childEnv[key] = value;
  childEnv.MREG_DATA_DIR = scratchDataDir();
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  return spawn(process.execPath, [CLI, ...args], { env: childEnv, cwd: join(__dirname, '../..') });
}

export function collect(child: ChildProcessWithoutNullStreams): {
  output: () => string;
  exited: Promise<number | null>;
} {
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => text, exited };
}

/** Starts `mcp-gateway serve --port 0` and resolves once its startup log line names the port. */
export async function startGatewayProcess(env: Record<string, string | undefined>): Promise<GatewayProcess> {
  const child = runCli(['serve', '--port', '0', '--host', '127.0.0.1'], { MREG_LOG_LEVEL: 'info', ...env });
  const { output, exited } = collect(child);
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const match = /"port":(\d+),.*listening on/.exec(output());
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`gateway exited with ${code} before listening:\n${output()}`)),
    );
  });
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
}
