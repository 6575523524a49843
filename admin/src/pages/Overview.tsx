import { getJson } from '../lib/api';
import { isAdmin } from '../lib/roles';
import { navigate } from '../lib/router';
import type { RegistryStats, ServerPage, UserInfo } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { auditPipeline, readiness } from '../lib/gateway-state';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusBadge } from '../components/StatusBadge';

interface RouterMetrics {
  servers: {
    serverId: string;
    name: string;
    requests: number;
    errors: number;
    errorRate: number;
    activeRequests: number;
    latencyMs: { p50: number; p95: number; p99: number } | null;
    breakers: { url: string; state: string }[];
  }[];
  timestamp: string;
}

const STATUSES = ['healthy', 'degraded', 'unhealthy', 'maintenance', 'unknown'] as const;

/** Servers by status for everyone; request counts, error rates, p95 and breakers (GET /api/v1/router/metrics) for admins. */
export function Overview({ user }: { user: UserInfo }) {
  const servers = useLoad(() => getJson<ServerPage>('/api/v1/servers', { limit: 100 }), []);
  const metrics = useLoad(
    () => (isAdmin(user) ? getJson<RouterMetrics>('/api/v1/router/metrics') : Promise.resolve(undefined)),
    [],
  );
  // Admins get the counts by status of every server (GET /api/v1/admin/stats); others, those of the first page.
  const stats = useLoad(
    () => (isAdmin(user) ? getJson<RegistryStats>('/api/v1/admin/stats') : Promise.resolve(undefined)),
    [],
  );
  const ready = useLoad(readiness, []);
  const audit = useLoad(() => (isAdmin(user) ? auditPipeline() : Promise.resolve(undefined)), []);
  const items = servers.data?.items ?? [];
  const count = (status: string) =>
    stats.data
      ? (stats.data.byStatus[status] ?? 0)
      : items.filter((server) => server.status === status).length;
  const partial = servers.data !== undefined && servers.data.total > items.length;
  const pending = items.filter((server) => server.pendingChanges);
  const openBreakers = (metrics.data?.servers ?? []).flatMap((server) =>
    server.breakers.filter((breaker) => breaker.state !== 'closed').map((breaker) => ({ server, breaker })),
  );
  return (
    <>
      <h1 class="h3 mb-4">Overview</h1>
      <ErrorAlert error={servers.error} />
      <div class="row g-3 mb-4">
        <div class="col-6 col-md">
          <div class="card h-100">
            <div class="card-body">
              <div class="text-body-secondary small">Servers</div>
              <div class="fs-3 fw-semibold" data-testid="server-total">
                {servers.data?.total ?? '…'}
              </div>
            </div>
          </div>
        </div>
        {STATUSES.map((status) => (
          <div class="col-6 col-md" key={status}>
            <div class="card h-100">
              <div class="card-body">
                <div class="small mb-1">
                  <StatusBadge value={status} />
                </div>
                <div class="fs-3 fw-semibold" data-testid={`status-${status}`}>
                  {servers.data ? count(status) : '…'}
                </div>
              </div>
            </div>
          </div>
        ))}
      </div>
      {partial && (
        <p class="small text-body-secondary" data-testid="status-partial">
          {stats.data ? 'Pending changes cover' : 'Counts by status and pending changes cover'} the first{' '}
          {items.length} servers.
        </p>
      )}
      <div class="row g-3 mb-4">
        <div class="col-md-6">
          <section class="card h-100" aria-labelledby="ready-title">
            <div class="card-body">
              <h2 class="h6 card-title" id="ready-title">
                Gateway readiness{' '}
                {ready.data && <StatusBadge value={ready.data.status === 'ok' ? 'healthy' : 'unhealthy'} />}
              </h2>
              <ul class="list-unstyled small mb-0">
                {Object.entries(ready.data?.checks ?? {}).map(([name, check]) => (
                  <li key={name}>
                    {name}: {check.status}
                    {typeof check.kind === 'string' && ` (${check.kind})`}
                    {typeof check.message === 'string' && ` – ${check.message}`}
                  </li>
                ))}
              </ul>
            </div>
          </section>
        </div>
        {isAdmin(user) && (
          <div class="col-md-6">
            <section class="card h-100" aria-labelledby="audit-pipeline-title">
              <div class="card-body">
                <h2 class="h6 card-title" id="audit-pipeline-title">
                  Audit pipeline (this process)
                </h2>
                {audit.loading ? (
                  <p class="small mb-0">Loading…</p>
                ) : audit.data ? (
                  <ul class="list-unstyled small mb-0" data-testid="audit-pipeline">
                    <li>Queued for the database: {audit.data.queueDepth ?? '–'}</li>
                    <li>Spilled to disk, waiting: {audit.data.spillPending ?? '–'}</li>
                    <li>Dropped since start: {audit.data.dropped ?? '–'}</li>
                  </ul>
                ) : (
                  <p class="small text-body-secondary mb-0">
                    /metrics is protected (MREG_METRICS_TOKEN); see the audit metrics in Prometheus.
                  </p>
                )}
              </div>
            </section>
          </div>
        )}
      </div>
      {pending.length > 0 && (
        <div class="alert alert-warning" role="status">
          Tool changes wait for approval on:{' '}
          {pending.map((server, index) => (
            <span key={server.id}>
              {index > 0 && ', '}
              <a
                href={`/admin/servers/${server.id}`}
                onClick={(event) => (event.preventDefault(), navigate(`/servers/${server.id}`))}
              >
                {server.name}
              </a>
            </span>
          ))}
        </div>
      )}
      {isAdmin(user) && (
        <section aria-labelledby="traffic-title">
          <h2 class="h5" id="traffic-title">
            Traffic (this gateway process)
          </h2>
          <ErrorAlert error={metrics.error} />
          {openBreakers.length > 0 && (
            <div class="alert alert-danger" role="status">
              Open circuit breakers:{' '}
              {openBreakers
                .map(({ server, breaker }) => `${server.name} (${breaker.url}: ${breaker.state})`)
                .join(', ')}
            </div>
          )}
          <div class="table-responsive">
            <table class="table table-sm align-middle">
              <thead>
                <tr>
                  <th scope="col">Server</th>
                  <th scope="col" class="text-end">
                    Requests
                  </th>
                  <th scope="col" class="text-end">
                    Error rate
                  </th>
                  <th scope="col" class="text-end">
                    p95 latency
                  </th>
                  <th scope="col" class="text-end">
                    In flight
                  </th>
                  <th scope="col">Breakers</th>
                </tr>
              </thead>
              <tbody>
                {(metrics.data?.servers ?? []).map((server) => (
                  <tr key={server.serverId}>
                    <td>{server.name}</td>
                    <td class="text-end">{server.requests}</td>
                    <td class="text-end">{(server.errorRate * 100).toFixed(1)} %</td>
                    <td class="text-end">
                      {server.latencyMs ? `${Math.round(server.latencyMs.p95)} ms` : '–'}
                    </td>
                    <td class="text-end">{server.activeRequests}</td>
                    <td>{server.breakers.map((breaker) => breaker.state).join(', ') || '–'}</td>
                  </tr>
                ))}
                {metrics.data && metrics.data.servers.length === 0 && (
                  <tr>
                    <td colSpan={6} class="text-body-secondary">
                      No proxied traffic yet.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
