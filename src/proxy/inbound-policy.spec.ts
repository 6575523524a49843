import type { Principal } from '../common/principal.js';
import type { RegisteredServer } from '../registry/registry.types.js';
import { ToolPolicy } from '../registry/tool-policy.js';
import { refuseDisallowedCalls, resolveTaskHandles } from './inbound-policy.js';
import type { CallerTasks } from './task-handles.js';

const user = { roles: ['user'] } as unknown as Principal;
const server = {
  toolRoles: { drop: ['admin'] },
  approvedCapabilities: {
    tools: [
      { name: 'read', inputSchema: {}, description: 'approved text', annotations: { readOnlyHint: true } },
      { name: 'drop', inputSchema: {} },
    ],
  },
} as unknown as RegisteredServer;
const call = (id: number, name: string) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name },
});

describe('tool policy on the way in and out', () => {
  const sut = new ToolPolicy(server, user);

  it('lets approved tools through and refuses unapproved or role-restricted ones', () => {
    expect(refuseDisallowedCalls([call(1, 'read')], sut)).toBeUndefined();
    expect(refuseDisallowedCalls([call(1, 'drop')], sut)?.body).toMatchObject({
      id: 1,
      error: { data: { code: 'TOOL_NOT_ALLOWED' } },
    });
    expect(refuseDisallowedCalls([call(2, 'unknown')], sut)?.deniedTools).toEqual(['unknown']);
  });

  it('refuses a whole batch that contains a refused call', () => {
    const refusal = refuseDisallowedCalls([call(1, 'read'), call(2, 'drop')], sut);
    expect(refusal?.body).toEqual([
      expect.objectContaining({
        id: 1,
        error: expect.objectContaining({ message: expect.stringContaining('Not executed') }),
      }),
      expect.objectContaining({
        id: 2,
        error: expect.objectContaining({ message: 'Tool not available: drop' }),
      }),
    ]);
  });

  it('filters tools/list to callable tools, served with their approved definitions', () => {
    const listed = sut.filterList({
      tools: [
        { name: 'read', description: 'changed upstream', inputSchema: {} },
        { name: 'drop', inputSchema: {} },
        { name: 'new', inputSchema: {} },
      ],
    });
    expect(listed.tools).toEqual([expect.objectContaining({ name: 'read', description: 'approved text' })]);
    expect(sut.isRetryable('read')).toBe(true);
    expect(sut.isRetryable('drop')).toBe(false);
  });

  it('turns task handles back into upstream ids, and refuses foreign handles and tasks/list whole', () => {
    const tasks: CallerTasks = {
      outgoing: (message) => message,
      incoming: (message) =>
        message.params?.taskId === 'mine'
          ? { ...message, params: { taskId: 'upstream-1' } }
          : message.params?.taskId
            ? undefined
            : message,
    };
    const get = (id: number, taskId: string) => ({
      jsonrpc: '2.0' as const,
      id,
      method: 'tasks/get',
      params: { taskId },
    });
    expect(resolveTaskHandles([get(1, 'mine')], tasks)).toEqual({ messages: [get(1, 'upstream-1')] });
    const refused = resolveTaskHandles([get(1, 'mine'), get(2, 'theirs')], tasks);
    expect(refused).toMatchObject({
      code: 'TASK_NOT_FOUND',
      body: [
        { id: 1, error: { message: expect.stringContaining('Not executed') } },
        { id: 2, error: { message: 'Task not found', data: { code: 'TASK_NOT_FOUND', statusCode: 404 } } },
      ],
    });
    const listed = resolveTaskHandles([{ jsonrpc: '2.0', id: 3, method: 'tasks/list' }], tasks);
    expect(listed).toMatchObject({
      code: 'NOT_AVAILABLE',
      body: { id: 3, error: { data: { code: 'NOT_AVAILABLE' } } },
    });
  });
});
