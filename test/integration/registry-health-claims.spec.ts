import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import type { MetricsService } from '../../src/observability/metrics.service.js';
import type {
  CapabilityDiscovery,
  DiscoveryResult,
} from '../../src/registry/discovery/capability-discovery.js';
import { HealthScheduler } from '../../src/registry/health/health-scheduler.js';
import { ServerChecker } from '../../src/registry/health/server-checker.js';
import type { RegistryCache } from '../../src/registry/registry-cache.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import type { HealthCheckSettings, RegisteredServer } from '../../src/registry/registry.types.js';
import { toRegistered } from '../../src/registry/server-views.js';
import { TenantsService } from '../../src/tenancy/tenants.service.js';
import { uniqueTenant } from '../support/registry.js';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/test-database.js';

/**
 * Health-check claiming and recording on the real PostgreSQL. Time passing is simulated by moving the stored
 * schedule back (no waiting); probes are driven by hand. Its own database: the claims take every due server.
 */
describe('health-check claims and outcomes on the real PostgreSQL', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;
  let repository: RegistryRepository;
  let tenantId: string;

  beforeAll(async () => {
    database = await createMigratedTestDatabase('health_claims', 4);
    db = database.db;
    repository = new RegistryRepository(db);
    const [tenant] = await db.query<{ id: string }[]>(
      `INSERT INTO tenants (entra_tenant_id, name) VALUES ($1, $1) RETURNING id`,
      [uniqueTenant('health')],
    );
    tenantId = tenant.id;
  });
  afterEach(async () => {
    // Each test starts with no due server left over from another.
    await db.query(`DELETE FROM mcp_servers`);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function addServer(healthCheck: Partial<HealthCheckSettings>, status = 'unknown'): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO mcp_servers (id, tenant_id, name, endpoints, transport, owner_oid, health_check, status, next_check_at)
       VALUES ($1, $2, $3, '[{"url":"http://127.0.0.1:9/mcp","weight":1}]', 'streamable-http', 'o', $4, $5, now())`,
      [id, tenantId, `s-${id.slice(0, 8)}`, JSON.stringify(healthCheck), status],
    );
    return id;
  }

  /** Seconds from now until the server's next check is due. */
  async function dueIn(id: string): Promise<number> {
    const [row] = await db.query<{ seconds: number }[]>(
      `SELECT extract(epoch FROM next_check_at - now())::float8 AS seconds FROM mcp_servers WHERE id = $1`,
      [id],
    );
    return row.seconds;
  }

  /** As if `seconds` passed: every stored schedule moves that much closer. */
  async function elapse(seconds: number): Promise<void> {
    await db.query(`UPDATE mcp_servers SET next_check_at = next_check_at - make_interval(secs => $1)`, [
      seconds,
    ]);
  }

  async function row(id: string): Promise<{ consecutive_failures: number; status: string }> {
    const [found] = await db.query<{ consecutive_failures: number; status: string }[]>(
      `SELECT consecutive_failures, status FROM mcp_servers WHERE id = $1`,
      [id],
    );
    return found;
  }

  it('leases a claimed check for as long as its probe may take, not just its interval', async () => {
    const id = await addServer({ intervalSeconds: 5, timeoutMs: 120_000 });

    expect(await repository.systemClaimDueChecks(10)).toEqual([id]);

    expect(await dueIn(id)).toBeGreaterThanOrEqual(120);
    await elapse(6);
    expect(await repository.systemClaimDueChecks(10)).toEqual([]);
  });

  it('keeps a check an update asked for while the previous check ran, instead of pushing it back an interval', async () => {
    const id = await addServer({ intervalSeconds: 3600 });
    expect(await repository.systemClaimDueChecks(10)).toEqual([id]);
    // Mid-check, the owner re-points the server: the update makes a check due now.
    await db.query(`UPDATE mcp_servers SET next_check_at = now() WHERE id = $1`, [id]);
    await repository.systemScheduleNextCheck(id);
    expect(await dueIn(id)).toBeLessThanOrEqual(0);

    // Without such an update, the finished check makes the next one due an interval later.
    expect(await repository.systemClaimDueChecks(10)).toEqual([id]);
    await repository.systemScheduleNextCheck(id);
    expect(await dueIn(id)).toBeGreaterThan(3000);
  });

  describe('the scheduler', () => {
    /** A checker whose probes of a server never answer until the test lets them. */
    function hangingChecker() {
      const started: string[] = [];
      const pending: (() => void)[] = [];
      const checker = {
        check: (server: RegisteredServer) => {
          started.push(server.id);
          return new Promise<void>((resolve) => pending.push(resolve));
        },
      };
      const finishAll = () => pending.splice(0).forEach((resolve) => resolve());
      return { checker: checker as unknown as ServerChecker, started, finishAll };
    }

    /** Remembers what each claim handed out, so a test can wait until every claimed check has started. */
    class ClaimLog extends RegistryRepository {
      readonly claimed: string[] = [];
      override async systemClaimDueChecks(limit: number, running?: readonly string[]): Promise<string[]> {
        const ids = await super.systemClaimDueChecks(limit, running);
        this.claimed.push(...ids);
        return ids;
      }
    }

    function schedulerWith(checker: ServerChecker) {
      const claims = new ClaimLog(db);
      const sut = new HealthScheduler({ healthChecksEnabled: false } as AppConfig, claims, checker);
      return { sut, claims };
    }

    async function until(condition: () => boolean): Promise<void> {
      const deadline = Date.now() + 5_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    it('probes a server that never answers once at a time, however many intervals pass', async () => {
      const hanging = await addServer({ intervalSeconds: 5, timeoutMs: 120_000 });
      const { checker, started, finishAll } = hangingChecker();
      const { sut, claims } = schedulerWith(checker);
      const tick = async () => {
        await sut.tick();
        await until(() => started.length === claims.claimed.length);
      };

      await tick();
      for (let interval = 0; interval < 5; interval++) {
        await elapse(6);
        await tick();
      }
      // Even past its lease (as when the probe outlives it), a check still running here is not claimed again.
      await elapse(3600);
      await tick();
      expect(started).toEqual([hanging]);

      // Meanwhile other servers still get their checks.
      const other = await addServer({});
      await tick();
      expect(started).toEqual([hanging, other]);

      finishAll();
      await sut.beforeApplicationShutdown();
    });

    it('makes the next check due one interval after a check finishes', async () => {
      const id = await addServer({ intervalSeconds: 5, timeoutMs: 120_000 });
      const { checker, started, finishAll } = hangingChecker();
      const { sut } = schedulerWith(checker);

      await sut.tick();
      await until(() => started.length === 1);
      expect(await dueIn(id)).toBeGreaterThan(60);
      finishAll();
      await sut.beforeApplicationShutdown();

      // 5 s, ±10% jitter.
      const seconds = await dueIn(id);
      expect(seconds).toBeGreaterThan(4);
      expect(seconds).toBeLessThanOrEqual(5.5);
    });
  });

  describe('recording outcomes', () => {
    const answered: DiscoveryResult = {
      protocolVersion: '2025-11-25',
      serverInfo: { name: 'up', version: '1' },
      snapshot: { tools: [], resources: [], resourceTemplates: [], prompts: [], serverCapabilities: {} },
      latencyMs: 5,
    };

    function checkerAnswering(answer: () => Promise<DiscoveryResult>): ServerChecker {
      const discovery = { discover: answer } as unknown as CapabilityDiscovery;
      const cache = {
        get: () => undefined,
        changed: async (id: string) => {
          const entity = await repository.systemFindById(id);
          return entity ? toRegistered(entity) : undefined;
        },
      } as unknown as RegistryCache;
      const metrics = { registry: new Registry() } as MetricsService;
      return new ServerChecker(discovery, repository, cache, metrics, TenantsService.on(db));
    }

    const snapshotOf = async (id: string) => toRegistered((await repository.systemFindById(id))!);

    it('counts every failure of checks that overlap, and fails the server at the threshold', async () => {
      const id = await addServer({ unhealthyThreshold: 3 }, 'healthy');
      const sut = checkerAnswering(() => Promise.reject(new Error('ECONNREFUSED')));
      // Both checks read the server before either stored its outcome.
      const before = await snapshotOf(id);

      await Promise.all([sut.check(before), sut.check(before)]);
      expect(await row(id)).toEqual({ consecutive_failures: 2, status: 'degraded' });

      const { server } = await sut.check(before);
      expect(await row(id)).toEqual({ consecutive_failures: 3, status: 'unhealthy' });
      expect(server).toMatchObject({ consecutiveFailures: 3, status: 'unhealthy' });
    });

    it('resets the count when the server answers', async () => {
      const id = await addServer({ unhealthyThreshold: 3 }, 'healthy');
      const failing = checkerAnswering(() => Promise.reject(new Error('ECONNREFUSED')));
      await failing.check(await snapshotOf(id));
      await failing.check(await snapshotOf(id));

      await checkerAnswering(() => Promise.resolve(answered)).check(await snapshotOf(id));

      expect(await row(id)).toEqual({ consecutive_failures: 0, status: 'healthy' });
    });
  });
});
