import { describe, expect, it } from 'vitest';
import { roles, type Role } from '../../shared/platform/access/index.js';
import {
  canSeeContacts,
  customerViews,
  maskAddress,
  maskEmail,
  maskPhone,
  resolveView,
} from '../../shared/contexts/customers/access-policy.js';
import { ForbiddenError } from '../../shared/platform/errors/index.js';

const forbiddenOf = (fn: () => unknown): ForbiddenError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ForbiddenError);
    return error as ForbiddenError;
  }
  throw new Error('expected a ForbiddenError');
};

describe('maskPhone', () => {
  it('keeps the country code, the first three and the last four digits', () => {
    expect(maskPhone('+8613812345678')).toBe('+86 138****5678');
    expect(maskPhone('+4930123456789')).toBe('+49 301****6789');
  });

  it('never shows the middle digits', () => {
    const masked = maskPhone('+8613812345678');
    expect(masked).not.toContain('1234');
    expect(masked.replace(/\D/g, '')).toHaveLength('86'.length + 3 + 4);
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('zhang.wei@example.com')).toBe('z***@example.com');
    expect(maskEmail('a@b.cn')).toBe('a***@b.cn');
  });

  it('masks on the last @', () => {
    expect(maskEmail('"a@b"@example.com')).toBe('"***@example.com');
  });

  it('hides malformed values entirely', () => {
    expect(maskEmail('no-at-sign')).toBe('***');
    expect(maskEmail('@example.com')).toBe('***');
  });
});

describe('maskAddress', () => {
  it('keeps the first six characters (code points, not UTF-16 units)', () => {
    expect(maskAddress('上海市浦东新区世纪大道 100 号')).toBe('上海市浦东新***');
    expect(maskAddress('𠀀𠀁𠀂𠀃𠀄𠀅𠀆')).toBe('𠀀𠀁𠀂𠀃𠀄𠀅***');
  });
});

describe('resolveView', () => {
  it('gives an agent the service view by default, with masked contacts', () => {
    const { purpose, view } = resolveView('agent');
    expect(purpose).toBe('service');
    expect(view).toEqual({ name: 'full', contact: 'masked', sensitive: 'hidden', needs: 'full' });
  });

  it('gives an agent full contacts for the contact purpose', () => {
    const { purpose, view } = resolveView('agent', 'contact');
    expect(purpose).toBe('contact');
    expect(view.contact).toBe('full');
    expect(view.sensitive).toBe('hidden');
  });

  it('gives an agent everything for verification', () => {
    expect(resolveView('agent', 'verification').view).toEqual({ name: 'full', contact: 'full', sensitive: 'full', needs: 'full' });
  });

  it('hides contacts from a marketer', () => {
    const { purpose, view } = resolveView('marketer');
    expect(purpose).toBe('marketing');
    expect(view.contact).toBe('hidden');
    expect(view.sensitive).toBe('hidden');
    expect(view.name).toBe('full');
  });

  it('shows an analyst classification only', () => {
    const { purpose, view } = resolveView('analyst');
    expect(purpose).toBe('analytics');
    expect(view).toEqual({ name: 'hidden', contact: 'hidden', sensitive: 'hidden', needs: 'hidden' });
  });

  it('shows admin and dpo everything by default', () => {
    for (const role of ['admin', 'dpo'] as const) {
      const { purpose, view } = resolveView(role);
      expect(purpose).toBe('service');
      expect(Object.values(view).every((v) => v === 'full')).toBe(true);
    }
  });

  it('refuses a purpose the role may not use, naming the purpose field', () => {
    for (const [role, purpose] of [
      ['marketer', 'service'],
      ['marketer', 'contact'],
      ['analyst', 'marketing'],
      ['agent', 'analytics'],
      ['admin', 'no-such-purpose'],
    ] as const) {
      const error = forbiddenOf(() => resolveView(role, purpose));
      expect(error.field).toBe('purpose');
      expect(error.kind).toBe('forbidden');
    }
  });

  it('gives an auditor no view at all', () => {
    expect(forbiddenOf(() => resolveView('auditor')).field).toBe('purpose');
    for (const purpose of ['service', 'contact', 'verification', 'marketing', 'analytics']) {
      expect(forbiddenOf(() => resolveView('auditor', purpose)).field).toBe('purpose');
    }
  });

  it('every view of every role says something about each category', () => {
    for (const role of roles) {
      for (const view of Object.values(customerViews[role])) {
        for (const category of ['name', 'contact', 'sensitive', 'needs'] as const) {
          expect(['full', 'masked', 'hidden']).toContain(view[category]);
        }
      }
    }
  });
});

describe('canSeeContacts', () => {
  it.each<[Role, boolean]>([
    ['admin', true],
    ['dpo', true],
    ['agent', true],
    ['marketer', false],
    ['analyst', false],
    ['auditor', false],
  ])('%s -> %s', (role, expected) => {
    expect(canSeeContacts(role)).toBe(expected);
  });
});

describe('resolveView and inherited names', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('refuses the purpose %s for every role', (purpose) => {
    for (const role of roles) expect(forbiddenOf(() => resolveView(role, purpose)).field).toBe('purpose');
  });
});
