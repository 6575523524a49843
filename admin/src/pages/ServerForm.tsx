import { useState } from 'preact/hooks';
import { sendJson } from '../lib/api';
import { type FormErrors, formErrors } from '../lib/field-errors';
import type { Registration, ServerView } from '../lib/types';

const FIELDS = [
  'name',
  'url',
  'title',
  'description',
  'transport',
  'visibility',
  'tags',
  'upstreamAuth',
] as const;

interface Draft {
  name: string;
  url: string;
  title: string;
  description: string;
  transport: string;
  visibility: string;
  tags: string;
  credential: string;
}

const EMPTY: Draft = {
  name: '',
  url: '',
  title: '',
  description: '',
  transport: 'streamable-http',
  visibility: 'tenant',
  tags: '',
  credential: '',
};

function draftOf(server: ServerView): Draft {
  return {
    name: server.name,
    url: server.endpoints.length === 1 ? server.endpoints[0].url : '',
    title: server.title ?? '',
    description: server.description,
    transport: server.transport,
    visibility: server.visibility,
    tags: server.tags.join(', '),
    credential: '',
  };
}

/**
 * Register (POST /api/v1/servers) or edit (PATCH /api/v1/servers/{id}, only the fields that changed). The console
 * checks nothing itself: the API's validation decides, and its messages appear under the fields they name, so the
 * form says exactly what the REST API says. The upstream credential can be written but is never shown again (the
 * API returns only whether one is stored); left empty when editing, the stored one is kept.
 */
