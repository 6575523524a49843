import { useState } from 'preact/hooks';
import { getJson, request } from '../lib/api';
import type { AuditEvent, AuditPage, ServerPage, UserInfo } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { CursorPager } from '../components/CursorPager';
import { ErrorAlert } from '../components/ErrorAlert';
import { JsonBlock } from '../components/JsonBlock';
import { StatusBadge } from '../components/StatusBadge';

const PAGE_SIZE = 50;

interface Filters {
  action: string;
  tool: string;
  actor: string;
  serverId: string;
  outcome: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { action: '', tool: '', actor: '', serverId: '', outcome: '', from: '', to: '' };

interface ChainReport {
  ok?: boolean;
  [key: string]: unknown;
}

/** GET /api/v1/audit (admins): filters, cursor pages, a row's redacted details, CSV export and chain verification. */
export function Audit(_props: { user: UserInfo }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<string | undefined>();
  const [exportError, setExportError] = useState<unknown>();
  const [chain, setChain] = useState<{ report?: ChainReport; error?: unknown; busy?: boolean }>({});
  const cursor = cursors[cursors.length - 1];
  const query = () => ({
    ...filters,
    from: filters.from ? new Date(filters.from).toISOString() : '',
    to: filters.to ? new Date(filters.to).toISOString() : '',
    limit: PAGE_SIZE,
  });
  const page = useLoad(() => getJson<AuditPage>('/api/v1/audit', { ...query(), cursor }), [filters, cursor]);
  // Names for the Server column; an event of a deleted server keeps its id.
  const servers = useLoad(() => getJson<ServerPage>('/api/v1/servers', { limit: 100 }), []);
  const serverName = (id: string) => servers.data?.items.find((server) => server.id === id)?.name;

  const exportCsv = async () => {
    setExportError(undefined);
    try {
      const response = await request('GET', '/api/v1/audit', {
        query: { ...query(), cursor, format: 'csv' },
        accept: 'text/csv',
      });
      // The bearer token must ride along, so the file is fetched here and handed to the browser as a download.
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await response.blob());
      link.download = 'audit-events.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setExportError(error);
    }
  };

  const verify = async () => {
    setChain({ busy: true });
    try {
      setChain({ report: await getJson<ChainReport>('/api/v1/audit/verify') });
    } catch (error) {
      setChain({ error });
    }
  };

  const input = (key: keyof Filters, label: string, dateTime = false) => {
    const common = {
      id: `audit-${key}`,
      class: 'form-control form-control-sm',
      value: draft[key],
      onInput: (event: Event) =>
        setDraft({ ...draft, [key]: (event.currentTarget as HTMLInputElement).value }),
    };
    return (
      <div class="col-sm-6 col-md-4 col-xl">
        <label class="form-label small" for={`audit-${key}`}>
          {label}
        </label>
        {dateTime ? <input type="datetime-local" {...common} /> : <input type="text" {...common} />}
      </div>
    );
  };

  return (
    <>
      <div class="d-flex align-items-center gap-2 mb-3 flex-wrap">
        <h1 class="h3 mb-0 me-auto">Audit trail</h1>
        <button type="button" class="btn btn-outline-primary" onClick={() => void exportCsv()}>
          Export CSV
        </button>
        <button
          type="button"
          class="btn btn-outline-secondary"
          disabled={chain.busy}
          onClick={() => void verify()}
        >
          {chain.busy ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      <ErrorAlert error={exportError} />
      <ErrorAlert error={chain.error} />
      {chain.report && (
        <div
          class={`alert ${chain.report.ok === false ? 'alert-danger' : 'alert-success'}`}
          role="status"
          data-testid="chain-report"
        >
          {chain.report.ok === false ? 'The hash chain is broken.' : 'The hash chain holds.'}
          <details class="small mt-1">
            <summary>Report</summary>
            <JsonBlock value={chain.report} />
          </details>
        </div>
      )}
      <form
        class="row g-2 align-items-end mb-3"
        role="search"
        onSubmit={(event) => (event.preventDefault(), setCursors([]), setFilters(draft))}
      >
        {input('action', 'Action')}
        {input('tool', 'Tool')}
        {input('actor', 'Actor (oid)')}
        {input('serverId', 'Server id')}
        <div class="col-sm-6 col-md-4 col-xl">
          <label class="form-label small" for="audit-outcome">
            Outcome
          </label>
          <select
            id="audit-outcome"
            class="form-select form-select-sm"
            value={draft.outcome}
            onChange={(event) => setDraft({ ...draft, outcome: event.currentTarget.value })}
          >
            <option value="">Any</option>
            <option value="success">success</option>
            <option value="denied">denied</option>
            <option value="error">error</option>
          </select>
        </div>
        {input('from', 'From', true)}
        {input('to', 'Until', true)}
        <div class="col-auto">
          <button type="submit" class="btn btn-sm btn-primary">
            Apply
          </button>
        </div>
      </form>
      <ErrorAlert error={page.error} />
      <div class="table-responsive">
        <table
          class="table table-sm table-hover align-middle"
          aria-busy={page.loading}
          data-testid="audit-table"
        >
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Tool</th>
              <th scope="col">Server</th>
              <th scope="col">Outcome</th>
              <th scope="col">
                <span class="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.events ?? []).flatMap((event) => [
              <tr key={event.id}>
                <td class="text-nowrap small">{new Date(event.occurredAt).toLocaleString()}</td>
                <td class="small">{event.actorName ?? event.actorOid ?? '–'}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td class="small">{event.tool ?? '–'}</td>
                <td class="small text-break" title={event.serverId ?? undefined}>
                  {event.serverId ? (serverName(event.serverId) ?? event.serverId) : '–'}
                </td>
                <td>
                  <StatusBadge value={event.outcome} />
                  {event.errorCode && <span class="small ms-1">{event.errorCode}</span>}
                </td>
                <td>
                  <button
                    type="button"
                    class="btn btn-link btn-sm"
                    aria-expanded={open === event.id}
                    onClick={() => setOpen(open === event.id ? undefined : event.id)}
                  >
                    {open === event.id ? 'Hide' : 'Details'}
                  </button>
                </td>
              </tr>,
              open === event.id && (
                <tr key={`${event.id}-details`}>
                  <td colSpan={7}>
                    <EventDetails event={event} />
                  </td>
                </tr>
              ),
            ])}
            {page.data && page.data.events.length === 0 && (
              <tr>
                <td colSpan={7} class="text-body-secondary">
                  No events match.
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
        backLabel="Newer"
        forwardLabel="Older"
      />
    </>
  );
}

function EventDetails({ event }: { event: AuditEvent }) {
  const { params, ...rest } = event;
  return (
    <div class="row g-3">
      <div class="col-md-6">
        <div class="small fw-semibold mb-1">Event</div>
        <JsonBlock value={rest} />
      </div>
      <div class="col-md-6">
        <div class="small fw-semibold mb-1">Request parameters (redacted)</div>
        <JsonBlock value={params ?? null} />
      </div>
    </div>
  );
}
