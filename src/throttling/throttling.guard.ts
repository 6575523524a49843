import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../common/decorators/auth.decorators.js';
import { jsonRpcCost } from './jsonrpc-cost.js';
import { RateLimitPolicy } from './rate-limit-policy.js';
import { applyRateLimitHeaders, jsonRpcRefusal, restRefusal } from './rate-limit-responses.js';
import { THROTTLE_AS, type ThrottleKind } from '../common/decorators/rate-limit.decorators.js';
import type { BucketCheck, Surface } from './rate-limit.types.js';
import { RateLimiter } from './rate-limiter.service.js';

/** @nestjs/throttler's `@SkipThrottle()` metadata for its default throttler (THROTTLER_SKIP + name). */
const SKIP_THROTTLE = 'THROTTLER:SKIPdefault';

type GuardedRequest = Request & AuthenticatedRequest;

/**
 * Global guard, registered after authentication so `req.principal` is known. @nestjs/throttler's guard is the frame
 * (its options, storage and `@SkipThrottle()`); the key and limits are ours: a caller's buckets by role tier, tenant,
 * burst and the global ceiling, or the client IP on public routes, OAuth routes stricter. Every route not marked
 * otherwise is counted, so routes added later are covered by default.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly limiter: RateLimiter,
    private readonly policy: RateLimitPolicy,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const kind = this.kindOf(context);
    const { req, res } = this.getRequestResponse(context) as { req: GuardedRequest; res: Response };
    // The raw client address (`trust proxy` applied); the policy normalizes it (IPv6 by /64).
    const ip = req.ip ?? '';
    const jsonRpc = kind === 'jsonrpc' ? jsonRpcCost(req.body, req.method) : undefined;
    const { checks, surface } = this.checksFor(kind, req.principal, ip, jsonRpc);
    const decision = await this.limiter.consume(checks, surface);
    if (!decision.allowed) {
      throw jsonRpc ? jsonRpcRefusal(decision, jsonRpc.requestId) : restRefusal(decision);
    }
    applyRateLimitHeaders(res, decision);
    return true;
  }

  /**
   * Only HTTP: global guards do not run for MCP tool calls (rpc context), and if they ever did, /mcp would already have
   * been counted per message over HTTP. `@SkipThrottle()` and handler-counted routes are skipped too.
   */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter.enabled || context.getType() !== 'http') return Promise.resolve(true);
    const targets = [context.getHandler(), context.getClass()];
    const skipped = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_THROTTLE, targets) === true;
    return Promise.resolve(skipped || this.kindOf(context) === 'in-handler');
  }

  private kindOf(context: ExecutionContext): ThrottleKind | undefined {
    return this.reflector.getAllAndOverride<ThrottleKind | undefined>(THROTTLE_AS, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  private checksFor(
    kind: ThrottleKind | undefined,
    principal: GuardedRequest['principal'],
    ip: string,
    jsonRpc: ReturnType<typeof jsonRpcCost> | undefined,
  ): { checks: BucketCheck[]; surface: Surface } {
    if (kind === 'oauth') return { checks: this.policy.forOAuth(ip), surface: 'oauth' };
    const surface: Surface = jsonRpc ? 'mcp' : 'rest';
    if (!principal) return { checks: this.policy.forAnonymous(ip, jsonRpc?.cost), surface };
    return {
      checks: [
        ...this.policy.forPrincipal(principal, jsonRpc?.cost, jsonRpc?.housekeeping),
        ...(jsonRpc ? this.policy.forGatewayTools(principal, jsonRpc.toolCalls) : []),
      ],
      surface,
    };
  }
}
