import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express from 'express';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { ProxyFastLane } from './proxy-fast-lane.js';
import type { ProxyService } from './proxy.service.js';

function request(method: string, url: string, headers: Record<string, string> = {}) {
  const req = Object.assign(new IncomingMessage(new Socket()), { method, url, headers });
  return { req, res: new ServerResponse(req) };
}

/** The lane with the app's pipeline left out: which requests it takes, and that it hands them to the proxy. */
function lane() {
  const served: string[] = [];
  const authenticator = { authenticate: () => Promise.resolve({ tenantId: 't', oid: 'o' }) };
  const proxy = {
    handle: (_principal: unknown, serverId: string) => {
      served.push(serverId);
      return Promise.resolve();
    },
  };
  const sut = new ProxyFastLane(
    express(),
    [],
    authenticator as unknown as RequestAuthenticator,
    proxy as unknown as ProxyService,
    { onHttpError: () => undefined },
  );
  return { sut, served };
}

describe('ProxyFastLane', () => {
  it('takes JSON POSTs, GETs and DELETEs on /servers/{id}/mcp and hands them to the proxy', async () => {
    const { sut, served } = lane();
    const taken = [
      request('POST', '/servers/a%2Fb/mcp', { 'content-type': 'application/json; charset=utf-8' }),
      request('POST', '/servers/s2/mcp?x=1', { 'content-type': 'application/vnd.api+json' }),
      request('GET', '/servers/s3/mcp/'),
      request('DELETE', '/servers/s4/mcp'),
    ];
    for (const { req, res } of taken) expect(sut.take(req, res)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toEqual(['a/b', 's2', 's3', 's4']);
  });

  it('leaves everything else to Express and its ordinary pipeline', () => {
    const { sut } = lane();
    for (const { req, res } of [
      request('POST', '/servers/s/mcp', { 'content-type': 'text/plain' }),
      request('POST', '/servers/s/mcp', { 'content-type': 'application/jsonx' }),
      request('POST', '/servers/s/mcp'),
      request('GET', '/servers/s/mcp', { 'content-length': '10' }),
      request('PUT', '/servers/s/mcp', { 'content-type': 'application/json' }),
      request('POST', '/SERVERS/s/MCP', { 'content-type': 'application/json' }),
      request('POST', '/servers/s/mcp/extra', { 'content-type': 'application/json' }),
      request('POST', '/servers/%E0%A4%A/mcp', { 'content-type': 'application/json' }),
      request('POST', '/mcp', { 'content-type': 'application/json' }),
    ]) {
      expect({ url: req.url, type: req.headers['content-type'], taken: sut.take(req, res) }).toMatchObject({
        taken: false,
      });
    }
  });
});
