import { RouterMetrics } from './router-metrics.js';

describe('RouterMetrics', () => {
  it('counts requests, errors and latency per server, and forgets servers no longer registered', () => {
    const metrics = new RouterMetrics();
    metrics.start('a')(false);
    metrics.start('a')(true);
    const open = metrics.start('b');
    expect(
      metrics
        .snapshot()
        .map(({ serverId, requests, errors, activeRequests }) => [
          serverId,
          requests,
          errors,
          activeRequests,
        ]),
    ).toEqual([
      ['a', 2, 1, 0],
      ['b', 0, 0, 1],
    ]);

    metrics.retainOnly(new Set(['b']));
    open(false);
    expect(metrics.snapshot().map(({ serverId, requests }) => [serverId, requests])).toEqual([['b', 1]]);
  });
});
