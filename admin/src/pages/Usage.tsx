import { getJson } from '../lib/api';
import type { BucketUsage, ToolUsage, UsageView } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { ErrorAlert } from '../components/ErrorAlert';

const TIER_LABEL: Record<string, string> = {
  admin: 'admin',
  server_owner: 'server_owner',
  user: 'user',
  anonymous: 'anonymous (per client address)',
};

const per = (seconds: number) => (seconds === 60 ? 'minute' : seconds === 1 ? 'second' : `${seconds} s`);

/**
 * "12 / 600 per minute" with a native meter (exact width without a style attribute, which the CSP forbids); "– / 600"
 * when the counter store could not be read.
 */
function Used({ usage }: { usage: BucketUsage }) {
  return (
    <>
      <span class="font-monospace">
        {usage.used ?? '–'} / {usage.limit}
      </span>{' '}
      per {per(usage.windowSeconds)}
      {usage.used !== null && (
        <meter
          class="d-block w-100"
          min={0}
          max={usage.limit}
          low={usage.limit * 0.7}
          high={usage.limit * 0.9}
          optimum={0}
          value={usage.used}
          aria-label={`${usage.bucket}: ${usage.used} of ${usage.limit} used`}
        />
      )}
    </>
  );
}

function BucketRows({ buckets, scope }: { buckets: readonly (BucketUsage | ToolUsage)[]; scope: string }) {
  return (
    <>
      {buckets.map((usage, index) => (
        <tr key={`${scope}-${usage.bucket}-${index}`}>
          <th scope="row" class="fw-normal">
            {scope}
            {'tool' in usage && (
              <>
                {' '}
                · <span class="font-monospace">{usage.tool}</span>
              </>
            )}
          </th>
          <td>{usage.bucket}</td>
          <td class="text-nowrap">
            <Used usage={usage} />
          </td>
          <td class="text-end">{usage.resetsInSeconds === null ? '–' : `${usage.resetsInSeconds} s`}</td>
          <td class="small">{usage.describe}</td>
        </tr>
      ))}
    </>
  );
}

/**
 * Rate limits and their use for the signed-in admin's tenant, and the proxy's open streams and sessions
 * (GET /api/v1/admin/usage). Counters are read by key: the admin's own, the tenant's, the deployment's.
 */
