/** One line of a side-by-side diff: `same` on both sides, or only on the left (removed) / right (added). */
export interface DiffRow {
  left?: string;
  right?: string;
  kind: 'same' | 'changed' | 'removed' | 'added';
}

/**
 * Line diff by longest common subsequence (tool definitions are short: a few hundred lines at most), paired into
 * rows: a removed line followed by an added one shows as one changed row, as reviewers expect.
 */
export function sideBySide(before: string, after: string): DiffRow[] {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const rows: DiffRow[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    const pairs = Math.max(removed.length, added.length);
    for (let k = 0; k < pairs; k++) {
      const left = removed[k];
      const right = added[k];
      rows.push({
        left,
        right,
        kind:
          left !== undefined && right !== undefined ? 'changed' : left !== undefined ? 'removed' : 'added',
      });
    }
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      rows.push({ left: a[i], right: b[j], kind: 'same' });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      added.push(b[j++]);
    } else {
      removed.push(a[i++]);
    }
  }
  flush();
  return rows;
}
