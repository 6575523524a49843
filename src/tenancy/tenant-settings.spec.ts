import { tenantAuditRetentionDays, tenantRequestLimit } from './tenant-settings.js';

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

describe('tenantAuditRetentionDays', () => {
  it('reads a positive whole number of days, as a number or as text', () => {
    expect(tenantAuditRetentionDays({ auditRetentionDays: 30 }, 't')).toBe(30);
    expect(tenantAuditRetentionDays({ auditRetentionDays: ' 7 ' }, 't')).toBe(7);
  });

  it('leaves the gateway default to an absent, null, zero or negative setting', () => {
    for (const settings of [
      undefined,
      {},
      { auditRetentionDays: null },
      { auditRetentionDays: 0 },
      { auditRetentionDays: -3 },
    ])
      expect(tenantAuditRetentionDays(settings, 't')).toBeUndefined();
  });

  it('stops on anything else, naming the tenant (retention must not delete by a guess)', () => {
    for (const value of [1.5, 'thirty', true, { days: 3 }, '1e3'])
      expect(() => tenantAuditRetentionDays({ auditRetentionDays: value }, 'acme')).toThrow(
        'Tenant acme has an auditRetentionDays setting that is not a whole number',
      );
  });
});
