import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as PgClient } from 'pg';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { type GatewayProcess, processAdmin, startGatewayProcess } from '../support/gateway-process.js';
import { postJsonRpc, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { ResumableMcpServer } from '../support/resumable-mcp-server.js';
import { RoundRobinBalancer } from '../support/round-robin-balancer.js';
import { sseEvents } from '../support/sse.js';
import { runDatabaseUrl } from '../support/test-config.js';

/**
 * Shutdown ends SSE streams the way the protocol lets clients resume them (a `retry` hint after the last event id,
 * then a clean end), so a rolling update does not lose a long tool call or a client's listening stream.
 */
describe('SSE streams at shutdown (e2e)', () => {
  jest.setTimeout(60_000);

  it('a long tool call survives the SIGTERM of its replica: the client resumes it on another one', async () => {
    const upstream = await new ResumableMcpServer().start();
    const balancer = await new RoundRobinBalancer().start();
    const env = {
      MREG_DATABASE_URL: runDatabaseUrl(),
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
      MREG_PUBLIC_URL: balancer.url,
      MREG_SHUTDOWN_DELAY_MS: '0',
      MREG_SHUTDOWN_TIMEOUT_MS: '300',
    };
    const replicas: GatewayProcess[] = [];
    const client = new Client({ name: 'resuming-client', version: '1.0.0' });
    try {
      replicas.push(...(await Promise.all([startGatewayProcess(env), startGatewayProcess(env)])));
      const [leaving, staying] = replicas;
      // The balancer first knows only the replica that will leave, as a load balancer would route a session to it.
      balancer.backends = [leaving.url];
      const { issue, register } = await processAdmin(env, balancer.url);
      const id = await register({ name: 'countdown', url: upstream.url });
      const resource = `${balancer.url}/servers/${id}/mcp`;
      const token = await issue(resource);
      const errors: string[] = [];
      client.onerror = (error) => errors.push(error.message);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(resource), {
          authProvider: { token: () => Promise.resolve(token) },
          reconnectionOptions: {
            initialReconnectionDelay: 100,
            maxReconnectionDelay: 1_000,
            reconnectionDelayGrowFactor: 2,
            maxRetries: 5,
          },
        }),
      );

      const progress: number[] = [];
      let left: () => void;
      const twoSteps = new Promise<void>((resolve) => (left = resolve));
      const call = client.callTool(
        { name: 'countdown', arguments: { steps: 8, everyMs: 150 } },
        {
          onprogress: ({ progress: step }) => {
            progress.push(step);
            if (step === 2) left();
          },
        },
      );
      await twoSteps;
      // Readiness turned 503: the balancer takes the replica out, and it is told to stop mid-call.
      balancer.backends = [staying.url];
      leaving.child.kill('SIGTERM');

      const result = await call;
      expect(result.content).toEqual([{ type: 'text', text: 'done after 8 steps' }]);
      // Every step once, in order: the upstream replayed exactly what followed the last event the client had seen.
      expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      // Ended, not cut: the client never saw its stream break (a cut would also be resumed, but as an error).
      expect(errors.filter((message) => /disconnected/i.test(message))).toEqual([]);
      expect(await leaving.exited).toBe(0);
      expect(leaving.output()).toContain('streams closed for clients to resume');
      // The leaving replica's audit trail says where the call went, not that it failed.
      const pg = new PgClient({ connectionString: runDatabaseUrl() });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          `SELECT outcome, error_code FROM audit_events WHERE server_id = $1 AND tool = 'countdown'`,
          [id],
        );
        expect(rows).toEqual([{ outcome: 'error', error_code: 'STREAM_HANDED_OFF' }]);
        // The replica that relayed the resumed stream records how the call ended (written within its next batch).
        const resumed = () =>
          pg.query(
            `SELECT outcome, session_hash IS NOT NULL AS in_session FROM audit_events
              WHERE server_id = $1 AND action = 'stream/resumed'`,
            [id],
          );
        let found = await resumed();
        for (let attempt = 0; found.rows.length === 0 && attempt < 50; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          found = await resumed();
        }
        expect(found.rows).toEqual([{ outcome: 'success', in_session: true }]);
      } finally {
        await pg.end();
      }
    } finally {
      await client.close().catch(() => undefined);
      for (const replica of replicas) replica.child.kill('SIGKILL');
      await balancer.stop();
      await upstream.stop();
    }
  });

  describe('in one process', () => {
    let gateway: GatewayApp;
    let upstream: ResumableMcpServer;
    let fixture: FixtureMcpServer;

    beforeAll(async () => {
      upstream = await new ResumableMcpServer().start();
      fixture = new FixtureMcpServer();
      fixture.slowTool = true;
      await fixture.start();
      gateway = await startRegistryGateway({ MREG_SHUTDOWN_DELAY_MS: '0', MREG_SHUTDOWN_TIMEOUT_MS: '1000' });
    });
    afterAll(async () => {
      await gateway?.stop();
      await upstream?.stop();
      await fixture?.stop();
    });

    it('ends listening streams at once and resumably, and answers a call that cannot be resumed with a retryable error', async () => {
      const tenant = uniqueTenant();
      const admin = await localToken(gateway, { tenant, roles: ['admin'] });
      const register = async (name: string, url: string) => {
        const created = await rest(gateway, admin, 'POST', '/api/v1/servers', { name, url });
        expect(created.status).toBe(201);
        return `${gateway.url}/servers/${created.body.server.id as string}/mcp`;
      };
      const resumable = await register('resumable', upstream.url);
      const stateless = await register('stateless', fixture.url);
      const bearer = (resource: string) => localToken(gateway, { tenant, roles: ['admin'], resource });

      // A proxied session's listening stream, and the federated list-changed stream.
      const resumableToken = await bearer(resumable);
      const initialized = await postJsonRpc(resumable, resumableToken, 'initialize', {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      });
      const sessionId = initialized.headers.get('mcp-session-id')!;
      await initialized.text();
      const sessionHeaders = {
        authorization: `Bearer ${resumableToken}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      };
      await fetch(resumable, {
        method: 'POST',
        headers: {
          ...sessionHeaders,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      const listening = await fetch(resumable, {
        headers: { ...sessionHeaders, accept: 'text/event-stream' },
      });
      expect(listening.status).toBe(200);
      const federatedUrl = `${gateway.url}/federated/mcp`;
      const federated = await fetch(federatedUrl, {
        headers: {
          authorization: `Bearer ${await bearer(federatedUrl)}`,
          accept: 'text/event-stream',
          'mcp-protocol-version': '2025-11-25',
        },
      });
      expect(federated.status).toBe(200);
      const federatedEvents = sseEvents(federated.body!);
      const priming = await federatedEvents.next();
      expect(priming).toMatchObject({
        id: expect.stringMatching(/^[\w-]{16}\.[\w-]{16}\.[\w-]{16}$/),
        data: '',
      });

      // A call in flight to an upstream without event ids: its stream cannot be resumed.
      const slow = await postJsonRpc(stateless, await bearer(stateless), 'tools/call', {
        name: 'slow',
        arguments: { ms: 5_000 },
      });
      const slowEvents = sseEvents(slow.body!);
      // And one through the federated endpoint, whose SSE the SDK's stateless transport writes.
      const federatedCall = await postJsonRpc(
        federatedUrl,
        await bearer(federatedUrl),
        'tools/call',
        { name: 'stateless__slow', arguments: { ms: 5_000 } },
        { headers: { 'mcp-protocol-version': '2025-11-25' } },
      );
      expect(federatedCall.status).toBe(200);
      const federatedCallEvents = sseEvents(federatedCall.body!);
      while ((fixture.invocations.get('slow') ?? 0) < 2)
        await new Promise((resolve) => setTimeout(resolve, 10));

      const stopped = gateway.stop('test');
      let slowEnded = false;
      const slowRest = slowEvents.rest().then((events) => ((slowEnded = true), events));
      // Listening streams end first, each with a retry hint, while the call is still being given its time.
      const [listeningRest, federatedRest] = await Promise.all([
        sseEvents(listening.body!).rest(),
        federatedEvents.rest(),
      ]);
      expect(slowEnded).toBe(false);
      expect(listeningRest.at(-1)).toEqual({ data: '', retry: 1000 });
      expect(federatedRest).toEqual([{ data: '', retry: 1000 }]);

      // At the drain timeout the call's stream ends with an error the client can act on, not a cut connection.
      const slowTail = await slowRest;
      const errors = slowTail.filter((event) => event.data).map((event) => JSON.parse(event.data));
      expect(errors).toEqual([
        {
          jsonrpc: '2.0',
          id: 1,
          error: {
            code: expect.any(Number),
            message: 'This gateway replica is restarting; send the request again',
            data: { code: 'GATEWAY_RESTARTING', statusCode: 503 },
          },
        },
      ]);
      expect(slowTail.at(-1)).toEqual({ data: '', retry: 1000 });
      expect(await federatedCallEvents.nextMessage()).toEqual(errors[0]);
      expect(await federatedCallEvents.next()).toBeUndefined();
      await stopped;
    });
  });
});
