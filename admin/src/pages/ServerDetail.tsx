import { useState } from 'preact/hooks';
import { getJson } from '../lib/api';
import { canChange, isAdmin } from '../lib/roles';
import { navigate } from '../lib/router';
import type { CapabilitiesView, ServerView, UserInfo } from '../lib/types';
import { useLoad } from '../lib/use-load';
import { ErrorAlert } from '../components/ErrorAlert';
import { JsonBlock } from '../components/JsonBlock';
import { StatusBadge } from '../components/StatusBadge';
import { DriftReview } from './DriftReview';
import { ServerActions } from './ServerActions';
import { ConnectionSnippet } from './ConnectionSnippet';
import { ServerForm } from './ServerForm';

type Tab = 'tools' | 'prompts' | 'resources' | 'settings';

/** GET /api/v1/servers/{id} and its capabilities: tools with schemas, prompts, resources, pending drift. */
export function ServerDetail({ id, user }: { id: string; user: UserInfo }) {
  const server = useLoad(() => getJson<ServerView>(`/api/v1/servers/${id}`), [id]);
  const capabilities = useLoad(() => getJson<CapabilitiesView>(`/api/v1/servers/${id}/capabilities`), [id]);
  const [tab, setTab] = useState<Tab>('tools');
  const [actionError, setActionError] = useState<unknown>();
  const [editing, setEditing] = useState(false);
  const reload = () => (server.reload(), capabilities.reload());

  if (server.error) return <ErrorAlert error={server.error} />;
  if (!server.data) return <p role="status">Loading…</p>;
  const view = server.data;
  const approved = capabilities.data?.approved;
  const tabs: [Tab, string, number | undefined][] = [
    ['tools', 'Tools', approved?.tools.length],
    ['prompts', 'Prompts', approved?.prompts.length],
    [
      'resources',
      'Resources',
      approved ? approved.resources.length + approved.resourceTemplates.length : undefined,
    ],
    ['settings', 'Settings', undefined],
  ];
  return (
    <>
      <nav aria-label="breadcrumb">
        <ol class="breadcrumb">
          <li class="breadcrumb-item">
            <a href="/admin/servers" onClick={(event) => (event.preventDefault(), navigate('/servers'))}>
              Servers
            </a>
          </li>
          <li class="breadcrumb-item active" aria-current="page">
            {view.name}
          </li>
        </ol>
      </nav>
      <div class="d-flex align-items-start gap-3 flex-wrap mb-3">
        <div class="me-auto">
          <h1 class="h3 mb-1">
            {view.title ?? view.name} <StatusBadge value={view.status} />
          </h1>
          <div class="text-body-secondary small">
            {view.serverInfo ? `${view.serverInfo.name} ${view.serverInfo.version}` : 'not yet discovered'}
            {view.protocolVersion && ` · MCP ${view.protocolVersion}`}
            {view.latencyMs !== null && ` · ${view.latencyMs} ms`}
            {view.lastCheckedAt && ` · checked ${new Date(view.lastCheckedAt).toLocaleString()}`}
          </div>
          {view.description && <p class="mt-2 mb-0">{view.description}</p>}
          {view.lastError && <div class="text-danger small mt-1">Last error: {view.lastError}</div>}
        </div>
        {canChange(user, view) && !editing && (
          <button type="button" class="btn btn-outline-primary" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {canChange(user, view) && (
          <ServerActions
            server={view}
            onError={setActionError}
            onChanged={(changed) => {
              setActionError(undefined);
              if (changed) reload();
              else navigate('/servers');
            }}
          />
        )}
      </div>
      <ErrorAlert error={actionError} />
      {editing && (
        <ServerForm
          server={view}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
        />
      )}
      <ErrorAlert error={capabilities.error} />
      {capabilities.data?.pending && (
        <DriftReview view={capabilities.data} canApprove={isAdmin(user)} onApproved={reload} />
      )}
      <div class="row g-4">
        <div class="col-lg-8">
          <ul class="nav nav-tabs mb-3" role="tablist">
            {tabs.map(([key, label, count]) => (
              <li class="nav-item" role="presentation" key={key}>
                <button
                  type="button"
                  role="tab"
                  id={`tab-${key}`}
                  aria-selected={tab === key}
                  aria-controls={`panel-${key}`}
                  class={`nav-link${tab === key ? ' active' : ''}`}
                  onClick={() => setTab(key)}
                >
                  {label} {count !== undefined && <span class="badge text-bg-light border">{count}</span>}
                </button>
              </li>
            ))}
          </ul>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
            {tab === 'tools' && <Tools view={view} capabilities={capabilities.data} />}
            {tab === 'prompts' && <Prompts capabilities={capabilities.data} />}
            {tab === 'resources' && <Resources capabilities={capabilities.data} />}
            {tab === 'settings' && <Settings view={view} />}
          </div>
        </div>
        <div class="col-lg-4">
          <ConnectionSnippet server={view} user={user} />
        </div>
      </div>
    </>
  );
}

function Tools({ view, capabilities }: { view: ServerView; capabilities?: CapabilitiesView }) {
  const tools = capabilities?.approved?.tools ?? [];
  if (tools.length === 0) return <p class="text-body-secondary">No approved tools.</p>;
  return (
    <div class="list-group" data-testid="tools">
      {tools.map((tool) => (
        <div class="list-group-item" key={tool.name} data-testid={`tool-${tool.name}`}>
          <div class="d-flex gap-2 align-items-baseline flex-wrap">
            <code class="fw-semibold">{tool.name}</code>
            {tool.title && <span>{tool.title}</span>}
            {view.toolRoles[tool.name] && (
              <span class="badge text-bg-info">roles: {view.toolRoles[tool.name].join(', ')}</span>
            )}
            {view.rateLimits.tools[tool.name] !== undefined && (
              <span class="badge text-bg-light border">{view.rateLimits.tools[tool.name]}/min</span>
            )}
          </div>
          {tool.description && <p class="mb-1 small tool-description">{tool.description}</p>}
          <details>
            <summary class="small">Input schema</summary>
            <JsonBlock value={tool.inputSchema} label={`Input schema of ${tool.name}`} />
          </details>
        </div>
      ))}
    </div>
  );
}

function Prompts({ capabilities }: { capabilities?: CapabilitiesView }) {
  const prompts = capabilities?.approved?.prompts ?? [];
  if (prompts.length === 0) return <p class="text-body-secondary">No prompts.</p>;
  return (
    <ul class="list-group">
      {prompts.map((prompt) => (
        <li class="list-group-item" key={prompt.name}>
          <code class="fw-semibold">{prompt.name}</code>
          {prompt.description && <div class="small">{prompt.description}</div>}
          {prompt.arguments && prompt.arguments.length > 0 && (
            <div class="small text-body-secondary">
              Arguments:{' '}
              {prompt.arguments.map((arg) => `${arg.name}${arg.required ? ' (required)' : ''}`).join(', ')}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

function Resources({ capabilities }: { capabilities?: CapabilitiesView }) {
  const resources = capabilities?.approved?.resources ?? [];
  const templates = capabilities?.approved?.resourceTemplates ?? [];
  if (resources.length + templates.length === 0) return <p class="text-body-secondary">No resources.</p>;
  return (
    <ul class="list-group">
      {resources.map((resource) => (
        <li class="list-group-item" key={resource.uri}>
          <code class="text-break">{resource.uri}</code> <span class="small">{resource.name}</span>
          {resource.mimeType && <span class="badge text-bg-light border ms-1">{resource.mimeType}</span>}
          {resource.description && <div class="small text-body-secondary">{resource.description}</div>}
        </li>
      ))}
      {templates.map((template) => (
        <li class="list-group-item" key={template.uriTemplate}>
          <code class="text-break">{template.uriTemplate}</code> <span class="small">{template.name}</span>{' '}
          <span class="badge text-bg-light border">template</span>
        </li>
      ))}
    </ul>
  );
}

function Settings({ view }: { view: ServerView }) {
  const rows: [string, string][] = [
    ['Endpoints', view.endpoints.map((endpoint) => `${endpoint.url} (weight ${endpoint.weight})`).join('\n')],
    ['Load balancing', view.lbStrategy],
    ['Transport', view.transport],
    ['Visibility', view.visibility],
    ['Required roles', view.requiredRoles.join(', ') || 'any signed-in user'],
    ['Tags', view.tags.join(', ') || '–'],
    ['Owner', view.ownerOid],
    [
      'Upstream credential',
      view.upstreamAuth.type === 'none'
        ? 'none'
        : `${view.upstreamAuth.type}${view.upstreamAuth.hasSecret ? ' (secret stored, never shown)' : ''}`,
    ],
    ['Timeouts', `connect ${view.timeouts.connectMs} ms, request ${view.timeouts.requestMs} ms`],
    [
      'Rate limit',
      view.rateLimits.requestsPerMinute === undefined
        ? 'tenant default'
        : `${view.rateLimits.requestsPerMinute}/min`,
    ],
  ];
  return (
    <dl class="row">
      {rows.map(([term, value]) => [
        <dt class="col-sm-4" key={`${term}-t`}>
          {term}
        </dt>,
        <dd class="col-sm-8 text-break" key={`${term}-d`}>
          {value.split('\n').map((line, index) => (
            <div key={index}>{line}</div>
          ))}
        </dd>,
      ])}
    </dl>
  );
}
