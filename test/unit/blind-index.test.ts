import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex, normalize, normalizeEmail, normalizePhone } from '../../shared/platform/crypto/index.js';
import { createCustomerSchema, listCustomersQuery, updateCustomerSchema } from '../../shared/contexts/customers/schemas.js';
import { requestCodeSchema } from '../../shared/contexts/self-service/schemas.js';

const key = randomBytes(32);
const otherKey = randomBytes(32);

describe('normalizeEmail', () => {
  it('lower-cases and trims', () => {
    expect(normalizeEmail('  Zhang.Wei@Example.COM \t')).toBe('zhang.wei@example.com');
    expect(normalizeEmail('a@b.cn')).toBe('a@b.cn');
  });
});

describe('normalizePhone', () => {
  it('gives E.164 for spaced and dashed international numbers', () => {
    expect(normalizePhone('+86 138 1234 5678')).toBe('+8613812345678');
    expect(normalizePhone('+86-138-1234-5678')).toBe('+8613812345678');
    expect(normalizePhone('  +8613812345678  ')).toBe('+8613812345678');
    expect(normalizePhone('+49 30 123456789')).toBe('+4930123456789');
  });

  it('throws on input that is not an international number', () => {
    for (const bad of ['', 'abc', 'not a phone', '12345', '13812345678', '+86 1']) {
      expect(() => normalizePhone(bad), bad).toThrow();
    }
  });
});

describe('normalize', () => {
  it('dispatches on the kind', () => {
    expect(normalize('email', ' A@B.CN ')).toBe('a@b.cn');
    expect(normalize('phone', '+86 138 1234 5678')).toBe('+8613812345678');
  });
});

describe('blindIndex', () => {
  it('is 16 bytes as 22 base64url characters', () => {
    const index = blindIndex(key, 'email', 'zhang.wei@example.com');
    expect(index).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(index, 'base64url')).toHaveLength(16);
  });

  it('is deterministic', () => {
    expect(blindIndex(key, 'email', 'zhang.wei@example.com')).toBe(blindIndex(key, 'email', 'zhang.wei@example.com'));
  });

  it('is equal for equivalent emails', () => {
    const a = blindIndex(key, 'email', 'zhang.wei@example.com');
    expect(blindIndex(key, 'email', ' Zhang.Wei@EXAMPLE.com ')).toBe(a);
  });

  it('is equal for equivalent phones', () => {
    const a = blindIndex(key, 'phone', '+8613812345678');
    expect(blindIndex(key, 'phone', '+86 138 1234 5678')).toBe(a);
    expect(blindIndex(key, 'phone', '+86-138-1234-5678')).toBe(a);
  });

  it('differs for different values', () => {
    expect(blindIndex(key, 'email', 'zhang.wei@example.com')).not.toBe(blindIndex(key, 'email', 'li.na@example.com'));
    expect(blindIndex(key, 'phone', '+8613812345678')).not.toBe(blindIndex(key, 'phone', '+8613812345679'));
  });

  it('differs for different keys', () => {
    expect(blindIndex(key, 'email', 'zhang.wei@example.com')).not.toBe(blindIndex(otherKey, 'email', 'zhang.wei@example.com'));
    expect(blindIndex(key, 'phone', '+8613812345678')).not.toBe(blindIndex(otherKey, 'phone', '+8613812345678'));
  });

  it('differs across kinds for a string that normalizes identically under both', () => {
    const value = '+8613812345678';
    // The same normalized text under both kinds: only the kind separates the indexes.
    expect(normalize('email', value)).toBe(normalize('phone', value));
    expect(blindIndex(key, 'email', value)).not.toBe(blindIndex(key, 'phone', value));
  });

  it('does not contain the plaintext or its normalized form', () => {
    const email = 'zhang.wei@example.com';
    const index = blindIndex(key, 'email', email);
    expect(index).not.toContain('zhang');
    expect(index).not.toContain(Buffer.from(email).toString('base64url').slice(0, 8));
    const phoneIndex = blindIndex(key, 'phone', '+8613812345678');
    expect(phoneIndex).not.toContain('13812345678');
  });

  it('throws for an invalid phone rather than indexing it', () => {
    expect(() => blindIndex(key, 'phone', 'not a phone')).toThrow();
  });
});

describe('normalizePhone validity', () => {
  it.each(['+86 000 0000 0000', '+1 555 555'])('rejects %s', (phone) => {
    expect(() => normalizePhone(phone)).toThrow();
  });
});

describe('the 00 international prefix', () => {
  it('reads 00 and a country code as +', () => {
    expect(normalizePhone('0086 138 1234 5678')).toBe('+8613812345678');
    expect(normalizePhone('008613812345678')).toBe('+8613812345678');
    expect(normalizePhone(' 0049 30 123456789\n')).toBe('+4930123456789');
  });

  it('gives the same blind index as the + form', () => {
    expect(blindIndex(key, 'phone', '0086 138 1234 5678')).toBe(blindIndex(key, 'phone', '+8613812345678'));
  });

  it('still refuses a national number or a bare 00', () => {
    for (const bad of ['013812345678', '00', '00 0 138 1234 5678']) expect(() => normalizePhone(bad), bad).toThrow();
  });
});

/** Contacts as every route accepts them: create, PATCH, lookup, and self-service sign-in. */
describe('contacts as accepted', () => {
  const customer = {
    type: 'individual',
    name: 'Zhang Wei',
    emails: [' Zhang.Wei@example.com\n', '\tli.na@example.com '],
    phones: [' 0086 138 1234 5678\t'],
    region: 'CN',
    tier: 'standard',
    tags: [],
    stage: 'prospect',
    collection: { channel: 'online-form', purposes: ['service'], noticeVersion: 'v1', lawfulBasis: 'consent' },
  };

  it('trims emails and reads 00 phones on create, to the indexes of the clean forms', () => {
    const parsed = createCustomerSchema.safeParse(customer);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.emails).toEqual(['Zhang.Wei@example.com', 'li.na@example.com']);
    expect(parsed.data?.phones).toEqual(['+86 138 1234 5678']);
    expect(blindIndex(key, 'email', parsed.data!.emails[0]!)).toBe(blindIndex(key, 'email', 'zhang.wei@example.com'));
    expect(blindIndex(key, 'phone', parsed.data!.phones[0]!)).toBe(blindIndex(key, 'phone', '+8613812345678'));
  });

  it('does the same on PATCH, lookup and self-service', () => {
    expect(updateCustomerSchema.parse({ emails: ['a@b.cn\r\n'], phones: ['0049 30 123456789'], reason: 'typo' })).toMatchObject({
      emails: ['a@b.cn'],
      phones: ['+49 30 123456789'],
    });
    expect(listCustomersQuery.parse({ email: ' a@b.cn ' })).toEqual({ email: 'a@b.cn' });
    expect(listCustomersQuery.parse({ phone: '0086 138 1234 5678' })).toEqual({ phone: '+86 138 1234 5678' });
    expect(requestCodeSchema.parse({ contact: '\ta@b.cn\n' })).toEqual({ contact: 'a@b.cn' });
    expect(requestCodeSchema.parse({ contact: ' 0086 138 1234 5678 ' })).toEqual({ contact: '+86 138 1234 5678' });
  });

  it('still refuses what is not a contact, trimmed or not', () => {
    for (const bad of [' ', 'a b@c.cn', ' not-an-email ']) expect(listCustomersQuery.safeParse({ email: bad }).success, bad).toBe(false);
    for (const bad of ['\t', '013812345678', ' 12345 ']) expect(listCustomersQuery.safeParse({ phone: bad }).success, bad).toBe(false);
  });
});
