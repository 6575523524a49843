import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PendingAuditEvent } from './audit.types.js';
import { SpillFile } from './spill-file.js';

const event = (n: number) => ({ eventId: `e${n}`, action: 'x' }) as unknown as PendingAuditEvent;

describe('SpillFile', () => {
  it('keeps every event appended after a torn line a crash left behind, dropping only the torn one', async () => {
    const spill = new SpillFile(mkdtempSync(join(tmpdir(), 'mreg-spill-')));
    await spill.append([event(1)]);
    appendFileSync(spill.path, '{"eventId":"e2","act'); // the process died here
    await spill.append([event(3), event(4)]);
    const { events, torn } = await spill.read();
    expect(events.map((e) => e.eventId)).toEqual(['e1', 'e3', 'e4']);
    expect(torn).toBe(1);
  });
});
