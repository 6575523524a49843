import type { Logger } from '@nestjs/common';

export interface PeriodicJob {
  /** What it is, for the warning when a run fails. */
  name: string;
  firstAfterMs: number;
  everyMs: number;
  run: () => Promise<unknown>;
  logger: Logger;
}

/**
 * Runs a background job once after `firstAfterMs`, then every `everyMs`. A failed run is logged and the next one
 * comes as planned; the timers never keep the process alive. Returns the function that stops them (on shutdown).
 */
export function runPeriodically(job: PeriodicJob): () => void {
  const run = () =>
    void job
      .run()
      .catch((error: unknown) => job.logger.warn(`${job.name} failed: ${(error as Error).message}`));
  const first = setTimeout(run, job.firstAfterMs);
  const every = setInterval(run, job.everyMs);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
