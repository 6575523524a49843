import { mirroredHeaders } from './protocol-headers.js';

const call = (name: string) => ({ jsonrpc: '2.0' as const, id: 3, method: 'tools/call', params: { name } });

describe('mirroredHeaders', () => {
  it('forwards Mcp-Method, Mcp-Name and Mcp-Param-* that agree with the body, and nothing else', () => {
    const result = mirroredHeaders(
      {
        'mcp-method': 'tools/call',
        'mcp-name': ' echo ',
        'mcp-param-region': 'eu',
        authorization: 'Bearer x',
      },
      [call('echo')],
    );
    expect(result).toEqual({
      ok: true,
      headers: { 'mcp-method': 'tools/call', 'mcp-name': ' echo ', 'mcp-param-region': 'eu' },
    });
    expect(mirroredHeaders({}, [call('echo')])).toEqual({ ok: true, headers: {} });
  });

  it('decodes a base64 Mcp-Name, as the protocol encodes names a header cannot carry', () => {
    const encoded = `=?base64?${Buffer.from('café').toString('base64')}?=`;
    expect(mirroredHeaders({ 'mcp-name': encoded }, [call('café')]).ok).toBe(true);
    expect(mirroredHeaders({ 'mcp-name': '=?base64?not base64?=' }, [call('café')]).ok).toBe(false);
  });

  it('refuses headers that disagree with the body with the protocol error -32020 and the request id', () => {
    expect(mirroredHeaders({ 'mcp-method': 'tools/list' }, [call('echo')])).toMatchObject({
      ok: false,
      status: 400,
      body: { id: 3, error: { code: -32020, data: { code: 'HEADER_MISMATCH' } } },
    });
    expect(mirroredHeaders({ 'mcp-name': 'other' }, [call('echo')]).ok).toBe(false);
    const uri = { jsonrpc: '2.0' as const, id: 1, method: 'resources/read', params: { uri: 'file:///a' } };
    expect(mirroredHeaders({ 'mcp-name': 'file:///b' }, [uri]).ok).toBe(false);
    expect(mirroredHeaders({ 'mcp-method': 'tools/call' }, [call('a'), call('b')]).ok).toBe(false);
    // A name the body does not carry (a list, or a call without a name) is never relayed.
    const list = { jsonrpc: '2.0' as const, id: 2, method: 'tools/list' };
    expect(mirroredHeaders({ 'mcp-name': 'delete_all' }, [list]).ok).toBe(false);
    const nameless = { jsonrpc: '2.0' as const, id: 4, method: 'tools/call', params: {} };
    expect(mirroredHeaders({ 'mcp-name': 'delete_all' }, [nameless]).ok).toBe(false);
  });
});
