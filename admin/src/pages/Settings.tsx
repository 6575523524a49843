import { useState } from 'preact/hooks';
import { getJson } from '../lib/api';
import type { ConfigSetting, SettingsView } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { ErrorAlert } from '../components/ErrorAlert';

/** A value as `mcp-gateway config` prints it: lists joined by commas, unset said so. */
function shown(value: ConfigSetting['value']): string {
  if (value === null) return '(unset)';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The effective configuration (GET /api/v1/admin/config), the same entries as `mcp-gateway config`. The gateway
 * masks secrets before they leave it; this page has nothing to unmask and no way to ask for more.
 */
export function Settings() {
  const settings = useLoad(() => getJson<SettingsView>('/api/v1/admin/config'), []);
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const rows = (settings.data?.settings ?? []).filter(
    (entry) =>
      !needle ||
      entry.name.toLowerCase().includes(needle) ||
      entry.description.toLowerCase().includes(needle) ||
      (entry.usedBy ?? '').toLowerCase().includes(needle),
  );
  return (
    <>
      <h1 class="h3 mb-2">Settings</h1>
      <p class="text-body-secondary">
        The gateway's effective configuration, as <code>mcp-gateway config</code> prints it. Secrets are
        masked by the gateway (<code>****</code>); change settings in the environment or <code>.env</code> and
        restart.
      </p>
      <ErrorAlert error={settings.error} />
      <div class="row g-2 mb-3">
        <div class="col-md-4">
          <label class="form-label" for="settings-filter">
            Filter
          </label>
          <input
            id="settings-filter"
            class="form-control"
            type="search"
            placeholder="Name, description or feature"
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </div>
      </div>
      {settings.loading && !settings.data && <p>Loading…</p>}
      {settings.data && (
        <div class="table-responsive">
          <table class="table table-sm align-middle" data-testid="settings-table">
            <caption class="small">
              {rows.length} of {settings.data.settings.length} settings
            </caption>
            <thead>
              <tr>
                <th scope="col">Variable</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
                <th scope="col">Used by</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.name} data-setting={entry.name}>
                  <th scope="row" class="font-monospace small fw-normal">
                    {entry.name}
                  </th>
                  <td class="font-monospace small text-break">
                    {shown(entry.value)} {entry.secret && <span class="badge text-bg-secondary">secret</span>}
                  </td>
                  <td>
                    <span class={`badge ${entry.source === 'default' ? 'text-bg-light' : 'text-bg-info'}`}>
                      {entry.source}
                    </span>
                  </td>
                  <td class="small">{entry.usedBy ?? ''}</td>
                  <td class="small">{entry.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
