import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';
import { Database } from './database.js';

/** Database pool usage, read at scrape time: a pool that is always busy, or has waiters, is the bottleneck. */
@Injectable()
export class DatabaseMetrics {
  constructor(metrics: MetricsService, database: Database) {
    const registers = [metrics.registry];
    const connections: Gauge<'state'> = new Gauge({
      name: 'mcp_gateway_db_pool_connections',
      help: `Database pool connections of this process by state (busy, idle); at most MREG_DB_POOL_SIZE`,
      labelNames: ['state'] as const,
      registers,
      collect: () => {
        const usage = database.poolUsage();
        connections.set({ state: 'busy' }, usage.busy);
        connections.set({ state: 'idle' }, usage.idle);
      },
    });
    const waiting: Gauge = new Gauge({
      name: 'mcp_gateway_db_pool_waiting',
      help: 'Queries of this process waiting for a free database connection',
      registers,
      collect: () => waiting.set(database.poolUsage().waiting),
    });
  }
}
