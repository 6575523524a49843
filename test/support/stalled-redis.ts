import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP server that speaks just enough of the Redis protocol for a client to connect and become ready, then never
 * answers the rate-limit script: a Redis that hangs, to prove that no request waits on it.
 */
export class StalledRedis {
  /** Script calls received and left unanswered. */
  stalledCalls = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  get url(): string {
    return `redis://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (let parsed = parseCommand(buffer); parsed; parsed = parseCommand(buffer)) {
          buffer = buffer.subarray(parsed.length);
          this.answer(socket, parsed.args[0]?.toLowerCase() ?? '');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private answer(socket: Socket, command: string): void {
    if (command === 'evalsha' || command === 'eval') {
      this.stalledCalls++;
      return;
    }
    if (command === 'info') {
      const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
      socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
      return;
    }
    socket.write('+OK\r\n');
  }
}

/** One RESP array of bulk strings (how clients send commands), or undefined until it has fully arrived. */
function parseCommand(buffer: Buffer): { args: string[]; length: number } | undefined {
  const text = buffer.toString('latin1');
  if (!text.startsWith('*')) return undefined;
  let offset = text.indexOf('\r\n');
  if (offset < 0) return undefined;
  const count = Number(text.slice(1, offset));
  offset += 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = text.indexOf('\r\n', offset);
    if (end < 0 || text[offset] !== '$') return undefined;
    const size = Number(text.slice(offset + 1, end));
    if (text.length < end + 2 + size + 2) return undefined;
    args.push(text.slice(end + 2, end + 2 + size));
    offset = end + 2 + size + 2;
  }
  return { args, length: offset };
}
