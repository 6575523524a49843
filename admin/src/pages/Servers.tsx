import { useState } from 'preact/hooks';
import { getJson } from '../lib/api';
import { canChange, canRegister } from '../lib/roles';
import { navigate } from '../lib/router';
import type { Registration, ServerPage, UserInfo } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusBadge } from '../components/StatusBadge';
import { ServerForm } from './ServerForm';
import { ServerActions } from './ServerActions';

const PAGE_SIZE = 25;

/** GET /api/v1/servers with its filters, and the register form for admins and server owners. */
export function Servers({ user }: { user: UserInfo }) {
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [registering, setRegistering] = useState(false);
  const [notice, setNotice] = useState<string | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () => getJson<ServerPage>('/api/v1/servers', { status, q: query, limit: PAGE_SIZE, cursor }),
    [status, query, cursor],
  );

  const registered = (registration: Registration) => {
    setRegistering(false);
    const tools = registration.discovered?.tools.length;
    setNotice(`Registered ${registration.server.name}${tools === undefined ? '' : ` with ${tools} tools`}.`);
    page.reload();
  };

  return (
    <>
      <div class="d-flex align-items-center mb-3 gap-2">
        <h1 class="h3 mb-0 me-auto">Servers</h1>
        {canRegister(user) && !registering && (
          <button type="button" class="btn btn-primary" onClick={() => setRegistering(true)}>
            Register server
          </button>
        )}
      </div>
      {registering && <ServerForm onRegistered={registered} onCancel={() => setRegistering(false)} />}
      {notice && (
        <div class="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <ErrorAlert error={actionError} />
      <form
        class="row g-2 align-items-end mb-3"
        role="search"
        onSubmit={(event) => (event.preventDefault(), setCursors([]), setQuery(text))}
      >
        <div class="col-sm-5 col-md-4">
          <label class="form-label small" for="filter-text">
            Search
          </label>
          <input
            id="filter-text"
            class="form-control"
            value={text}
            placeholder="Name, title or description"
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </div>
        <div class="col-sm-4 col-md-3">
          <label class="form-label small" for="filter-status">
            Status
          </label>
          <select
            id="filter-status"
            class="form-select"
            value={status}
            onChange={(event) => (setCursors([]), setStatus(event.currentTarget.value))}
          >
            <option value="">Any status</option>
            {['healthy', 'degraded', 'unhealthy', 'maintenance', 'unknown'].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div class="col-auto">
          <button type="submit" class="btn btn-outline-primary">
            Filter
          </button>
        </div>
      </form>
      <ErrorAlert error={page.error} />
      <div class="table-responsive">
        <table class="table table-hover align-middle" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col" class="text-end">
                Latency
              </th>
              <th scope="col" class="text-end">
                Tools
              </th>
              <th scope="col">Endpoint</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((server) => (
              <tr key={server.id} data-testid={`server-row-${server.name}`}>
                <td>
                  <a
                    href={`/admin/servers/${server.id}`}
                    class="fw-semibold"
                    onClick={(event) => (event.preventDefault(), navigate(`/servers/${server.id}`))}
                  >
                    {server.name}
                  </a>
                  {server.title && <div class="small text-body-secondary">{server.title}</div>}
                </td>
                <td>
                  <StatusBadge value={server.status} />
                  {server.pendingChanges && <span class="badge text-bg-warning ms-1">changes pending</span>}
                </td>
                <td class="text-end">{server.latencyMs === null ? '–' : `${server.latencyMs} ms`}</td>
                <td class="text-end">{server.toolCount}</td>
                <td class="small text-break">
                  {server.endpoints.map((endpoint) => endpoint.url).join(', ')}
                </td>
                <td>
                  {canChange(user, server) && (
                    <ServerActions
                      compact
                      server={server}
                      onChanged={() => (setActionError(undefined), page.reload())}
                      onError={setActionError}
                    />
                  )}
                </td>
              </tr>
            ))}
            {page.data && page.data.items.length === 0 && (
              <tr>
                <td colSpan={6} class="text-body-secondary">
                  No servers match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <CursorPager
        cursors={cursors}
        setCursors={setCursors}
        nextCursor={page.data?.nextCursor}
        backLabel="Previous"
        forwardLabel="Next"
      >
        <span class="me-auto small text-body-secondary">{page.data ? `${page.data.total} servers` : ''}</span>
      </CursorPager>
    </>
  );
}
