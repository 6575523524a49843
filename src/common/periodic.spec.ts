import type { Logger } from '@nestjs/common';
import { runPeriodically } from './periodic.js';

describe('runPeriodically', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs after the first delay, then every period, goes on after a failure, and stops when told', async () => {
    const warnings: string[] = [];
    let runs = 0;
    const stop = runPeriodically({
      name: 'Job',
      firstAfterMs: 1_000,
      everyMs: 10_000,
      run: () => (++runs === 2 ? Promise.reject(new Error('boom')) : Promise.resolve()),
      logger: { warn: (message: string) => warnings.push(message) } as unknown as Logger,
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(20_000);
    expect(runs).toBe(3);
    expect(warnings).toEqual(['Job failed: boom']);
    stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(3);
  });
});
