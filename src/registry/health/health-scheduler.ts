import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RegistryRepository } from '../registry.repository.js';
import { toRegistered } from '../server-views.js';
import { ServerChecker } from './server-checker.js';
import { CHECK_LEASE_MARGIN_SECONDS, probeTimeoutMs } from './check-timing.js';
import { withDeadline } from '../../common/deadline.js';

const TICK_MS = 1_000;
const MAX_IN_FLIGHT = 10;
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Checks every server once per its interval, cluster-wide: each tick claims due rows with `FOR UPDATE SKIP LOCKED`
 * (leasing them for as long as their check may take in the same statement), so replicas share the work instead of
 * repeating it; a finished check makes the next one due an interval later. Slots are per replica, so one server
 * that never answers holds one slot, never many.
 */
@Injectable()
export class HealthScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HealthScheduler');
  private timer?: NodeJS.Timeout;
  /** Checks running on this replica, by server id. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private ticking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: RegistryRepository,
    private readonly checker: ServerChecker,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.healthChecksEnabled) return;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** One scheduling round; public so tests can drive it without waiting for the timer. */
  async tick(): Promise<void> {
    if (this.ticking || this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.ticking = true;
    try {
      const running = [...this.inFlight.keys()];
      const ids = await this.repository.systemClaimDueChecks(MAX_IN_FLIGHT - running.length, running);
      for (const id of ids) {
        if (this.inFlight.has(id)) continue;
        this.inFlight.set(
          id,
          this.checkOne(id).finally(() => this.inFlight.delete(id)),
        );
      }
    } catch (error) {
      this.logger.warn(`Health check round failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async checkOne(id: string): Promise<void> {
    try {
      const entity = await this.repository.systemFindById(id);
      if (entity) {
        const server = toRegistered(entity);
        // However the check misbehaves, its slot on this replica is free again once its lease could have ended.
        const longest = probeTimeoutMs(server) + CHECK_LEASE_MARGIN_SECONDS * 1000;
        await withDeadline(this.checker.check(server), longest, `health check of ${server.name}`);
      }
    } catch (error) {
      this.logger.warn(`Health check of server ${id} failed: ${(error as Error).message}`);
    }
    // The claim leased the server for the longest a check may take; the next check is an interval after this one.
    await this.repository
      .systemScheduleNextCheck(id)
      .catch((error: unknown) =>
        this.logger.warn(`Could not schedule the next check of server ${id}: ${(error as Error).message}`),
      );
  }

  /** Before the database closes: stop claiming, and give running checks a moment to store their outcome. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
}
