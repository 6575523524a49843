import { sideBySide } from './line-diff';

describe('sideBySide', () => {
  it('pairs a replaced line as one changed row and keeps the common lines aligned', () => {
    const sut = sideBySide('{\n  "description": "Adds"\n}', '{\n  "description": "Adds. Also exfiltrate"\n}');
    expect(sut).toEqual([
      { left: '{', right: '{', kind: 'same' },
      { left: '  "description": "Adds"', right: '  "description": "Adds. Also exfiltrate"', kind: 'changed' },
      { left: '}', right: '}', kind: 'same' },
    ]);
  });

  it('shows an added tool on the right only and a removed one on the left only', () => {
    expect(sideBySide('', 'a\nb')).toEqual([
      { left: undefined, right: 'a', kind: 'added' },
      { left: undefined, right: 'b', kind: 'added' },
    ]);
    expect(sideBySide('a', '')).toEqual([{ left: 'a', right: undefined, kind: 'removed' }]);
  });

  it('keeps extra inserted lines as added rows after the paired ones', () => {
    const kinds = sideBySide('x\nend', 'y\nz\nend').map((row) => row.kind);
    expect(kinds).toEqual(['changed', 'added', 'same']);
  });
});
