import { isDatabaseUnavailable } from './database-unavailable.js';

describe('isDatabaseUnavailable', () => {
  it('recognises an unreachable or refusing database, not a failed query', () => {
    for (const error of [
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
      { code: '57P01', message: 'terminating connection due to administrator command' },
      { code: '08006', message: 'connection failure' },
      { code: '55000', message: 'database "x" is not currently accepting connections' },
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
    }
    for (const error of [
      { code: '23505', message: 'duplicate key value violates unique constraint' },
      { code: '55000', message: 'object not in prerequisite state' },
      new Error('boom'),
      'ECONNREFUSED',
      null,
    ]) {
      expect(isDatabaseUnavailable(error)).toBe(false);
    }
  });
});
