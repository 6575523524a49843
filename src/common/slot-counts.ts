/** A key a slot is counted under, with the most it may hold and the refusal past that (none: only counted). */
export type SlotLimit =
  | { readonly key: string; readonly limit: number; readonly refusal: () => Error }
  | { readonly key: string; readonly limit?: undefined };

/**
 * Open slots counted by key, for limits that hold several keys at once (a user and a user's server; an upstream and
 * a tenant's share of it). All or nothing: a slot is taken under every key or under none.
 */
export class SlotCounts {
  private readonly counts = new Map<string, number>();

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Takes one slot under every key, or throws the refusal of the first that is full; the result frees it (once). */
  take(limits: readonly SlotLimit[]): () => void {
    for (const slot of limits) {
      if (slot.limit !== undefined && this.count(slot.key) >= slot.limit) throw slot.refusal();
    }
    // Only the keys are kept for the release: a listening stream holds it for its whole life, and the limits'
    // refusal closures (with their contexts) would be held with it, for each of thousands of idle streams.
    const keys = limits.map((slot) => slot.key);
    for (const key of keys) this.add(key, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) this.add(key, -1);
    };
  }

  private add(key: string, by: number): void {
    const next = this.count(key) + by;
    if (next <= 0) this.counts.delete(key);
    else this.counts.set(key, next);
  }
}
