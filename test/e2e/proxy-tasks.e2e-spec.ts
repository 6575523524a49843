import type { GatewayApp } from '../../src/app/gateway-app.js';
import { localToken } from '../support/gateway.js';
import { postJsonRpc, registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { TaskMcpServer } from '../support/task-mcp-server.js';

interface Answer {
  result?: Record<string, any>;
  error?: { code: number; message: string; data?: { code?: string } };
}

/**
 * Task handles through `/servers/{id}/mcp`. The upstream sees every user as the gateway and takes any task id, so
 * the gateway hands each caller handles bound to them: another user's handle is an unknown task.
 */
describe('task handles through /servers/{id}/mcp (e2e)', () => {
  let gateway: GatewayApp;
  let upstream: TaskMcpServer;
  let url: string;
  let tenant: string;

  beforeAll(async () => {
    upstream = await new TaskMcpServer().start();
    gateway = await startRegistryGateway();
    tenant = uniqueTenant();
    url = `${gateway.url}/servers/${await registerAs(gateway, tenant, { name: 'tasks', url: upstream.url })}/mcp`;
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.stop();
  });

  const as = async (user: string) => {
    const token = await localToken(gateway, { tenant, user, resource: url });
    return async (method: string, params: Record<string, unknown>): Promise<Answer> => {
      const response = await postJsonRpc(url, token, method, params, {
        headers: { 'mcp-protocol-version': '2025-11-25' },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Answer;
    };
  };

  it("gives the creator a handle bound to them; another user's tasks/* with it answers not found", async () => {
    const ada = await as('ada');
    const bob = await as('bob');
    const created = await ada('tools/call', { name: 'report', arguments: { q: 1 }, task: { ttl: 60_000 } });
    const handle = created.result?.task.taskId as string;
    expect(handle).toMatch(/^gwt\.[\w-]+\.[\w-]+$/);
    expect(handle).not.toBe('task-1');

    // The creator uses it; the upstream is asked about its own id; the handle is the same every time.
    const got = await ada('tasks/get', { taskId: handle });
    expect(got.result).toMatchObject({ taskId: handle, status: 'completed' });
    expect(upstream.received.at(-1)).toMatchObject({ method: 'tasks/get', params: { taskId: 'task-1' } });
    const payload = await ada('tasks/result', { taskId: handle });
    expect(payload.result?.content).toEqual([{ type: 'text', text: 'report for {"q":1}' }]);
    expect(payload.result?._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId: handle } });

    // Anyone else: not found, whether with the handle, the upstream's own id or a forged tag; nothing goes upstream.
    const seen = upstream.received.length;
    for (const taskId of [handle, 'task-1', `${handle.slice(0, -2)}AA`]) {
      for (const method of ['tasks/get', 'tasks/cancel', 'tasks/result']) {
        const refused = await bob(method, { taskId });
        expect({ method, taskId, error: refused.error }).toMatchObject({
          method,
          taskId,
          error: { code: -32602, message: 'Task not found', data: { code: 'TASK_NOT_FOUND' } },
        });
      }
    }
    expect(upstream.received.length).toBe(seen);
    expect((await ada('tasks/get', { taskId: handle })).result?.status).toBe('completed');
  });

  it('does not relay tasks/list: the upstream would list every user’s tasks', async () => {
    const ada = await as('ada');
    const seen = upstream.received.length;
    const listed = await ada('tasks/list', {});
    expect(listed.error).toMatchObject({ data: { code: 'NOT_AVAILABLE' } });
    expect(upstream.received.length).toBe(seen);
  });
});
