export interface KeyCacheOptions {
  /** Most keys held at once; the least recently used is evicted first. */
  maxEntries: number;
  /** How long an unwrapped key may be used before it is fetched and unwrapped again. */
  ttlMs: number;
}

export const defaultKeyCacheOptions: KeyCacheOptions = { maxEntries: 1000, ttlMs: 5 * 60_000 };

/**
 * Unwrapped data keys in memory, bounded in count and age so that a warm function calls
 * the key service far less than once per request without holding keys indefinitely.
 * Evicted keys are not zeroed: a request may still be using one. A Map in recency order
 * does what a cache library would here, without its 18 KiB in every function bundle.
 */
export class KeyCache {
  /** Insertion order is recency order: a read moves its entry to the end, eviction takes the first. */
  private readonly entries = new Map<string, { key: Buffer; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  /** `now` is a monotonic clock in milliseconds (tests pass their own). */
  constructor(options: KeyCacheOptions = defaultKeyCacheOptions, now: () => number = () => performance.now()) {
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.now = now;
  }

  get(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(id, entry);
    return entry.key;
  }

  set(id: string, key: Buffer): void {
    this.entries.delete(id);
    this.entries.set(id, { key, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
