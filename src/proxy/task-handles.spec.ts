import type { Principal } from '../common/principal.js';
import type { JsonRpcMessage } from '../common/jsonrpc.js';
import type { UpstreamSecrets } from '../registry/upstream-secrets.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { mapTaskIds, TaskHandles } from './task-handles.js';

const box = new SecretBox('a'.repeat(64));
const secrets = {
  tagFor: (purpose: string, data: string) => box.tag(purpose, data),
  verifyTagFor: (purpose: string, data: string, tag: string) => box.verifyTag(purpose, data, tag),
} as unknown as UpstreamSecrets;
const principal = (oid: string, tenantId = 't1') => ({ oid, tenantId }) as Principal;
const RELATED = 'io.modelcontextprotocol/related-task';

describe('TaskHandles', () => {
  const handles = new TaskHandles(secrets);
  const ada = handles.forCaller(principal('ada'), 'server-1');

  it('replaces every task id an upstream names, the same handle each time, and gives it back only to its owner', () => {
    const created = ada.outgoing({
      jsonrpc: '2.0',
      id: 1,
      result: { task: { taskId: 'u-1', status: 'working' } },
    });
    const handle = created.result?.task as { taskId: string };
    const status = ada.outgoing({
      jsonrpc: '2.0',
      method: 'notifications/tasks/status',
      params: { taskId: 'u-1', status: 'completed' },
    });
    expect(status.params?.taskId).toBe(handle.taskId);
    const asked: JsonRpcMessage = {
      jsonrpc: '2.0',
      id: 2,
      method: 'tasks/get',
      params: { taskId: handle.taskId },
    };
    expect(ada.incoming(asked)?.params?.taskId).toBe('u-1');
    for (const other of [
      handles.forCaller(principal('bob'), 'server-1'),
      handles.forCaller(principal('ada', 't2'), 'server-1'),
      handles.forCaller(principal('ada'), 'server-2'),
    ]) {
      expect(other.incoming(asked)).toBeUndefined();
    }
    expect(ada.incoming({ ...asked, params: { taskId: 'u-1' } })).toBeUndefined();
  });

  it('maps results, lists and related-task metadata, and leaves messages without a task as they are', () => {
    const upper = (taskId: string) => taskId.toUpperCase();
    const plain: JsonRpcMessage = { jsonrpc: '2.0', id: 1, result: { content: [], taskIdea: 'x' } };
    expect(mapTaskIds(plain, upper)).toBe(plain);
    expect(
      mapTaskIds(
        {
          jsonrpc: '2.0',
          id: 1,
          result: {
            tasks: [{ taskId: 'a' }, { taskId: 'b' }],
            _meta: { [RELATED]: { taskId: 'c' }, other: 1 },
          },
        },
        upper,
      )?.result,
    ).toEqual({ tasks: [{ taskId: 'A' }, { taskId: 'B' }], _meta: { [RELATED]: { taskId: 'C' }, other: 1 } });
    expect(
      mapTaskIds({ jsonrpc: '2.0', id: 1, result: { taskId: 'd', status: 'working' } }, upper)?.result,
    ).toEqual({
      taskId: 'D',
      status: 'working',
    });
    expect(mapTaskIds({ jsonrpc: '2.0', id: 1, params: { taskId: 'e' } }, () => undefined)).toBeUndefined();
  });
});
