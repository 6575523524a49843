import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../../common/principal.js';
import { OpenStreams } from '../../observability/open-streams.js';
import { ProxyError } from '../proxy.errors.js';
import { StreamLimits } from '../stream-limits.js';
import { CATALOG_LISTS, type CatalogFingerprints, FederatedCatalog } from './federated-catalog.js';
import { ErrorCode } from '../../common/errors/error-codes.js';

/** Below common proxy idle timeouts (60 s), so a quiet stream is not cut by a load balancer. */
const KEEP_ALIVE_MS = 25_000;

const NOTIFICATIONS: Record<keyof CatalogFingerprints, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

/** Each list's digest, shortened, as it appears in an event id: enough to tell versions apart, short to send. */
const POSITION_DIGEST_CHARS = 16;
const LISTS = CATALOG_LISTS;
const POSITION = new RegExp(
  `^[A-Za-z0-9_-]{${POSITION_DIGEST_CHARS}}(?:\\.[A-Za-z0-9_-]{${POSITION_DIGEST_CHARS}}){2}$`,
);

/**
 * The standalone `GET /federated/mcp` stream. The federated endpoint keeps no session, so this stream carries exactly
 * one kind of message: `notifications/{tools,prompts,resources}/list_changed` when a registry change (registration,
 * role rule, drift approval, maintenance, on any replica) changes what this caller sees. The registry cache wakes
 * it; a change that does not alter the caller's lists sends nothing.
 *
 * Every event's id is the caller's position (a digest per list), so the stream is resumable on any replica: a client
 * that reconnects with Last-Event-ID (after a shutdown closed the stream, or a network break) is told at once about
 * every list that changed while it was away.
 */
@Injectable()
export class ListChangedStreams {
  constructor(
    private readonly catalog: FederatedCatalog,
    private readonly limits: StreamLimits,
    private readonly openStreams: OpenStreams,
  ) {}

  open(principal: Principal, req: Request, res: Response): void {
    if (!(req.get('accept') ?? '').includes('text/event-stream')) {
      throw new ProxyError(406, ErrorCode.NOT_ACCEPTABLE, 'GET needs Accept: text/event-stream');
    }
    let unwatch = (): void => undefined;
    // Set once the stream is open; read by whichever ends it first (the client, or shutdown).
    let keepAlive: NodeJS.Timeout | undefined = undefined;
    const stopWatching = () => {
      unwatch();
      clearInterval(keepAlive);
    };
    this.hold(principal, res, {
      end: (retryMs) => {
        // Nothing may write after the end: a write between end() and 'close' would throw.
        stopWatching();
        if (res.writableEnded) return;
        res.write(`retry: ${retryMs}\n\n`);
        res.end();
      },
      closed: stopWatching,
    });
    // A client that left while the request was being authenticated: its stream is already let go.
    if (res.destroyed || res.closed) return;
    const announce = (lists: readonly (keyof CatalogFingerprints)[], now: CatalogFingerprints) => {
      if (res.writableEnded) return;
      const id = idOf(positionOf(now));
      for (const list of lists) {
        res.write(
          `id: ${id}\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: NOTIFICATIONS[list] })}\n\n`,
        );
      }
    };
    const now = this.catalog.fingerprints(principal);
    const resumedFrom = parsePosition(req.get('last-event-id'));
    unwatch = this.catalog.watchLists(principal, announce);
    // Headers go out once the stream is watching: a client that has them cannot miss a change made afterwards.
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The priming event: an id (and no message) the client can resume from, even if nothing ever changes. Only for
    // clients of protocol 2025-11-25 on: older ones try to parse its empty data as a message.
    if (primingUnderstood(req.get('mcp-protocol-version')))
      res.write(`id: ${idOf(positionOf(now))}\ndata:\n\n`);
    if (resumedFrom) {
      const position = positionOf(now);
      announce(
        LISTS.filter((list) => position[list] !== resumedFrom[list]),
        now,
      );
    }
    keepAlive = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
  }

  /**
   * Holds one of the caller's listening streams on `res` (this GET stream, or a 2026-07-28 `subscriptions/listen`):
   * counted against the stream limits (throws TOO_MANY_STREAMS before anything is written), ended by `end` when
   * the replica shuts down, and let go when the response closes, `closed` included.
   */
  hold(
    principal: Principal,
    res: Response,
    stream: { end: (retryMs: number) => void; closed?: () => void },
  ): void {
    const registered = this.openStreams.open({
      claim: this.limits.claimFor(principal, 'federated'),
      closable: { kind: 'listening', closeResumably: stream.end },
    });
    const cleanUp = () => {
      stream.closed?.();
      registered.release();
    };
    res.once('close', cleanUp);
    // A client that left while the request was being authenticated closed it already: 'close' will not come again.
    if (res.destroyed || res.closed) cleanUp();
  }
}

const PRIMING_SINCE = '2025-11-25';

function primingUnderstood(protocolVersion: string | undefined): boolean {
  return (
    protocolVersion !== undefined &&
    /^\d{4}-\d{2}-\d{2}$/.test(protocolVersion) &&
    protocolVersion >= PRIMING_SINCE
  );
}

type Position = Record<keyof CatalogFingerprints, string>;

function positionOf(fingerprints: CatalogFingerprints): Position {
  return {
    tools: fingerprints.tools.slice(0, POSITION_DIGEST_CHARS),
    prompts: fingerprints.prompts.slice(0, POSITION_DIGEST_CHARS),
    resources: fingerprints.resources.slice(0, POSITION_DIGEST_CHARS),
  };
}

function idOf(position: Position): string {
  return LISTS.map((list) => position[list]).join('.');
}

/** A Last-Event-ID this stream issued, or undefined (absent, or not one of ours: the stream starts afresh). */
function parsePosition(lastEventId: string | undefined): Position | undefined {
  if (!lastEventId || !POSITION.test(lastEventId)) return undefined;
  const [tools, prompts, resources] = lastEventId.split('.');
  return { tools, prompts, resources };
}
