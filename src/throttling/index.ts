/**
 * Throttling's public API: what the layers above it (proxy, app) may use. Its stores, guard and the limiter's
 * internals stay inside; a feature asks `RateLimitPolicy` which buckets a call draws from, checks them with
 * `RateLimiter`, and answers a refusal with the helpers below. Files inside `src/throttling` import each other
 * directly, never through this file, so loading it cannot start a cycle back into throttling.
 */

// Wiring: the Nest module and the providers it exports.
export { ThrottlingModule } from './throttling.module.js';
export { RateLimiter } from './rate-limiter.service.js';
export { RateLimitPolicy } from './rate-limit-policy.js';
export { RateLimitUsage } from './rate-limit-usage.js';
export type { NamedServerWithLimits, RateLimitUsageView } from './rate-limit-usage.js';

// What a call costs, which buckets it draws from, and how a decision is answered.
export { jsonRpcCost } from './jsonrpc-cost.js';
export type { BucketCheck, RateLimitDecision, Surface } from './rate-limit.types.js';
export { applyRateLimitHeaders, refusalOf, restRefusal } from './rate-limit-responses.js';
