import { LRUCache } from 'lru-cache';
import { Agent, fetch as undiciFetch } from 'undici';
import { guardedLookup, hostProblem } from '../../common/net/ssrf-guard.js';
import type { OAuthClientEntity } from './oauth.entities.js';
import { OAuthProtocolError } from '../../common/errors/oauth-protocol.error.js';
import { redirectUriProblem } from './redirect-uris.js';

const MAX_DOCUMENT_BYTES = 5 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const CACHE_TTL_MS = 5 * 60_000;
const FAILURE_TTL_MS = 60_000;

export type FetchDocument = (url: string) => Promise<{ status: number; contentType: string; body: string }>;

/**
 * Client ID Metadata Documents: an MCP client whose `client_id` is an https URL publishes its metadata there, so no
 * registration is needed. The document is fetched like any user-supplied URL: https only, no redirects, private
 * addresses refused at connect time (unless MREG_ALLOW_PRIVATE_UPSTREAMS), 5 KiB and 5 s at most, cached 5 minutes.
 */
export class ClientMetadataDocuments {
  private readonly cache = new LRUCache<string, OAuthClientEntity>({ max: 1000, ttl: CACHE_TTL_MS });
  /** Failed documents are remembered briefly, so a flood of one bad client_id does not become a flood of fetches. */
  private readonly failures = new LRUCache<string, string>({ max: 10_000, ttl: FAILURE_TTL_MS });

  constructor(
    private readonly fetchDocument: FetchDocument,
    private readonly allowPrivate = false,
  ) {}

  static withNetwork(allowPrivate: boolean): ClientMetadataDocuments {
    const dispatcher = new Agent({
      connect: { lookup: guardedLookup(allowPrivate) },
      connectTimeout: FETCH_TIMEOUT_MS,
    });
    return new ClientMetadataDocuments(async (url) => {
      const response = await undiciFetch(url, {
        dispatcher,
        redirect: 'error',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        body: await readLimited(response.body),
      };
    }, allowPrivate);
  }

  static isDocumentUrl(clientId: string): boolean {
    return clientId.startsWith('https://');
  }

  async resolve(clientId: string): Promise<OAuthClientEntity> {
    const cached = this.cache.get(clientId);
    if (cached) return cached;
    const invalid = (why: string) =>
      new OAuthProtocolError('invalid_client', `client metadata document ${why}`);
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw invalid('URL is malformed');
    }
    if (url.protocol !== 'https:' || url.hash || url.username || url.password || url.pathname === '/') {
      throw invalid('URL must be https, with a path, and without fragment or credentials');
    }
    // Only the standard port, and no private address literal: the endpoint must not become an internal port scanner.
    if (!this.allowPrivate && url.port !== '') throw invalid('URL must use the standard https port');
    const hostIssue = hostProblem(url, this.allowPrivate);
    if (hostIssue) throw invalid(`URL ${hostIssue}`);
    const failed = this.failures.get(clientId);
    if (failed) throw invalid(failed);
    let fetched: Awaited<ReturnType<FetchDocument>> | undefined;
    try {
      fetched = await this.fetchDocument(clientId);
    } catch {
      fetched = undefined;
    }
    if (fetched?.status !== 200) {
      // Deliberately vague: connection details would tell a prober what lives where. Remembered for a minute.
      this.failures.set(clientId, 'could not be fetched');
      throw invalid('could not be fetched');
    }
    if (!/^application\/(.+\+)?json\b/.test(fetched.contentType)) throw invalid('is not JSON');
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(fetched.body) as Record<string, unknown>;
    } catch {
      throw invalid('is not valid JSON');
    }
    if (document.client_id !== clientId) throw invalid('names another client_id than its own URL');
    const redirectUris = document.redirect_uris;
    if (!Array.isArray(redirectUris) || redirectUris.length === 0 || redirectUris.length > 10)
      throw invalid('needs 1 to 10 redirect_uris');
    for (const uri of redirectUris) {
      if (typeof uri !== 'string' || redirectUriProblem(uri, 'native'))
        throw invalid(`has an unacceptable redirect URI ${JSON.stringify(uri)}`);
    }
    const method = document.token_endpoint_auth_method ?? 'none';
    if (method !== 'none') throw invalid('must describe a public client (token_endpoint_auth_method none)');
    const client: OAuthClientEntity = {
      clientId,
      clientSecretHash: null,
      clientName: typeof document.client_name === 'string' ? document.client_name.slice(0, 200) : url.host,
      redirectUris: redirectUris as string[],
      tokenEndpointAuthMethod: 'none',
      applicationType: 'native',
      registrationKind: 'cimd',
      createdAt: new Date(),
    };
    this.cache.set(clientId, client);
    return client;
  }
}

async function readLimited(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_DOCUMENT_BYTES) throw new Error(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
