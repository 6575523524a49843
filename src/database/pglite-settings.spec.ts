import { PGlite } from '@electric-sql/pglite';
import { PGLITE_SETTINGS, pgliteStartParams } from './pglite-settings.js';

describe('pgliteStartParams', () => {
  it("keeps PGlite's own start arguments (they are replaced, not extended, by startParams) and adds ours", () => {
    const params = pgliteStartParams();
    expect(params.slice(0, PGlite.defaultStartParams.length)).toEqual(PGlite.defaultStartParams);
    expect(params.slice(PGlite.defaultStartParams.length)).toEqual(
      Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    );
    expect(params).toEqual(expect.arrayContaining(['--single']));
  });
});
