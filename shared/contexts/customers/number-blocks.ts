/**
 * Customer numbers handed out from blocks. One atomic update of the shared counter
 * reserves a whole block (`size` numbers) for this instance; creates then take numbers
 * from it in memory, in increasing order, without a store call. Two instances reserving
 * at once get different blocks, because each update adds to the counter atomically and
 * its new value marks the block's end. An instance that stops mid-block loses only the
 * numbers it had not handed out: numbers are unique and increase within a block, but not
 * across instances, and they may have gaps.
 */
export class NumberBlocks {
  private next = 0;
  private end = 0;
  /** The reservation in flight, if any: concurrent takers share it. */
  private reserving?: Promise<void>;

  /**
   * @param reserve atomically adds its argument to the counter and answers the new value.
   * @param size numbers per block.
   */
  constructor(
    private readonly reserve: (size: number) => Promise<number>,
    private readonly size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`A number block holds at least 1 number, not ${size}.`);
  }

  /** The next number of this instance's block, reserving a new block when it is used up. */
  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.reserveBlock().finally(() => (this.reserving = undefined));
      await this.reserving;
    }
    return this.next++;
  }

  private async reserveBlock(): Promise<void> {
    const last = await this.reserve(this.size);
    // The counter's new value is the last number of the block it just reserved for us.
    this.next = last - this.size + 1;
    this.end = last + 1;
  }
}
