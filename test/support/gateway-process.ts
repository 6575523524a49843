import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { gatewayIssuer } from '../../src/auth/auth.module.js';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { localPrincipal } from '../../src/auth/oauth/dev-sign-in.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import { uniqueTenant } from './registry.js';
import { scratchDataDir, testConfig } from './test-config.js';

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

/**
 * An admin of a fresh tenant on gateway processes started with `env` (local mode: they sign with the scratch data
 * directory's key): tokens for any audience, and registration of servers over REST at `baseUrl`.
 */
export async function processAdmin(env: Record<string, string | undefined>, baseUrl: string) {
  const tokens = new GatewayTokens(
    await SigningKeyStore.open(SigningKeyStore.fileFor(scratchDataDir())),
    gatewayIssuer(testConfig(env).config),
  );
  const tenant = uniqueTenant();
  const issue = (audience: string) =>
    tokens.issue({ ...localPrincipal(tenant, 'ada', ['admin']), audience, ttlSeconds: 600 });
  /** Registers a server and returns its id; throws unless the gateway answered 201. */
  const register = async (body: Record<string, unknown>): Promise<string> => {
    const created = await fetch(`${baseUrl}/api/v1/servers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issue(baseUrl)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (created.status !== 201)
      throw new Error(`registration answered ${created.status}: ${await created.text()}`);
    return ((await created.json()) as { server: { id: string } }).server.id;
  };
  return { tenant, issue, register };
}
