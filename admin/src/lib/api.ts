import { currentToken, signOut } from './session';

/** The gateway's error body (docs/adr/0013-one-error-model.md): one shape for every REST error. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  correlationId?: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/** Raised when there is no usable token: the app shows the sign-in screen again (it listens for the event). */
export class SignInRequired extends Error {
  constructor() {
    super('Your session ended: sign in again.');
    signOut();
    window.dispatchEvent(new Event(SIGN_IN_REQUIRED_EVENT));
  }
}

export const SIGN_IN_REQUIRED_EVENT = 'mreg-console:sign-in-required';

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * A call to the gateway's REST API with the bearer token. No cookie is involved (`credentials: 'omit'`), so a
 * request another site forges carries no authority: there is nothing for CSRF to ride on.
 */
export async function request(
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; accept?: string } = {},
): Promise<Response> {
  const token = currentToken();
  if (!token) throw new SignInRequired();
  const headers = new Headers({ authorization: `Bearer ${token.accessToken}` });
  headers.set('accept', options.accept ?? 'application/json');
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    credentials: 'omit',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.status === 401) throw new SignInRequired();
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined;
    throw new ApiError(
      response.status,
      body ?? { statusCode: response.status, code: 'HTTP_ERROR', message: response.statusText },
    );
  }
  return response;
}

export async function getJson<T>(path: string, query?: Query): Promise<T> {
  return (await request('GET', path, { query })).json() as Promise<T>;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const response = await request(method, path, { body });
  return response.status === 204 ? undefined : (response.json() as Promise<T>);
}
