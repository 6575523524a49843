import type { Response } from 'express';
import { currentRequestContext, requestContextMiddleware, type RequestWithId } from './request-context.js';

function run(headerValue?: string) {
  const req = {
    headers: headerValue === undefined ? {} : { 'x-request-id': headerValue },
  } as unknown as RequestWithId;
  const headers: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) } as unknown as Response;
  let seen: string | undefined;
  requestContextMiddleware(req, res, () => {
    seen = currentRequestContext()?.correlationId;
  });
  return { req, headers, seen };
}

describe('requestContextMiddleware', () => {
  it('adopts a well-formed caller id and exposes it to the rest of the request', () => {
    const { req, headers, seen } = run('abc-123.def');
    expect(req.id).toBe('abc-123.def');
    expect(headers['x-request-id']).toBe('abc-123.def');
    expect(seen).toBe('abc-123.def');
  });

  it.each([undefined, '', 'has space', 'x'.repeat(200), 'line\nbreak'])(
    'generates an id instead of %j',
    (offered) => {
      const { req, seen } = run(offered);
      expect(req.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
      expect(seen).toBe(req.id);
    },
  );

  it('has no context outside a request', () => {
    expect(currentRequestContext()).toBeUndefined();
  });
});
