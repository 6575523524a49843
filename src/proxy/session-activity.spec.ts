import type { AppConfig } from '../config/app-config.js';
import { SessionActivity } from './session-activity.js';
import type { ProxySession } from './session-token.js';

const config = (sessionIdleMs: number) => ({ proxy: { sessionIdleMs } }) as unknown as AppConfig;
const session = (issuedAt: number) => ({ issuedAt }) as ProxySession;

describe('SessionActivity without Redis', () => {
  it('expires a session idle longer than the limit, and counts the sessions used within a window', async () => {
    const activity = new SessionActivity(config(60_000));
    await activity.touch('a', session(0), 1_000);
    await activity.touch('b', session(0), 50_000);
    expect(activity.activeWithin(30_000, 60_000)).toBe(1);
    expect(activity.activeWithin(60_000, 60_000)).toBe(2);

    await expect(activity.touch('a', session(0), 62_000)).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    await expect(activity.touch('b', session(0), 62_000)).resolves.toBeUndefined();
    expect(activity.activeWithin(60_000, 62_000)).toBe(1);
  });

  it('still counts sessions when no idle limit is enforced', async () => {
    const activity = new SessionActivity(config(0));
    await activity.touch('a', session(0), 1_000);
    await activity.touch('a', session(0), 10_000_000);
    expect(activity.activeWithin(60_000, 10_000_000)).toBe(1);
  });
});
