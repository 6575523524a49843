import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SigningKeyStore } from './signing-keys.js';

/** How often every replica re-reads its signing keys; a rotated key must be published for longer than this. */
export const SIGNING_KEY_REFRESH_MS = 60_000;

/** Picks up rotated signing keys (published first, signing from their activation time) without a restart. */
@Injectable()
export class SigningKeyRefresh implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SigningKeys');
  private timer?: NodeJS.Timeout;

  constructor(private readonly keys: SigningKeyStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      const before = this.keys.signingKey.kid;
      this.keys.refresh().then(
        () => {
          if (this.keys.signingKey.kid !== before)
            this.logger.log(`Now signing with key ${this.keys.signingKey.kid}`);
        },
        (error: unknown) =>
          this.logger.warn(`Could not reload the signing keys: ${(error as Error).message}`),
      );
    }, SIGNING_KEY_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
