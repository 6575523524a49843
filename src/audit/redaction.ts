import { UNSTORABLE_TEXT } from '../common/http/text-hygiene.js';

/** Keys whose values never reach the audit table, matched anywhere in the key, case-insensitively. */
const SENSITIVE_PART =
  /token|secret|passw|passphrase|authorization|api[-_]?key|cookie|credential|private[-_]?key|signature/i;
/** Keys that are credentials only under their exact name (`code` is an OAuth code; `error_code` is not secret). */
const SENSITIVE_EXACT = new Set([
  'code',
  'code_verifier',
  'assertion',
  'client_assertion',
  'otp',
  'pin',
  'pwd',
  'auth',
  'x-api-key',
]);
/** Fields that name the entry they sit in: `{ name: "Authorization", value: "Bearer …" }` is a credential too. */
const NAMING_FIELDS = ['name', 'key', 'header'];
/** Fields that carry an entry's value: redacted when the entry is a header or is marked secret. */
const VALUE_FIELDS = new Set(['value', 'default']);
/**
 * Containers of header values. A header's name says nothing reliable about its value (`Ocp-Apim-Subscription-Key`,
 * `X-Auth-Key`, a tenant's own name for its API key), so every value under one of these keys is redacted, whatever
 * the header is called: a server's registration, import or upstream auth never needs its header values audited.
 */
const HEADER_CONTAINER = /^(headers|http[-_]?headers|request[-_]?headers)$/i;
const MAX_DEPTH = 16;
const UNSTORABLE = new RegExp(UNSTORABLE_TEXT.source, 'g');

export const REDACTED = '[REDACTED]';
export const TRUNCATED = '[TRUNCATED]';

export interface RedactionOptions {
  /** More key names to redact (exact, case-insensitive): configured globally and per server. */
  extraKeys?: readonly string[];
  /** Serialized size above which params are replaced by a truncated preview. */
  maxBytes: number;
}

/**
 * What of a request's params may be stored: sensitive values replaced (nested, in arrays too), strings made storable
 * in PostgreSQL (no NUL, no lone surrogates), depth bounded, and anything larger than `maxBytes` cut to a preview
 * with a marker saying so.
 */
export function redactParams(value: unknown, options: RedactionOptions): unknown {
  if (value === undefined) return undefined;
  const extra = new Set((options.extraKeys ?? []).map((key) => key.toLowerCase()));
  const redacted = walk(value, extra, 0, '');
  const json = JSON.stringify(redacted) ?? 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes <= options.maxBytes) return redacted;
  return { [TRUNCATED]: true, bytes, preview: storableText(json.slice(0, options.maxBytes)) };
}

function isSensitive(key: string, parent: string, extra: ReadonlySet<string>): boolean {
  const lower = key.toLowerCase();
  if (SENSITIVE_PART.test(key) || SENSITIVE_EXACT.has(lower) || extra.has(lower)) return true;
  // The credential of an auth block is often just "value" (a server's upstreamAuth: { type, headerName, value }).
  return lower === 'value' && /auth/i.test(parent);
}

/** An entry that names a credential (`{ name: "Authorization", value }`, `{ key: "api_key", value }`). */
function namedSensitive(entry: Record<string, unknown>, extra: ReadonlySet<string>): boolean {
  return NAMING_FIELDS.some((field) => {
    const name = entry[field];
    return typeof name === 'string' && isSensitive(name, '', extra);
  });
}

function walk(value: unknown, extra: ReadonlySet<string>, depth: number, parent: string): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'boolean' ? value : null;
  // A raw body (any content type is read as bytes) is described, not walked one key per byte.
  if (ArrayBuffer.isView(value)) return { binary: true, bytes: value.byteLength };
  if (depth >= MAX_DEPTH) return TRUNCATED;
  if (Array.isArray(value)) return value.map((item) => walk(item, extra, depth + 1, parent));
  const entry = value as Record<string, unknown>;
  const inHeaders = HEADER_CONTAINER.test(parent);
  // `{ name, value }` under a headers key, or any entry marked `isSecret` (server.json headers and variables).
  const secretEntry =
    (inHeaders && isEntry(entry)) || entry.isSecret === true || namedSensitive(entry, extra);
  // `{ "X-Any-Name": "value" }` under a headers key: every value is one.
  const headerMap = inHeaders && !isEntry(entry);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(entry)) {
    if (item === undefined) continue;
    const secret =
      headerMap || isSensitive(key, parent, extra) || (secretEntry && VALUE_FIELDS.has(key.toLowerCase()));
    out[storableText(key)] = secret ? REDACTED : walk(item, extra, depth + 1, key);
  }
  return out;
}

/** A `{ name, value }`-style entry (one header or variable of a list), not a map of names to values. */
function isEntry(entry: Record<string, unknown>): boolean {
  return NAMING_FIELDS.some((field) => typeof entry[field] === 'string');
}

/** PostgreSQL text and jsonb refuse NUL and lone surrogates; audit must never fail on what a client sent. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}
