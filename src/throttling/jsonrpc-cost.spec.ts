import { jsonRpcCost } from './jsonrpc-cost.js';

describe('jsonRpcCost', () => {
  it('counts one request, answering a refusal with its id', () => {
    expect(jsonRpcCost({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami' } })).toEqual({
      cost: 1,
      housekeeping: 0,
      toolCalls: ['whoami'],
      requestId: 7,
    });
  });

  it('counts every message of a batch and every tool call in it', () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a' } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'a' } },
    ];
    expect(jsonRpcCost(batch)).toEqual({ cost: 3, housekeeping: 1, toolCalls: ['a', 'a'], requestId: null });
  });

  it('counts a body that is not JSON-RPC as one request of work', () => {
    expect(jsonRpcCost({ hello: 'world' })).toEqual({
      cost: 1,
      housekeeping: 0,
      toolCalls: [],
      requestId: null,
    });
  });

  it('tells session housekeeping from work: initialize, initialized, ping, the GET stream and DELETE', () => {
    for (const method of ['initialize', 'notifications/initialized', 'ping']) {
      expect(jsonRpcCost({ jsonrpc: '2.0', id: 1, method }).housekeeping).toBe(1);
    }
    for (const method of ['tools/call', 'tools/list', 'resources/read', 'prompts/get']) {
      expect(jsonRpcCost({ jsonrpc: '2.0', id: 1, method }).housekeeping).toBe(0);
    }
    expect(jsonRpcCost(undefined, 'GET')).toEqual({
      cost: 1,
      housekeeping: 1,
      toolCalls: [],
      requestId: null,
    });
    expect(jsonRpcCost(undefined, 'DELETE')).toMatchObject({ cost: 1, housekeeping: 1 });
  });
});
