import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../common/principal.js';
import { UpstreamSecrets } from '../registry/index.js';
import { ProxyError } from './proxy.errors.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const PURPOSE = 'proxy-session:v1';
/** A session older than this answers 404, so the client initializes a fresh one. */
const MAX_SESSION_AGE_MS = 24 * 3600 * 1000;
const MAX_TOKEN_LENGTH = 4096;
const OPENED_TTL_MS = 60_000;

/** What the client-facing `Mcp-Session-Id` carries, sealed. */
export interface ProxySession {
  /** The upstream's own session id (absent for stateless upstreams). */
  upstreamSessionId?: string;
  serverId: string;
  /** The endpoint that created the session: a session sticks to it. */
  endpointUrl: string;
  tenantId: string;
  oid: string;
  issuedAt: number;
}

interface Sealed {
  s?: string;
  v: string;
  e: string;
  t: string;
  o: string;
  i: number;
}

/**
 * Client-facing session ids are sealed (AES-256-GCM) tokens, not keys into a table: any replica can open one, and
 * a session id of another user, another server or a forged one is simply "not found".
 */
@Injectable()
export class SessionTokens {
  /**
   * Tokens opened lately: every request of a session carries the same one, and only genuine tokens get in (a forged
   * one fails to open). The checks against the caller, the server and the age still run on every request; the TTL
   * bounds how long a token sealed with a key since retired keeps opening.
   */
  private readonly opened = new LRUCache<string, Sealed>({ max: 20_000, ttl: OPENED_TTL_MS });

  constructor(private readonly secrets: UpstreamSecrets) {}

  seal(session: ProxySession): string {
    const payload: Sealed = {
      ...(session.upstreamSessionId ? { s: session.upstreamSessionId } : {}),
      v: session.serverId,
      e: session.endpointUrl,
      t: session.tenantId,
      o: session.oid,
      i: session.issuedAt,
    };
    return this.secrets.sealFor(PURPOSE, JSON.stringify(payload));
  }

  /** The session behind a client's id, checked against the caller and the server; 404 otherwise. */
  open(token: string, principal: Principal, serverId: string, now = Date.now()): ProxySession {
    const notFound = () =>
      new ProxyError(404, ErrorCode.SESSION_NOT_FOUND, 'Session not found; initialize a new one');
    if (token.length > MAX_TOKEN_LENGTH) throw notFound();
    let payload = this.opened.get(token);
    if (!payload) {
      try {
        payload = JSON.parse(this.secrets.openFor(PURPOSE, token)) as Sealed;
      } catch {
        throw notFound();
      }
      this.opened.set(token, payload);
    }
    if (payload.v !== serverId || payload.t !== principal.tenantId || payload.o !== principal.oid)
      throw notFound();
    if (now - payload.i > MAX_SESSION_AGE_MS) throw notFound();
    return {
      upstreamSessionId: payload.s,
      serverId: payload.v,
      endpointUrl: payload.e,
      tenantId: payload.t,
      oid: payload.o,
      issuedAt: payload.i,
    };
  }
}
