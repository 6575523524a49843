import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { type EventStore, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

type StoredMessage = Parameters<EventStore['storeEvent']>[1];

/** Every event of every stream, in order: what a server needs to replay a stream after Last-Event-ID. */
class OrderedEventStore implements EventStore {
  private readonly events: { id: string; streamId: string; message: StoredMessage }[] = [];

  storeEvent(streamId: string, message: StoredMessage): Promise<string> {
    const id = `${streamId}_${String(this.events.length).padStart(8, '0')}`;
    this.events.push({ id, streamId, message });
    return Promise.resolve(id);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: StoredMessage) => Promise<void> },
  ): Promise<string> {
    const index = this.events.findIndex((event) => event.id === lastEventId);
    if (index < 0) return '';
    const { streamId } = this.events[index];
    for (const event of this.events.slice(index + 1)) {
      if (event.streamId === streamId) await send(event.id, event.message);
    }
    return streamId;
  }
}

/**
 * A stateful MCP server (official SDK) with an event store, so its streams can be resumed with Last-Event-ID: the
 * upstream for tests of streams that outlive a gateway replica. `countdown` reports progress every `everyMs`.
 */
export class ResumableMcpServer {
  private http?: Server;
  private readonly transports = new Map<string, NodeStreamableHTTPServerTransport>();
  private readonly eventStore = new OrderedEventStore();
  /** Streams the `cut` tool closed. */
  cuts = 0;

  /** Sessions initialized and not ended by a DELETE. */
  get openSessions(): number {
    return this.transports.size;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}/mcp`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => {
      const sessionId = req.headers['mcp-session-id'];
      const existing = typeof sessionId === 'string' ? this.transports.get(sessionId) : undefined;
      if (existing) {
        void existing.handleRequest(req, res).catch(() => res.destroy());
        return;
      }
      if (sessionId !== undefined) {
        res.writeHead(404).end();
        return;
      }
      const transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: this.eventStore,
        onsessioninitialized: (id) => void this.transports.set(id, transport),
        onsessionclosed: (id) => void this.transports.delete(id),
      });
      void this.build()
        .connect(transport)
        .then(() => transport.handleRequest(req, res))
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.transports.values()].map((transport) => transport.close()));
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }

  private build(): McpServer {
    const server = new McpServer({ name: 'resumable', version: '1.0.0' });
    server.registerTool(
      'countdown',
      {
        description: 'Reports progress `steps` times, every `everyMs`, then answers',
        inputSchema: z.object({ steps: z.number(), everyMs: z.number() }),
      },
      async ({ steps, everyMs }, ctx) => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        for (let step = 1; step <= steps; step++) {
          await new Promise((resolve) => setTimeout(resolve, everyMs));
          if (progressToken !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total: steps },
            });
          }
        }
        return { content: [{ type: 'text', text: `done after ${steps} steps` }] };
      },
    );
    server.registerTool(
      'cut',
      {
        description: 'Closes its own response stream (the client resumes with Last-Event-ID), then answers',
        inputSchema: z.object({}),
      },
      async (_args, ctx) => {
        this.transports.get(ctx.sessionId!)?.closeSSEStream(ctx.mcpReq.id);
        this.cuts += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { content: [{ type: 'text', text: 'answered after the cut' }] };
      },
    );
    return server;
  }
}
