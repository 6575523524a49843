import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { EverythingServer } from '../support/everything-server.js';

const ROOT = join(__dirname, '../..');

/** The first bash block of a README section, its comments dropped: the commands a newcomer types. */
function commandsOf(readme: string, heading: string): string[] {
  const section = readme.slice(readme.indexOf(heading));
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line.length > 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The README's quick start, run as written on a clean clone in a temporary directory, so the README cannot drift
 * from what works: `npm start` (the first start builds), the "Try it" commands in a second shell, then what a
 * newcomer does next: register the reference everything server with the CLI, call `echo` through
 * `/servers/{id}/mcp` and `/federated/mcp` with the official SDK client, and find both calls in the audit trail.
 */
describe("the README's quick start on a clean clone (e2e)", () => {
  const work = mkdtempSync(join(tmpdir(), 'mreg-readme-'));
  const clone = join(work, 'clone');
  let port: number;
  let gateway: ChildProcess | undefined;
  let everything: EverythingServer | undefined;
  let log = '';
  const env = () => ({ ...process.env, MREG_PORT: String(port), MREG_ALLOW_PRIVATE_UPSTREAMS: 'true' });
  const shell = (script: string) =>
    execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: clone,
      env: env(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  beforeAll(async () => {
    port = await freePort();
    // What is committed, as a newcomer clones it; the dependencies are this checkout's (npm install is not under test).
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    everything = await new EverythingServer().start();
  }, 60_000);
  afterAll(async () => {
    if (gateway?.pid && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway!.once('exit', resolve));
      // The whole group: npm and the gateway it started.
      process.kill(-gateway.pid, 'SIGTERM');
      await exited;
    }
    gateway?.stdout?.destroy();
    gateway?.stderr?.destroy();
    await everything?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('starts with npm start, answers the "Try it" commands, and proxies and audits a registered server', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const [install] = commandsOf(readme, '# MCP Registry Gateway');
    expect(install).toBe('npm install && npm start');
    // Its own process group, so the gateway npm starts is stopped with it.
    gateway = spawn('npm', ['start'], {
      cwd: clone,
      env: env(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [gateway.stdout!, gateway.stderr!])
      stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 150_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (gateway.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not come up:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(log).toContain('Building the gateway (the first time');

    const tryIt = commandsOf(readme, '## Try it')
      .filter((line) => line !== 'npm start' && !line.startsWith('open '))
      .map((line) => line.replaceAll('localhost:8000', `localhost:${port}`));
    expect(tryIt.length).toBeGreaterThanOrEqual(3);
    const output = shell(tryIt.map((line) => `${line}; echo`).join('\n'));
    expect(output).toContain('"name":"alice"');
    expect(output).toContain('"status":"ok"');

    // Next: register the reference server with the CLI and call echo through both MCP endpoints, audited.
    const registered = shell(
      `node bin/mcp-gateway.js register-server everything ${everything!.url} --tenant acme`,
    );
    const endpoint = /MCP endpoint: (\S+)/.exec(registered)?.[1];
    const tokenCommand = /a token for it \(local mode\): (.+)/.exec(registered)?.[1];
    expect(endpoint).toMatch(/\/servers\/[0-9a-f-]{36}\/mcp$/);
    const call = async (url: string, token: string, tool: string) => {
      const client = new Client({ name: 'newcomer', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          authProvider: { token: () => Promise.resolve(token) },
        }),
      );
      try {
        return await client.callTool({ name: tool, arguments: { message: 'hello' } });
      } finally {
        await client.close();
      }
    };
    // Exactly the command register-server printed.
    const viaProxy = await call(endpoint!, shell(tokenCommand!).trim(), 'echo');
    expect(viaProxy.content).toEqual([{ type: 'text', text: 'Echo: hello' }]);
    const federated = `http://127.0.0.1:${port}/federated/mcp`;
    const federatedToken = shell(
      `node bin/mcp-gateway.js token --tenant acme --roles admin --resource ${federated}`,
    ).trim();
    const viaFederation = await call(federated, federatedToken, 'everything__echo');
    expect(viaFederation.content).toEqual([{ type: 'text', text: 'Echo: hello' }]);

    const admin = shell('node bin/mcp-gateway.js token --tenant acme --user alice --roles admin').trim();
    let events: { surface: string; tool: string }[] = [];
    for (let attempt = 0; attempt < 20 && events.length < 2; attempt++) {
      // Audit events are written in batches every 100 ms.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const answer = await fetch(`http://localhost:${port}/api/v1/audit?tool=echo`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      events = ((await answer.json()) as { events: { surface: string; tool: string }[] }).events;
    }
    expect(events.map((event) => event.surface)).toEqual(['proxy', 'proxy']);
  }, 240_000);
});
