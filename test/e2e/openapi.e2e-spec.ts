import type { GatewayApp } from '../../src/app/gateway-app.js';
import { startGateway } from '../support/gateway.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
  requestBody?: unknown;
}

/** Routes documented for people and generators: what they take and what they return, for every one. */
const DOCUMENTED = /^\/(api\/|v0\.1\/|health$|ready$|oauth\/(token|register|revoke|userinfo)$)/;
/** Actions whose request has nothing to say (check now) or answer has nothing (204). */
const NO_BODY = new Set(['post /api/v1/servers/{id}/health']);

describe('the OpenAPI document (e2e)', () => {
  let gateway: GatewayApp;
  let operations: { label: string; path: string; method: string; operation: Operation }[];

  beforeAll(async () => {
    gateway = await startGateway();
    const document = (await (await fetch(`${gateway.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        label: `${method} ${path}`,
        path,
        method,
        operation,
      })),
    );
  });
  afterAll(() => gateway?.stop());

  it('gives every documented route a success response with a schema', () => {
    const documented = operations.filter((op) => DOCUMENTED.test(op.path));
    expect(documented.length).toBeGreaterThan(25);
    const missing = documented
      .filter(({ operation }) => {
        const responses = Object.entries(operation.responses ?? {});
        if (responses.some(([status]) => status === '204')) return false;
        return !responses.some(
          ([status, response]) =>
            status.startsWith('2') && Object.values(response.content ?? {}).some((media) => media.schema),
        );
      })
      .map((op) => op.label);
    expect(missing).toEqual([]);
  });

  it('gives every documented POST, PUT and PATCH a request body', () => {
    const missing = operations
      .filter((op) => DOCUMENTED.test(op.path) && ['post', 'put', 'patch'].includes(op.method))
      .filter((op) => !NO_BODY.has(op.label) && op.path !== '/oauth/userinfo' && !op.operation.requestBody)
      .map((op) => op.label);
    expect(missing).toEqual([]);
  });

  it('lists each security requirement of a route once', () => {
    const doubled = operations
      .filter(({ operation }) => {
        const keys = (operation.security ?? []).map((requirement) => JSON.stringify(requirement));
        return new Set(keys).size !== keys.length;
      })
      .map((op) => op.label);
    expect(doubled).toEqual([]);
  });
});
