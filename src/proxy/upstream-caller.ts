import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { Dispatcher } from 'undici';
import type { RegisteredServer, ServerEndpoint } from '../registry/index.js';
import { inClientSpan } from '../observability/tracing.js';
import { breakerKey, UpstreamBreakers, UpstreamFailure } from './breakers.js';
import { ProxyMetrics, upstreamOutcomeOf, type UpstreamOutcome } from './proxy-metrics.js';
import { EndpointSelector } from './endpoint-selector.js';
import { ProxyError } from './proxy.errors.js';
import { type UpstreamRequest, UpstreamPool } from './upstream-pool.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [100, 300];

export interface UpstreamCall {
  endpoint: ServerEndpoint;
  server: RegisteredServer;
  /** Safe to repeat on another attempt when no response arrived. */
  retryable: boolean;
  /** Deadline for the whole exchange (0: none, for long-lived streams). */
  timeoutMs: number;
  request: Omit<UpstreamRequest, 'url' | 'signal' | 'headersTimeoutMs'>;
  /** A URL on the endpoint's origin other than the endpoint itself (a legacy SSE message URL); never retried. */
  targetUrl?: string;
  /** The client's response, if any: when the client goes away, the upstream request is aborted. */
  res?: Response;
  /** Cancellation from an in-process caller (the SDK client of proxy_request and federation). */
  signal?: AbortSignal;
  /** The caller's tenant, whose share of the upstream's listening streams a GET counts against (default: the server's). */
  tenantId?: string;
}

export interface UpstreamAnswer {
  response: Dispatcher.ResponseData;
  endpointUrl: string;
  /** Aborted when the deadline passes (reason: TimeoutSignal) or the client goes away. */
  signal: AbortSignal;
}

/**
 * One call upstream under the endpoint's circuit breaker: a deadline, abort on client disconnect (cancellation), and
 * retries with backoff only for retryable requests and only while nothing came back. A 5xx answer counts against
 * the breaker but is still relayed as the upstream's answer.
 */
@Injectable()
export class UpstreamCaller {
  constructor(
    private readonly pool: UpstreamPool,
    private readonly breakers: UpstreamBreakers,
    private readonly selector: EndpointSelector,
    private readonly metrics: ProxyMetrics,
  ) {}

  get maxResponseBytes(): number {
    return this.pool.maxResponseBytes;
  }

  async call(call: UpstreamCall): Promise<UpstreamAnswer> {
    // A listening stream holds a connection of its own for as long as it lives: reserved before the breaker (a full
    // ceiling says nothing about the upstream's health) and freed when the stream ends. GETs are never retried, so
    // the endpoint reserved for is the one used.
    const releaseStream =
      call.request.method === 'GET'
        ? this.pool.reserveStream(call.targetUrl ?? call.endpoint.url, call.tenantId ?? call.server.tenantId)
        : undefined;
    const abort = new AbortController();
    const res = call.res;
    const timer =
      call.timeoutMs > 0 ? setTimeout(() => abort.abort(new TimeoutSignal()), call.timeoutMs) : undefined;
    timer?.unref();
    const gone = () => abort.abort(new ClientGone());
    if (res) {
      // Also covers a client that left while headers were being prepared: 'close' will not fire again.
      if (res.destroyed) gone();
      res.on('close', () => {
        if (!res.writableFinished) gone();
      });
    }
    if (call.signal) {
      if (call.signal.aborted) gone();
      else call.signal.addEventListener('abort', gone, { once: true });
    }
    let endpoint = call.endpoint;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const observe = (outcome: UpstreamOutcome) =>
        this.metrics.observeUpstream(call.server, outcome, (performance.now() - started) / 1000);
      try {
        const response = await this.breakers
          .run(breakerKey(call.server.id, endpoint.url), () => this.attempt(call, endpoint, abort.signal))
          .catch((error: unknown) => {
            observe(upstreamOutcomeOf(error));
            throw error;
          });
        observe(response.statusCode >= 500 ? 'error_5xx' : 'ok');
        // The deadline covers the relayed body too: it ends when the upstream body does, with or without a client.
        response.body.once('close', () => {
          clearTimeout(timer);
          releaseStream?.();
          call.signal?.removeEventListener('abort', gone);
        });
        return { response, endpointUrl: endpoint.url, signal: abort.signal };
      } catch (error) {
        const unreachable = error instanceof ProxyError && error.code === ErrorCode.UPSTREAM_UNAVAILABLE;
        if (!call.retryable || !unreachable || attempt >= MAX_ATTEMPTS || abort.signal.aborted) {
          clearTimeout(timer);
          releaseStream?.();
          call.signal?.removeEventListener('abort', gone);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[attempt - 1] ?? 300));
        endpoint = this.selector.alternative(call.server, endpoint, principalless);
      }
    }
  }

  private attempt(call: UpstreamCall, endpoint: ServerEndpoint, signal: AbortSignal) {
    const attributes = { 'mcp.server.name': call.server.name, 'server.address': new URL(endpoint.url).host };
    return inClientSpan('mcp.upstream', attributes, async (span, traceHeaders) => {
      const response = await this.send(call, endpoint, signal, traceHeaders);
      span.setAttribute('http.response.status_code', response.statusCode);
      return response;
    });
  }

  private async send(
    call: UpstreamCall,
    endpoint: ServerEndpoint,
    signal: AbortSignal,
    traceHeaders: Record<string, string>,
  ) {
    // In flight until the response body ends, not until its headers: an SSE answer sends headers at once.
    const done = this.selector.started(endpoint.url);
    let inFlightUntilBodyEnds = false;
    try {
      const response = await this.pool.request({
        ...call.request,
        // The caller's trace continues upstream (W3C traceparent), through this span.
        headers: { ...call.request.headers, ...traceHeaders },
        url: call.targetUrl ?? endpoint.url,
        signal,
        headersTimeoutMs: call.timeoutMs > 0 ? call.timeoutMs : call.server.timeouts.requestMs,
      });
      response.body.once('close', done);
      inFlightUntilBodyEnds = true;
      if (response.statusCode >= 500) throw new UpstreamFailure(response);
      return response;
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (
        signal.reason instanceof TimeoutSignal ||
        (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT'
      ) {
        throw new ProxyError(504, ErrorCode.UPSTREAM_TIMEOUT, 'The upstream did not answer in time');
      }
      if (signal.aborted) throw new ProxyError(499, ErrorCode.CLIENT_CLOSED, 'The client went away');
      throw new ProxyError(
        502,
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `The upstream is unreachable: ${describe(error)}`,
      );
    } finally {
      if (!inFlightUntilBodyEnds) done();
    }
  }
}

/** The abort reason when the client went away: the exchange ended on its side, the upstream did nothing wrong. */
export class ClientGone extends Error {
  constructor() {
    super('client disconnected');
  }
}

export class TimeoutSignal extends Error {
  constructor() {
    super('upstream deadline passed');
  }
}

/** Retries choose among all endpoints; affinity does not matter for a request that never reached one. */
const principalless = { tenantId: '', oid: 'retry' } as never;

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
}
