import { gatewayIssuer, GatewayTokens, LOCAL_NAME, localPrincipal, SigningKeyStore } from '../auth/index.js';
import type { AppConfig } from '../config/app-config.js';

const REQUEST_TIMEOUT_MS = 60_000;

export interface ApiTarget {
  /** Gateway base URL: --url, else MREG_PUBLIC_URL, else http://127.0.0.1:MREG_PORT. */
  url?: string;
  /** A bearer token (--token or MREG_CLI_TOKEN); in local mode one is minted for the tenant's CLI operator. */
  token?: string;
  tenant?: string;
}

export class GatewayApiError extends Error {}

/**
 * The registry CLI commands drive the running gateway's REST API instead of the database. That works the same on
 * the embedded database (which the running gateway holds locked) and on PostgreSQL, and it goes through exactly
 * the validation, SSRF checks, discovery, cache invalidation and (later) audit that the API applies.
 */
export class GatewayApiClient {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async connect(config: AppConfig, target: ApiTarget): Promise<GatewayApiClient> {
    const baseUrl = (target.url ?? config.http.publicUrl ?? `http://127.0.0.1:${config.http.port}`).replace(
      /\/+$/,
      '',
    );
    const token = target.token ?? process.env.MREG_CLI_TOKEN;
    if (token) return new GatewayApiClient(baseUrl, token);
    if (config.auth.mode !== 'local') {
      throw new GatewayApiError('In Entra mode pass an admin bearer token with --token or MREG_CLI_TOKEN');
    }
    const tenant = target.tenant ?? 'default';
    if (!LOCAL_NAME.test(tenant)) throw new GatewayApiError(`--tenant must be a plain name (got ${tenant})`);
    const keys = await SigningKeyStore.open(SigningKeyStore.fileFor(config.dataDir));
    const minted = await new GatewayTokens(keys, gatewayIssuer(config)).issue({
      ...localPrincipal(tenant, 'cli', ['admin']),
      audience: [config.http.publicUrl ?? `http://localhost:${config.http.port}`, baseUrl],
      ttlSeconds: 300,
    });
    return new GatewayApiClient(baseUrl, minted);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new GatewayApiError(
        `No gateway answered at ${this.baseUrl} (${(error as Error).message}); start one with \`mcp-gateway serve\` or pass --url`,
      );
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = parsed as { code?: string; message?: string; details?: string[] } | undefined;
      const details = error?.details ? `: ${error.details.join('; ')}` : '';
      throw new GatewayApiError(
        `${response.status} ${error?.code ?? ''} ${error?.message ?? response.statusText}${details}`.trim(),
      );
    }
    return parsed as T;
  }
}
