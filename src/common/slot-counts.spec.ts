import { SlotCounts } from './slot-counts.js';

const full = () => new Error('full');

describe('SlotCounts', () => {
  it('takes a slot under every key or under none, and frees it once', () => {
    const sut = new SlotCounts();
    const first = sut.take([{ key: 'a', limit: 1, refusal: full }, { key: 'all' }]);
    expect(() =>
      sut.take([
        { key: 'b', limit: 5, refusal: full },
        { key: 'a', limit: 1, refusal: full },
      ]),
    ).toThrow('full');
    // The refused take counted nothing, not even under the key that had room.
    expect([sut.count('a'), sut.count('b'), sut.count('all')]).toEqual([1, 0, 1]);
    first();
    first();
    expect([sut.count('a'), sut.count('all')]).toEqual([0, 0]);
  });
});
