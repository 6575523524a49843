import { Injectable } from '@nestjs/common';

/** Process-wide serving state that readiness reports; flipped first thing on shutdown so load balancers drain us. */
@Injectable()
export class LifecycleState {
  readonly startedAt = Date.now();
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }

  uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
