import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { withDeadline } from '../common/deadline.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AuditStore } from './audit-store.js';
import type { PendingAuditEvent } from './audit.types.js';
import { SpillFile } from './spill-file.js';

export const FLUSH_INTERVAL_MS = 100;
export const BATCH_SIZE = 500;
/** While spilling, how often PostgreSQL is probed for a replay (ticks in between go straight to the file). */
const REPLAY_RETRY_MS = 1_000;
/** The client-side deadline of a write comes this much after PostgreSQL's own statement timeout would. */
const DEADLINE_MARGIN_MS = 1_000;

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Gets audit events into PostgreSQL without slowing the request that made them: `enqueue` only pushes onto an
 * in-memory queue; every 100 ms (or as soon as 500 are waiting) the queue is written in batches, one at a time and
 * in order. When PostgreSQL cannot be reached the events go to the spill file instead, and every later event follows
 * them there until the file has been replayed, so order is kept; replay skips events already stored, so each lands
 * exactly once. Shutdown flushes the queue. A crash (kill -9) loses what was queued or in the batch being written:
 * the events of one flush interval plus those queued while the last write ran (writes are serialised, which keeps
 * each tenant's hash chain in order), measured by bench/audit-crash-loss.mjs and counted by the queue-depth gauge.
 *
 * Memory stays bounded when PostgreSQL is slow or stalls rather than refusing: a batch not stored within
 * MREG_AUDIT_WRITE_TIMEOUT_MS counts as a failure (spill), and a queue longer than MREG_AUDIT_QUEUE_MAX moves to the
 * spill file. While spilling, PostgreSQL is probed once a second, and the file is read only when it answers.
 */
@Injectable()
export class AuditWriter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditWriter');
  private queue: PendingAuditEvent[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private readonly spill: SpillFile;
  private timer?: NodeJS.Timeout;
  /** The flush chain: every write, spill append and replay runs on it, one at a time (replay relies on that). */
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  /** Events of the batch being written from the queue: in memory only until that write commits. */
  private inFlight = 0;
  /** True while events wait in the spill file: new ones must follow them there. */
  private spilling = false;
  /** While spilling: no replay attempt before this time (explicit flushes try at once). */
  private nextReplayAt = 0;
  private readonly writeTimeoutMs: number;
  private readonly queueMax: number;
  private readonly written: Counter;
  private readonly spilled: Counter;
  private readonly dropped: Counter;
  private readonly writeSeconds: Histogram;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: AuditStore,
    metrics: MetricsService,
  ) {
    this.spill = new SpillFile(config.dataDir);
    this.writeTimeoutMs = config.audit.writeTimeoutMs;
    this.queueMax = config.audit.queueMax;
    const registers = [metrics.registry];
    this.written = new Counter({
      name: 'mcp_gateway_audit_events_written_total',
      help: 'Audit events stored in PostgreSQL',
      registers,
    });
    this.spilled = new Counter({
      name: 'mcp_gateway_audit_events_spilled_total',
      help: 'Audit events written to the spill file because PostgreSQL was unreachable',
      registers,
    });
    this.dropped = new Counter({
      name: 'mcp_gateway_audit_events_dropped_total',
      help: 'Audit events that could not be stored at all (invalid data, torn spill line)',
      registers,
    });
    this.writeSeconds = new Histogram({
      name: 'mcp_gateway_audit_write_duration_seconds',
      help: 'Time to store one batch of audit events',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    });
    const depth: Gauge = new Gauge({
      name: 'mcp_gateway_audit_queue_depth',
      help: 'Audit events in memory, not yet stored: queued and in the batch being written (what a crash would lose)',
      registers,
      collect: () => depth.set(this.queue.length + this.inFlight),
    });
    const spillPending: Gauge = new Gauge({
      name: 'mcp_gateway_audit_spill_pending',
      help: '1 while audit events wait in the spill file for PostgreSQL to come back',
      registers,
      collect: () => spillPending.set(this.spilling ? 1 : 0),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Events a previous run spilled are replayed before anything new is written.
    this.spilling = await this.spill.exists();
    this.timer = setInterval(() => this.scheduleFlush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Queues an event; never waits and never throws. */
  enqueue(event: PendingAuditEvent): void {
    this.queue.push(event);
    if (this.queue.length >= BATCH_SIZE) this.scheduleFlush();
  }

  /** Queues an event and resolves once it is stored in PostgreSQL; rejects if it had to go to the spill file. */
  enqueueDurably(event: PendingAuditEvent): Promise<void> {
    const stored = new Promise<void>((resolve, reject) =>
      this.waiters.set(event.eventId, { resolve, reject }),
    );
    this.enqueue(event);
    this.scheduleFlush();
    return stored;
  }

  /** False while PostgreSQL is known to be unreachable (events are being spilled). */
  get healthy(): boolean {
    return !this.spilling;
  }

  /** Writes everything queued so far (tests, shutdown). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce(true));
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // While spilling, the queue joins the file instead of replaying it now: a large file could outlast the
    // shutdown grace period, and the kill that ends it would lose the queue. The next start replays the file.
    if (this.spilling) {
      this.flushing = this.flushing.then(() => this.toSpill(this.queue.splice(0)));
      await this.flushing;
      return;
    }
    await this.flush();
    if (this.queue.length > 0) await this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushing = this.flushing.then(async () => {
      this.flushScheduled = false;
      await this.flushOnce(false);
    });
  }

  /** `retryNow`: replay a spill file now, even if the last attempt was less than a second ago. */
  private async flushOnce(retryNow: boolean): Promise<void> {
    if (this.spilling) {
      const due = retryNow || Date.now() >= this.nextReplayAt;
      if (!due || !(await this.replay())) {
        await this.toSpill(this.queue.splice(0));
        return;
      }
    }
    while (this.queue.length > 0) {
      if (this.queue.length > this.queueMax) {
        this.startSpilling(`more than ${this.queueMax} audit events queued (PostgreSQL is slow)`);
        await this.toSpill(this.queue.splice(0));
        return;
      }
      const batch = this.queue.splice(0, BATCH_SIZE);
      this.inFlight = batch.length;
      try {
        await this.write(batch);
      } catch (error) {
        this.startSpilling(`PostgreSQL unreachable: ${(error as Error).message}`);
        await this.toSpill([...batch, ...this.queue.splice(0)]);
        return;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private startSpilling(reason: string): void {
    this.logger.warn(`${reason}; spilling audit events to ${this.spill.path}`);
    this.spilling = true;
    this.nextReplayAt = Date.now() + REPLAY_RETRY_MS;
  }

  /** Stores a batch; a batch refused for its data (not for connectivity) is retried event by event. */
  private async write(batch: PendingAuditEvent[]): Promise<void> {
    const stop = this.writeSeconds.startTimer();
    const refused = new Set<string>();
    try {
      await this.append(batch);
    } catch (error) {
      if (!isDataError(error)) throw error;
      for (const event of batch) {
        try {
          await this.append([event]);
        } catch (single) {
          if (!isDataError(single)) throw single;
          refused.add(event.eventId);
          this.logger.error(
            `Audit event ${event.eventId} (${event.action}) refused by PostgreSQL: ${(single as Error).message}`,
          );
        }
      }
    } finally {
      stop();
    }
    this.written.inc(batch.length - refused.size);
    this.dropped.inc(refused.size);
    for (const event of batch) {
      // A refused event is not stored: whoever waits for it durably (fail-closed) must hear so.
      this.settle(
        event.eventId,
        refused.has(event.eventId) ? new Error('audit record refused by PostgreSQL') : undefined,
      );
    }
  }

  /**
   * Bounded by the write timeout on both sides: PostgreSQL cancels the statements, and a database that never answers
   * (a stalled network) is given up on here. A batch given up on may still commit later; its replay skips it then.
   */
  private append(events: PendingAuditEvent[]): Promise<number> {
    return withDeadline(
      this.store.append(events, this.writeTimeoutMs),
      this.writeTimeoutMs + DEADLINE_MARGIN_MS,
      'audit write',
    );
  }

  /**
   * Replays the spill file in order, one batch in memory at a time; true when it is gone. Interrupted (PostgreSQL
   * went away again), the next attempt starts from the top and the store skips what is already stored.
   */
  private async replay(): Promise<boolean> {
    this.nextReplayAt = Date.now() + REPLAY_RETRY_MS;
    try {
      // A cheap probe first: the file (possibly large after a long outage) is read only when PostgreSQL answers.
      if (await this.spill.exists())
        await withDeadline(this.store.ping(), this.writeTimeoutMs, 'audit probe');
      let replayed = 0;
      let torn = 0;
      for await (const batch of this.spill.batches(BATCH_SIZE)) {
        if (batch.events.length > 0) await this.write(batch.events);
        replayed += batch.events.length;
        torn += batch.torn;
        // A long replay must not let new events pile up in memory past the cap: stop here; the queue then follows the
        // file into it (order kept), and the next replay skips what is already stored.
        if (this.queue.length > this.queueMax) {
          this.logger.warn(`Replay paused after ${replayed} events: ${this.queue.length} new events queued`);
          return false;
        }
      }
      // Nothing can have been appended since the reader reached the end: appends (toSpill) and this replay both run
      // on the flush chain, one after the other, and events enqueued meanwhile wait in the queue, to be written
      // after this. Removing the file therefore loses nothing. Keep it that way: an append outside the chain could
      // land between the last read and this remove.
      await this.spill.remove();
      this.spilling = false;
      // Counted once the whole file is done, so a replay interrupted and redone does not count its torn lines twice.
      if (torn > 0) {
        this.dropped.inc(torn);
        this.logger.warn(`Dropped ${torn} torn line(s) of the audit spill file`);
      }
      if (replayed > 0) this.logger.log(`Replayed ${replayed} spilled audit events`);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.spilling = false;
        return true;
      }
      return false;
    }
  }

  private async toSpill(events: PendingAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.spill.append(events);
      this.spilled.inc(events.length);
    } catch (error) {
      this.dropped.inc(events.length);
      this.logger.error(
        `Audit events lost: neither PostgreSQL nor ${this.spill.path} could take them: ${(error as Error).message}`,
      );
    }
    for (const event of events)
      this.settle(event.eventId, new Error('audit record not durable in PostgreSQL'));
  }

  private settle(eventId: string, error?: Error): void {
    const waiter = this.waiters.get(eventId);
    if (!waiter) return;
    this.waiters.delete(eventId);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

/** PostgreSQL refused the data itself (SQLSTATE class 22 or 23), as opposed to being unreachable. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
