import { SetMetadata } from '@nestjs/common';

export const THROTTLE_AS = 'mreg:throttle-as';

/**
 * How the global throttling guard counts a route other than plain REST:
 * - `oauth`: by client IP with the stricter OAuth limit (the routes are public and attract credential stuffing);
 * - `jsonrpc`: per JSON-RPC message of the body, `tools/call` also per tool, refused with a JSON-RPC error body;
 * - `in-handler`: not in the guard at all, because the handler counts (the proxy knows the server and its limits).
 * Probes and metrics opt out with @nestjs/throttler's own `@SkipThrottle()`.
 */
export type ThrottleKind = 'oauth' | 'jsonrpc' | 'in-handler';

export const ThrottleAs = (kind: ThrottleKind): MethodDecorator & ClassDecorator =>
  SetMetadata(THROTTLE_AS, kind);
