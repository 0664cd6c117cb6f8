import { randomInt, randomUUID } from 'node:crypto';
import type { CreateCustomerInput } from '../../shared/contexts/customers/index.js';

const PHONE_SPACE = 100_000_000; // the 8 digits after +86138

/**
 * Create bodies with unique contacts: emails carry a run id and a counter; mobile numbers
 * are `+86138` and 8 digits, sequential from a random start so that they never repeat
 * within a run (up to `capacity` bodies) and rarely across runs on shared tables.
 */
export class CustomerBodies {
  private readonly run = randomUUID().slice(0, 8);
  private readonly phoneBase: number;
  private issued = 0;

  constructor(private readonly capacity = 1_000_000) {
    if (capacity < 1 || capacity > PHONE_SPACE) throw new RangeError(`capacity must be 1..${PHONE_SPACE}`);
    this.phoneBase = randomInt(0, PHONE_SPACE - capacity + 1);
  }

  next(): CreateCustomerInput {
    if (this.issued >= this.capacity) throw new RangeError(`Only ${this.capacity} unique customers were planned.`);
    const n = this.issued++;
    const digits = String(this.phoneBase + n).padStart(8, '0');
    return {
      type: 'individual',
      name: `Bench Customer ${this.run}-${n}`,
      emails: [`bench-${this.run}-${n}@example.com`],
      phones: [`+86138${digits}`],
      region: 'CN-SH',
      tier: 'normal',
      tags: ['wechat'],
      stage: 'new',
      collection: { channel: 'online-form', purposes: ['service'], noticeVersion: '2026-01', lawfulBasis: 'consent' },
    };
  }

  many(count: number): CreateCustomerInput[] {
    return Array.from({ length: count }, () => this.next());
  }
}
