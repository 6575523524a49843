import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeWithBackpressure } from '../../src/proxy/response-relay.js';

const TOOL = { name: 'echo', description: 'Echoes its text', inputSchema: { type: 'object' } };

/**
 * An upstream that is not to be trusted: plain JSON-RPC over HTTP (stateless, JSON answers) whose `tools/list` is
 * one tool until `hugeListBytes` is set, and from then on a single list of that many bytes, written as it goes
 * (one reused chunk, with backpressure), so the test process spends no memory on it and stops when the reader
 * hangs up. `bytesSent` tells how much of it the gateway read before cutting it.
 */
export class HostileMcpServer {
  hugeListBytes = 0;
  bytesSent = 0;
  private http?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}/mcp`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      id?: number | string;
      method: string;
      params?: { name?: string; arguments?: { text?: string } };
    };
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    if (message.method === 'tools/list' && this.hugeListBytes > 0) {
      await this.writeHugeList(message.id, res);
      return;
    }
    const reply = (result: unknown) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    if (message.method === 'initialize') {
      reply({
        protocolVersion: '2025-11-25',
        capabilities: { tools: {} },
        serverInfo: { name: 'hostile', version: '1.0.0' },
      });
    } else if (message.method === 'tools/list') {
      reply({ tools: [TOOL] });
    } else if (message.method === 'tools/call') {
      reply({ content: [{ type: 'text', text: `echo:${message.params?.arguments?.text ?? ''}` }] });
    } else {
      reply({});
    }
  }

  /** A valid-looking list of ever more tools, chunked, no content-length: only counting while reading stops it. */
  private async writeHugeList(id: number | string, res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/json' });
    const tool = Buffer.from(`${JSON.stringify({ ...TOOL, description: 'x'.repeat(60_000) })},`);
    const chunk = Buffer.concat(Array.from({ length: 4 }, () => tool));
    res.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"tools":[`);
    while (this.bytesSent < this.hugeListBytes && !res.destroyed) {
      this.bytesSent += chunk.length;
      await writeWithBackpressure(res, chunk);
    }
    if (!res.destroyed) res.end(`${JSON.stringify(TOOL)}]}}`);
  }
}
