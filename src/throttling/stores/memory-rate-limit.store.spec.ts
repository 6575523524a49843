import { MemoryRateLimitStore } from './memory-rate-limit.store.js';

describe('MemoryRateLimitStore', () => {
  let now = 1_000_000;
  let sut: MemoryRateLimitStore;
  const hit = (key: string, limit: number, cost = 1, windowMs = 60_000) => ({ key, limit, cost, windowMs });

  beforeEach(() => {
    now = 1_000_000;
    sut = new MemoryRateLimitStore(() => now);
  });
  afterEach(() => sut.onApplicationShutdown());

  it('counts within a fixed window and refuses once the limit is reached', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await sut.hitAll([hit('a', 3)])).toEqual({
        admitted: true,
        states: [{ count: i, resetMs: 60_000 }],
      });
    }
    now += 10_000;
    expect(await sut.hitAll([hit('a', 3)])).toEqual({
      admitted: false,
      states: [{ count: 3, resetMs: 50_000 }],
    });
  });

  it('peeks at counters without counting: the live window, or an empty full one', async () => {
    await sut.hitAll([hit('a', 5, 2)]);
    now += 15_000;
    const peek = [
      { key: 'a', windowMs: 60_000 },
      { key: 'never', windowMs: 1_000 },
    ];
    expect(await sut.peekAll(peek)).toEqual([
      { count: 2, resetMs: 45_000 },
      { count: 0, resetMs: 1_000 },
    ]);
    expect(await sut.peekAll(peek)).toEqual(await sut.peekAll(peek));
    expect(sut.size).toBe(1);
    now += 45_000;
    expect(await sut.peekAll(peek.slice(0, 1))).toEqual([{ count: 0, resetMs: 60_000 }]);
  });

  it('starts a new window when the old one ended', async () => {
    await sut.hitAll([hit('a', 1)]);
    now += 60_000;
    expect(await sut.hitAll([hit('a', 1)])).toEqual({
      admitted: true,
      states: [{ count: 1, resetMs: 60_000 }],
    });
  });

  it('is all or nothing: a request refused by one counter costs nothing in the others', async () => {
    await sut.hitAll([hit('tool', 1)]);
    const refused = await sut.hitAll([hit('user', 10), hit('tool', 1)]);
    expect(refused.admitted).toBe(false);
    expect(refused.states.map((state) => state.count)).toEqual([0, 1]);
    expect((await sut.hitAll([hit('user', 10)])).states[0].count).toBe(1);
  });

  it('charges a batch its full cost, and refuses one that does not fit whole', async () => {
    expect((await sut.hitAll([hit('a', 5, 4)])).states[0].count).toBe(4);
    expect(await sut.hitAll([hit('a', 5, 2)])).toMatchObject({ admitted: false, states: [{ count: 4 }] });
    expect(await sut.hitAll([hit('a', 5, 1)])).toMatchObject({ admitted: true, states: [{ count: 5 }] });
  });

  it("answers @nestjs/throttler's increment with its record shape", async () => {
    expect(await sut.increment('k', 1_000, 1, 0, 'default')).toEqual({
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(await sut.increment('k', 1_000, 1, 0, 'default')).toEqual({
      totalHits: 2,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
  });

  it('sweeps ended windows', async () => {
    await sut.hitAll([hit('short', 5, 1, 1_000), hit('long', 5)]);
    now += 1_000;
    sut.sweep();
    expect(sut.size).toBe(1);
  });
});
