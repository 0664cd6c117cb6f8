import { LRUCache } from 'lru-cache';

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
 * Evicted keys are not zeroed: a request may still be using one.
 */
export class KeyCache {
  private readonly cache: LRUCache<string, Buffer>;

  constructor(options: KeyCacheOptions = defaultKeyCacheOptions, now?: () => number) {
    this.cache = new LRUCache<string, Buffer>({
      max: options.maxEntries,
      ttl: options.ttlMs,
      ttlAutopurge: false,
      ...(now ? { perf: { now } } : {}),
    });
  }

  get(id: string): Buffer | undefined {
    return this.cache.get(id);
  }

  set(id: string, key: Buffer): void {
    this.cache.set(id, key);
  }

  delete(id: string): void {
    this.cache.delete(id);
  }

  get size(): number {
    return this.cache.size;
  }
}
