import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, openJson, seal, sealJson, SEAL_VERSION, SealError, type SealContext } from '../../shared/platform/crypto/index.js';

const key = randomBytes(32);
const ctx: SealContext = { customerId: 'cus_01', field: 'name' };

/** Flips one bit of byte `index` of the decoded body (ciphertext + tag) and re-encodes it. */
function tamperBody(sealed: string, index: number): string {
  const [version, iv, body] = sealed.split('.');
  const bytes = Buffer.from(body!, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return `${version}.${iv}.${bytes.toString('base64url')}`;
}

describe('seal / open', () => {
  it('round-trips ASCII text', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    expect(open(key, sealed, ctx)).toBe('Zhang Wei');
  });

  it('round-trips unicode text', () => {
    for (const text of ['张伟', '上海市浦东新区世纪大道 100 号', 'Zoë 😀', '']) {
      expect(open(key, seal(key, text, ctx), ctx)).toBe(text);
    }
  });

  it('produces the documented format v1.<iv>.<body> and does not contain the plaintext', () => {
    const sealed = seal(key, 'zhang.wei@example.com', ctx);
    const parts = sealed.split('.');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe(SEAL_VERSION);
    expect(Buffer.from(parts[1]!, 'base64url')).toHaveLength(12);
    // ciphertext is as long as the UTF-8 plaintext, followed by a 16-byte tag
    expect(Buffer.from(parts[2]!, 'base64url')).toHaveLength(Buffer.byteLength('zhang.wei@example.com') + 16);
    expect(sealed).not.toContain('zhang');
  });

  it('gives different ciphertexts for the same text (random IV)', () => {
    const a = seal(key, '张伟', ctx);
    const b = seal(key, '张伟', ctx);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(open(key, a, ctx)).toBe(open(key, b, ctx));
  });

  it('rejects a tampered ciphertext byte with SealError', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    expect(() => open(key, tamperBody(sealed, 0), ctx)).toThrow(SealError);
  });

  it('rejects a tampered authentication tag with SealError', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    const bodyLength = Buffer.from(sealed.split('.')[2]!, 'base64url').length;
    expect(() => open(key, tamperBody(sealed, bodyLength - 1), ctx)).toThrow(SealError);
  });

  it('rejects a tampered IV with SealError', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    const [version, iv, body] = sealed.split('.');
    const ivBytes = Buffer.from(iv!, 'base64url');
    ivBytes[0] = ivBytes[0]! ^ 0x80;
    expect(() => open(key, `${version}.${ivBytes.toString('base64url')}.${body}`, ctx)).toThrow(SealError);
  });

  it('does not open under another customer id (AAD)', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    expect(() => open(key, sealed, { ...ctx, customerId: 'cus_02' })).toThrow(SealError);
  });

  it('does not open under another field (AAD)', () => {
    const sealed = seal(key, '+8613812345678', { customerId: 'cus_01', field: 'phones' });
    expect(() => open(key, sealed, { customerId: 'cus_01', field: 'emails' })).toThrow(SealError);
  });

  it('does not open under another key', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    expect(() => open(randomBytes(32), sealed, ctx)).toThrow(SealError);
  });

  it('rejects an unknown version prefix', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    const rest = sealed.slice(SEAL_VERSION.length);
    expect(() => open(key, `v2${rest}`, ctx)).toThrow(SealError);
    expect(() => open(key, `V1${rest}`, ctx)).toThrow(SealError);
    expect(() => open(key, rest.slice(1), ctx)).toThrow(SealError);
  });

  it('rejects malformed sealed values with SealError', () => {
    const sealed = seal(key, 'Zhang Wei', ctx);
    const [version, iv, body] = sealed.split('.');
    for (const bad of [
      '',
      'v1',
      'v1..',
      `${version}.${iv}`,
      `${version}.${iv}.${body}.extra`,
      `${version}.${iv!.slice(0, 8)}.${body}`,
      `${version}.${iv}.${Buffer.alloc(8).toString('base64url')}`,
      'Zhang Wei',
    ]) {
      expect(() => open(key, bad, ctx), bad).toThrow(SealError);
    }
  });
});

describe('sealJson / openJson', () => {
  it('round-trips JSON values', () => {
    const value = { interests: ['茶', 'golf'], occupation: 'engineer', family: undefined };
    const sealed = sealJson(key, value, ctx);
    expect(typeof sealed).toBe('string');
    expect(openJson(key, sealed, ctx)).toEqual({ interests: ['茶', 'golf'], occupation: 'engineer' });
    expect(openJson(key, sealJson(key, ['a@example.com'], ctx), ctx)).toEqual(['a@example.com']);
  });

  it('seals falsy values other than undefined', () => {
    for (const value of [null, 0, false, '']) {
      const sealed = sealJson(key, value, ctx);
      expect(sealed).toBeTypeOf('string');
      expect(openJson(key, sealed, ctx)).toBe(value);
    }
  });

  it('keeps undefined absent in both directions', () => {
    expect(sealJson(key, undefined, ctx)).toBeUndefined();
    expect(openJson(key, undefined, ctx)).toBeUndefined();
  });

  it('openJson also enforces the context', () => {
    const sealed = sealJson(key, ['a@example.com'], { customerId: 'cus_01', field: 'emails' });
    expect(() => openJson(key, sealed, { customerId: 'cus_01', field: 'phones' })).toThrow(SealError);
  });
});

describe('additional data encoding', () => {
  it('does not let a separator in the id or field forge another pair', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'secret', { customerId: 'a', field: 'b|c' });
    expect(() => open(key, sealed, { customerId: 'a|b', field: 'c' })).toThrow(SealError);
  });
});