export function ServerForm(props: {
  server?: ServerView;
  onRegistered?: (registration: Registration) => void;
  onSaved?: (server: ServerView) => void;
  onCancel: () => void;
}) {
  const editing = props.server;
  const initial = editing ? draftOf(editing) : EMPTY;
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Draft) => (event: Event) =>
    setDraft({ ...draft, [key]: (event.currentTarget as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ fields: {} });
    const tagList = draft.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    const body: Record<string, unknown> = {};
    const changed = (key: keyof Draft) => !editing || draft[key] !== initial[key];
    for (const key of ['name', 'url', 'transport', 'visibility'] as const) {
      if (changed(key)) body[key] = draft[key];
    }
    // Optional text: empty means none when registering; when editing, clearing it sends the empty value.
    for (const key of ['title', 'description'] as const) {
      if (changed(key) && (editing || draft[key])) body[key] = draft[key];
    }
    if (changed('tags') && (editing || tagList.length > 0)) body.tags = tagList;
    if (draft.credential)
      body.upstreamAuth = { type: 'static', headerName: 'Authorization', value: draft.credential };
    if (editing) {
      try {
        const saved = await sendJson<ServerView>('PATCH', `/api/v1/servers/${editing.id}`, body);
        props.onSaved?.(saved!);
      } catch (error) {
        setErrors(formErrors(error, FIELDS));
      } finally {
        setBusy(false);
      }
      return;
    }
    try {
      const registration = await sendJson<Registration>('POST', '/api/v1/servers', body);
      setDraft(EMPTY);
      props.onRegistered?.(registration!);
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: (typeof FIELDS)[number]) => ({
    invalid: errors.fields[name] ? ' is-invalid' : '',
    describedBy: errors.fields[name] ? `${name}-error` : `${name}-help`,
    feedback: errors.fields[name] && (
      <div class="invalid-feedback" id={`${name}-error`} data-testid={`${name}-error`}>
        {errors.fields[name].join(' ')}
      </div>
    ),
  });
  const name = field('name');
  const url = field('url');
  const title = field('title');
  const description = field('description');
  const tags = field('tags');
  const auth = field('upstreamAuth');

  return (
    <form
      class="card mb-4"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-labelledby="register-title"
    >
      <div class="card-body">
        <h2 class="h5 card-title" id="register-title">
          Register a server
        </h2>
        {errors.form && (
          <div class="alert alert-danger" role="alert" data-testid="form-error">
            {errors.form}
          </div>
        )}
        <div class="row g-3">
          <div class="col-md-4">
            <label class="form-label" for="server-name">
              Name
            </label>
            <input
              id="server-name"
              class={`form-control${name.invalid}`}
              value={draft.name}
              onInput={set('name')}
              aria-describedby={name.describedBy}
              autocomplete="off"
              required
            />
            {name.feedback ?? (
              <div class="form-text" id="name-help">
                Lower-case letters, digits, hyphens; e.g. github
              </div>
            )}
          </div>
          <div class="col-md-8">
            <label class="form-label" for="server-url">
              MCP endpoint URL
            </label>
            <input
              id="server-url"
              class={`form-control${url.invalid}`}
              value={draft.url}
              onInput={set('url')}
              aria-describedby={url.describedBy}
              placeholder="https://mcp.example.com/mcp"
              autocomplete="off"
              required
            />
            {url.feedback ?? (
              <div class="form-text" id="url-help">
                The upstream's streamable HTTP (or legacy SSE) endpoint
              </div>
            )}
          </div>
          <div class="col-md-4">
            <label class="form-label" for="server-title">
              Title <span class="text-body-secondary">(optional)</span>
            </label>
            <input
              id="server-title"
              class={`form-control${title.invalid}`}
              value={draft.title}
              onInput={set('title')}
              aria-describedby={title.describedBy}
            />
            {title.feedback}
          </div>
          <div class="col-md-4">
            <label class="form-label" for="server-transport">
              Transport
            </label>
            <select
              id="server-transport"
              class="form-select"
              value={draft.transport}
              onChange={set('transport')}
            >
              <option value="streamable-http">Streamable HTTP</option>
              <option value="sse">HTTP+SSE (legacy)</option>
            </select>
          </div>
          <div class="col-md-4">
            <label class="form-label" for="server-visibility">
              Visibility
            </label>
            <select
              id="server-visibility"
              class="form-select"
              value={draft.visibility}
              onChange={set('visibility')}
            >
              <option value="tenant">This tenant</option>
              <option value="global">Every tenant (platform admins)</option>
            </select>
          </div>
          <div class="col-12">
            <label class="form-label" for="server-description">
              Description <span class="text-body-secondary">(optional)</span>
            </label>
            <textarea
              id="server-description"
              class={`form-control${description.invalid}`}
              rows={2}
              value={draft.description}
              onInput={set('description')}
              aria-describedby={description.describedBy}
            />
            {description.feedback}
          </div>
          <div class="col-md-6">
            <label class="form-label" for="server-tags">
              Tags <span class="text-body-secondary">(comma-separated)</span>
            </label>
            <input
              id="server-tags"
              class={`form-control${tags.invalid}`}
              value={draft.tags}
              onInput={set('tags')}
              aria-describedby={tags.describedBy}
            />
            {tags.feedback}
          </div>
          <div class="col-md-6">
            <label class="form-label" for="server-credential">
              Upstream Authorization header <span class="text-body-secondary">(optional, write-only)</span>
            </label>
            <input
              id="server-credential"
              type="password"
              class={`form-control${auth.invalid}`}
              value={draft.credential}
              onInput={set('credential')}
              aria-describedby={auth.describedBy}
              autocomplete="new-password"
              placeholder="Bearer …"
            />
            {auth.feedback ?? (
              <div class="form-text" id="upstreamAuth-help">
                {editing?.upstreamAuth.hasSecret
                  ? 'A credential is stored (never shown); leave empty to keep it.'
                  : 'Stored encrypted; the gateway never shows it again.'}
              </div>
            )}
          </div>
        </div>
      </div>
      <div class="card-footer d-flex gap-2 justify-content-end">
        <button type="button" class="btn btn-outline-secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save' : 'Register'}
        </button>
      </div>
    </form>
  );
}