export function Usage() {
  const usage = useLoad(() => getJson<UsageView>('/api/v1/admin/usage'), []);
  const data = usage.data;
  const limits = data?.rateLimits;
  return (
    <>
      <div class="d-flex align-items-center mb-2">
        <h1 class="h3 me-auto mb-0">Usage</h1>
        <button type="button" class="btn btn-outline-secondary btn-sm" onClick={usage.reload}>
          Refresh
        </button>
      </div>
      <ErrorAlert error={usage.error} />
      {usage.loading && !data && <p>Loading…</p>}
      {data && limits && (
        <>
          <p class="text-body-secondary" data-testid="usage-scope">
            Rate limiting is {limits.enabled ? 'on' : 'off'}; counters are kept in {limits.store} and cover{' '}
            {limits.countersScope === 'deployment'
              ? 'every replica of the gateway'
              : 'only the replica that answered (no Redis)'}
            . Other users' counters are not listed: they are counted by key, and reading the whole store would
            cost every page view a scan.
          </p>
          {!limits.countersAvailable && (
            <div class="alert alert-warning" role="status">
              The counter store could not be read: limits are shown without their use.
            </div>
          )}
          <div class="row g-3 mb-4">
            <div class="col-lg-5">
              <section class="card h-100" aria-labelledby="tiers-title">
                <div class="card-body">
                  <h2 class="h6 card-title" id="tiers-title">
                    Limits per tier (per user)
                  </h2>
                  <table class="table table-sm mb-2" data-testid="tier-limits">
                    <thead>
                      <tr>
                        <th scope="col">Tier</th>
                        <th scope="col" class="text-end">
                          Per minute
                        </th>
                        <th scope="col" class="text-end">
                          Burst per second
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {limits.tiers.map((tier) => (
                        <tr key={tier.tier} data-tier={tier.tier}>
                          <th scope="row" class="fw-normal">
                            {TIER_LABEL[tier.tier] ?? tier.tier}
                            {tier.tier === limits.caller.tier && (
                              <span class="badge text-bg-primary ms-1">yours</span>
                            )}
                          </th>
                          <td class="text-end font-monospace">{tier.perMinute}</td>
                          <td class="text-end font-monospace">{tier.burstPerSecond ?? '–'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <ul class="list-unstyled small mb-0">
                    <li>
                      Tenant limit: {limits.settings.tenantMultiplier} × the user tier (unless set per tenant)
                    </li>
                    <li>Session housekeeping: {limits.settings.housekeepingPerMinute} per minute per user</li>
                    <li>OAuth: {limits.settings.oauthPerMinute} per minute per client address</li>
                    <li>
                      Deployment ceiling:{' '}
                      {limits.settings.globalPerMinute > 0
                        ? `${limits.settings.globalPerMinute} per minute`
                        : 'none'}
                    </li>
                    <li>
                      When the store is unreachable:{' '}
                      {limits.settings.failClosed ? 'refuse (fail closed)' : 'allow (fail open)'}
                    </li>
                  </ul>
                </div>
              </section>
            </div>
            <div class="col-lg-7">
              <section class="card h-100" aria-labelledby="streams-title">
                <div class="card-body">
                  <h2 class="h6 card-title" id="streams-title">
                    Open streams and sessions (this replica)
                  </h2>
                  <dl class="row small mb-0" data-testid="streams">
                    <dt class="col-sm-7">Streams open by your tenant</dt>
                    <dd class="col-sm-5">{data.streams.tenant}</dd>
                    <dt class="col-sm-7">Streams open, every tenant</dt>
                    <dd class="col-sm-5">{data.streams.allTenants ?? 'platform administrators only'}</dd>
                    <dt class="col-sm-7">Stream limits per user</dt>
                    <dd class="col-sm-5">
                      {data.streams.maxPerUser} in all, {data.streams.maxPerUserPerServer} per server
                    </dd>
                    <dt class="col-sm-7">
                      Proxy sessions active in the last {Math.round(data.sessions.windowSeconds / 60)} minutes
                    </dt>
                    <dd class="col-sm-5">{data.sessions.active ?? 'platform administrators only'}</dd>
                    <dt class="col-sm-7">Session idle timeout</dt>
                    <dd class="col-sm-5">
                      {data.sessions.idleTimeoutSeconds > 0
                        ? `${data.sessions.idleTimeoutSeconds} s`
                        : 'none'}
                    </dd>
                  </dl>
                </div>
              </section>
            </div>
          </div>
          <section aria-labelledby="buckets-title">
            <h2 class="h5" id="buckets-title">
              Current windows
            </h2>
            <div class="table-responsive">
              <table class="table table-sm align-middle" data-testid="buckets">
                <thead>
                  <tr>
                    <th scope="col">Who</th>
                    <th scope="col">Bucket</th>
                    <th scope="col">Used</th>
                    <th scope="col" class="text-end">
                      Resets in
                    </th>
                    <th scope="col">Limit</th>
                  </tr>
                </thead>
                <tbody>
                  <BucketRows buckets={limits.caller.buckets} scope="You" />
                  <BucketRows buckets={limits.tenant.buckets} scope="Your tenant" />
                  {limits.global && <BucketRows buckets={[limits.global]} scope="Whole deployment" />}
                  <BucketRows buckets={limits.gatewayTools} scope="You, gateway tool" />
                  {limits.servers.map((server) => (
                    <BucketRows
                      key={server.serverId}
                      buckets={[...(server.requests ? [server.requests] : []), ...server.tools]}
                      scope={`You, on ${server.name}`}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            <p class="small text-body-secondary">As of {new Date(data.generatedAt).toLocaleString()}.</p>
          </section>
        </>
      )}
    </>
  );
}
