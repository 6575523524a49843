import { Injectable } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import type { Principal } from '../common/principal.js';
import { OpenStreams, type RegisteredStream } from '../observability/open-streams.js';
import { ProxyError } from './proxy.errors.js';
import { breakReason, relayJson, relayOther, relaySse, type RelayContext } from './response-relay.js';
import type { ProxySession } from './session-token.js';
import { StreamLimits } from './stream-limits.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * What the transparent proxy does with an upstream's answer: the upstream's own 404 of a session and its refusal of
 * the gateway's credentials become the client's protocol errors; anything else is relayed as SSE (counted against the
 * caller's open streams), JSON or as it is.
 */
@Injectable()
export class UpstreamResponses {
  constructor(
    private readonly limits: StreamLimits,
    private readonly openStreams: OpenStreams,
  ) {}

  /**
   * `streamOwner` is whose stream an SSE answer counts as; `held` is the stream already registered for it (a GET
   * claims its slot before it goes upstream), released here when the answer ends, whatever it turned out to be.
   */
  async relay(
    streamOwner: { principal: Principal; serverId: string; held?: RegisteredStream },
    response: Dispatcher.ResponseData,
    context: RelayContext,
    session: ProxySession | undefined,
  ): Promise<void> {
    let stream = streamOwner.held;
    try {
      const status = response.statusCode;
      if (status === 404 && session) {
        await response.body.dump();
        throw new ProxyError(
          404,
          ErrorCode.SESSION_NOT_FOUND,
          'The upstream ended this session; initialize a new one',
        );
      }
      if (status === 401 || status === 403) {
        // The upstream refused the gateway's credentials; its challenge is not the client's to answer.
        await response.body.dump();
        throw new ProxyError(
          502,
          ErrorCode.UPSTREAM_AUTH_FAILED,
          `The upstream refused the gateway's credentials (${status})`,
        );
      }
      const contentType = headerValue(response.headers['content-type']) ?? '';
      if (contentType.startsWith('text/event-stream')) {
        try {
          stream ??= this.openStreams.open({
            claim: this.limits.claimFor(streamOwner.principal, streamOwner.serverId),
          });
        } catch (error) {
          // Refused: the upstream stream must not stay open (a GET stream has no deadline).
          response.body.destroy();
          throw error;
        }
        return await relaySse(response, context, stream);
      }
      return await this.relayPlain(response, context, contentType);
    } finally {
      stream?.release();
    }
  }

  private async relayPlain(
    response: Dispatcher.ResponseData,
    context: RelayContext,
    contentType: string,
  ): Promise<void> {
    try {
      if (contentType.startsWith('application/json')) return await relayJson(response, context);
      return await relayOther(response, context);
    } catch (error) {
      if (error instanceof ProxyError) throw error;
      throw breakReason(context.signal);
    }
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
