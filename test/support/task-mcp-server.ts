import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Message {
  jsonrpc: '2.0';
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
}

/**
 * A stateless upstream that runs tool calls as tasks (the 2025-11-25 task vocabulary: `params.task` on
 * `tools/call`, then `tasks/get`, `tasks/result`, `tasks/cancel`, `notifications/tasks/status`), in plain JSON-RPC.
 * Like most upstreams behind a gateway it cannot tell users apart (they all arrive with the gateway's identity),
 * and any task id it is given is good: whose task it is must be decided by the gateway.
 */
export class TaskMcpServer {
  /** Every JSON-RPC request body seen, newest last. */
  readonly received: Message[] = [];
  private readonly tasks = new Map<string, { status: string; text: string }>();
  private http?: Server;
  private next = 1;

  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}/mcp`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method !== 'POST') {
          res.writeHead(405).end();
          return;
        }
        const message = JSON.parse(body) as Message;
        this.received.push(message);
        if (message.id === undefined) {
          res.writeHead(202).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, ...this.answer(message) }));
      });
    });
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private answer(message: Message): Record<string, unknown> {
    const params = message.params ?? {};
    const task = (taskId: string) => {
      const found = this.tasks.get(taskId);
      return (
        found && {
          taskId,
          status: found.status,
          ttl: null,
          createdAt: '2026-12-07T00:00:00Z',
          lastUpdatedAt: '2026-12-07T00:00:00Z',
        }
      );
    };
    switch (message.method ?? '') {
      case 'initialize':
        return {
          result: {
            protocolVersion: '2025-11-25',
            capabilities: { tools: {}, tasks: { requests: { tools: { call: {} } } } },
            serverInfo: { name: 'tasks', version: '1.0.0' },
          },
        };
      case 'tools/list':
        return {
          result: {
            tools: [
              { name: 'report', inputSchema: { type: 'object' }, execution: { taskSupport: 'optional' } },
            ],
          },
        };
      case 'tools/call': {
        const taskId = `task-${this.next++}`;
        this.tasks.set(taskId, {
          status: 'completed',
          text: `report for ${JSON.stringify(params.arguments)}`,
        });
        return { result: { task: task(taskId) } };
      }
      case 'tasks/get':
      case 'tasks/cancel': {
        const found = task(String(params.taskId));
        if (found && message.method === 'tasks/cancel') this.tasks.get(found.taskId)!.status = 'cancelled';
        return found
          ? { result: task(found.taskId)! }
          : { error: { code: -32602, message: 'Task not found' } };
      }
      case 'tasks/result': {
        const found = this.tasks.get(String(params.taskId));
        return found
          ? {
              result: {
                content: [{ type: 'text', text: found.text }],
                _meta: { 'io.modelcontextprotocol/related-task': { taskId: params.taskId } },
              },
            }
          : { error: { code: -32602, message: 'Task not found' } };
      }
      case 'tasks/list':
        return { result: { tasks: [...this.tasks.keys()].map((taskId) => task(taskId)) } };
      default:
        return { error: { code: -32601, message: 'Method not found' } };
    }
  }

  async stop(): Promise<void> {
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }
}
