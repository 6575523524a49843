import { useState } from 'preact/hooks';
import { sendJson } from '../lib/api';
import type { ServerView } from '../lib/types';
import { ConfirmDialog } from '../components/ConfirmDialog';

/**
 * Health check now, maintenance on/off and delete (with confirmation) for one server. Shown only to those who may
 * change it (admin, or the owner); the API enforces the same rule.
 */
export function ServerActions(props: {
  server: ServerView;
  onChanged: (server?: ServerView) => void;
  onError: (error: unknown) => void;
  compact?: boolean;
}) {
  const { server } = props;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<string | undefined>();
  const size = props.compact ? ' btn-sm' : '';

  const act = async (label: string, action: () => Promise<ServerView | undefined>) => {
    setBusy(label);
    try {
      props.onChanged(await action());
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(undefined);
    }
  };
  const inMaintenance = server.status === 'maintenance';
  return (
    <div class="d-flex gap-2 flex-wrap" role="group" aria-label={`Actions for ${server.name}`}>
      <button
        type="button"
        class={`btn btn-outline-primary${size}`}
        disabled={busy !== undefined}
        onClick={() =>
          void act('health', () => sendJson<ServerView>('POST', `/api/v1/servers/${server.id}/health`))
        }
      >
        {busy === 'health' ? 'Checking…' : 'Check health'}
      </button>
      <button
        type="button"
        class={`btn btn-outline-secondary${size}`}
        disabled={busy !== undefined}
        aria-pressed={inMaintenance}
        onClick={() =>
          void act('maintenance', () =>
            sendJson<ServerView>('PATCH', `/api/v1/servers/${server.id}`, { maintenance: !inMaintenance }),
          )
        }
      >
        {inMaintenance ? 'End maintenance' : 'Maintenance'}
      </button>
      <button
        type="button"
        class={`btn btn-outline-danger${size}`}
        disabled={busy !== undefined}
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
      {confirming && (
        <ConfirmDialog
          title={`Delete ${server.name}?`}
          confirmLabel="Delete server"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void act('delete', () =>
              sendJson<undefined>('DELETE', `/api/v1/servers/${server.id}`).then(() => undefined),
            );
          }}
        >
          <p class="mb-0">
            Clients lose access to <strong>{server.name}</strong> and its {server.toolCount} tools at once.
            This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
