import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RateLimitPolicy } from './rate-limit-policy.js';
import { RateLimiter } from './rate-limiter.service.js';
import { RateLimitUsage } from './rate-limit-usage.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import { RedisRateLimitStore } from './stores/redis-rate-limit.store.js';
import { GatewayThrottlerGuard } from './throttling.guard.js';

/**
 * Rate limits on every surface (ADR 0008). Import after AuthModule: global guards run in registration order and the
 * throttling guard keys on the principal authentication found. Global, so the proxy's own limits (ProxyRateLimits) count in the same store.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // The package's default throttler stands for the user tier; our guard computes every bucket itself.
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimit.requestsPerMinute }],
        storage: config.redisUrl
          ? new RedisRateLimitStore({
              url: config.redisUrl,
              keyPrefix: config.rateLimit.redisKeyPrefix,
              commandTimeoutMs: config.rateLimit.redisTimeoutMs,
            })
          : new MemoryRateLimitStore(),
      }),
    }),
  ],
  providers: [
    RateLimiter,
    RateLimitUsage,
    {
      provide: RateLimitPolicy,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new RateLimitPolicy(config.rateLimit),
    },
    { provide: APP_GUARD, useClass: GatewayThrottlerGuard },
  ],
  exports: [RateLimiter, RateLimitPolicy, RateLimitUsage],
})
export class ThrottlingModule {}
