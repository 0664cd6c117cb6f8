import type { Store, Write } from '../../shared/platform/ports/index.js';

/**
 * A store whose transactions of one kind stop answering after `before` of them: the process
 * is as good as dead, as a crash mid-job leaves it. `inner` is wired once the app runs.
 */
export class HangingStore implements Store {
  inner!: Store;
  before = Number.POSITIVE_INFINITY;
  private resolveHung!: () => void;
  /** Settles when the job has stopped part-way. */
  readonly hung = new Promise<void>((resolve) => (this.resolveHung = resolve));

  /** @param counts which transactions count towards `before` (and hang once it is spent). */
  constructor(private readonly counts: (writes: Write[]) => boolean) {}

  get: Store['get'] = (...args) => this.inner.get(...args);
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  // A start-up check that queries before the store is wired finds nothing.
  query: Store['query'] = (...args) => ((this.inner as Store | undefined) ? this.inner.query(...args) : Promise.resolve({ items: [] }));
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  count: Store['count'] = (...args) => this.inner.count(...args);
  transact: Store['transact'] = (writes) => {
    if (this.counts(writes) && this.before-- <= 0) {
      this.resolveHung();
      return new Promise<void>(() => {});
    }
    return this.inner.transact(writes);
  };
}
