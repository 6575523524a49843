import { useState } from 'preact/hooks';
import { sendJson } from '../lib/api';
import { type DiffRow, sideBySide } from '../lib/line-diff';
import type { CapabilitiesView, Tool } from '../lib/types';
import { ErrorAlert } from '../components/ErrorAlert';

const TONE: Record<DiffRow['kind'], [string, string]> = {
  same: ['', ''],
  changed: ['bg-danger-subtle', 'bg-success-subtle'],
  removed: ['bg-danger-subtle', ''],
  added: ['', 'bg-success-subtle'],
};

const asText = (tool: Tool | undefined) => (tool ? JSON.stringify(tool, null, 2) : '');

/**
 * The upstream's changed tools, approved definition beside the offered one, line by line. Approve sends the hash
 * of exactly the snapshot shown: if the upstream changed again meanwhile, the API refuses rather than approving
 * something the admin never saw.
 */
export function DriftReview(props: { view: CapabilitiesView; canApprove: boolean; onApproved: () => void }) {
  const pending = props.view.pending!;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const approvedTools = new Map((props.view.approved?.tools ?? []).map((tool) => [tool.name, tool]));
  const offeredTools = new Map(pending.capabilities.tools.map((tool) => [tool.name, tool]));
  const names = [...pending.drift.added, ...pending.drift.changed, ...pending.drift.removed];

  const approve = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await sendJson('POST', `/api/v1/servers/${props.view.serverId}/approve-changes`, {
        capabilitiesHash: pending.hash,
      });
      props.onApproved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card border-warning mb-4" aria-labelledby="drift-title" data-testid="drift">
      <div class="card-header bg-warning-subtle d-flex align-items-center gap-2 flex-wrap">
        <h2 class="h5 mb-0 me-auto" id="drift-title">
          Pending tool changes
        </h2>
        <span class="small">
          {pending.drift.added.length} added · {pending.drift.changed.length} changed ·{' '}
          {pending.drift.removed.length} removed
        </span>
      </div>
      <div class="card-body">
        <p class="small text-body-secondary">
          The upstream now offers different tools. Until an admin approves, the gateway keeps serving the
          approved ones. Snapshot hash <code data-testid="drift-hash">{pending.hash}</code>
        </p>
        <ErrorAlert error={error} />
        {names.map((name) => {
          const rows = sideBySide(asText(approvedTools.get(name)), asText(offeredTools.get(name)));
          const kind = pending.drift.added.includes(name)
            ? 'added'
            : pending.drift.removed.includes(name)
              ? 'removed'
              : 'changed';
          return (
            <div class="mb-3" key={name}>
              <h3 class="h6">
                <code>{name}</code> <span class="badge text-bg-light border">{kind}</span>
              </h3>
              <div class="table-responsive border rounded">
                <table class="table table-sm mb-0 font-monospace small" aria-label={`Diff of ${name}`}>
                  <thead>
                    <tr>
                      <th scope="col" class="w-50">
                        Approved
                      </th>
                      <th scope="col" class="w-50">
                        Offered
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row, index) => (
                      <tr key={index}>
                        <td class={TONE[row.kind][0]}>
                          <pre class="m-0">{row.left ?? ''}</pre>
                        </td>
                        <td class={TONE[row.kind][1]}>
                          <pre class="m-0">{row.right ?? ''}</pre>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          );
        })}
      </div>
      {props.canApprove && (
        <div class="card-footer d-flex justify-content-end">
          <button type="button" class="btn btn-warning" disabled={busy} onClick={() => void approve()}>
            {busy ? 'Approving…' : `Approve snapshot ${pending.hash.slice(0, 12)}`}
          </button>
        </div>
      )}
    </section>
  );
}
