import { tenantRequestLimit } from './tenant-settings.js';

describe('tenantRequestLimit', () => {
  it('reads a usable requestsPerMinute and ignores anything else', () => {
    expect(tenantRequestLimit({ requestsPerMinute: 250_000 })).toBe(250_000);
    for (const value of [0, -5, 1.5, '100', null, 1e12]) {
      expect(tenantRequestLimit({ requestsPerMinute: value })).toBeUndefined();
    }
    expect(tenantRequestLimit({})).toBeUndefined();
    expect(tenantRequestLimit(undefined)).toBeUndefined();
  });
});
