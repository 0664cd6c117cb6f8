import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../functions/http/auth.js';
import { isRole, roles } from '../../shared/platform/access/index.js';
import { ForbiddenError } from '../../shared/platform/errors/index.js';
import { checkTransition } from '../../shared/contexts/requests/index.js';

/** Kehu's own actors (the erasure worker, the schedules) act as `system`, which no token can carry. */
const withGroups = (groups: string[]) =>
  ({
    requestContext: { requestId: 'req-1', authorizer: { jwt: { claims: { sub: 'someone', 'cognito:groups': groups }, scopes: [] } } },
  }) as unknown as APIGatewayProxyEventV2;

describe('the system role', () => {
  it('is no staff role', () => {
    expect(isRole('system')).toBe(false);
    expect(roles).not.toContain('system');
  });

  it('grants nothing when a token names it as a group, on any route', () => {
    expect(() => authorize(withGroups(['system']), roles)).toThrow(ForbiddenError);
    expect(() => authorize(withGroups(['system']), ['dpo'])).toThrow(ForbiddenError);
    // Held beside a staff role, the staff role is what the caller acts in.
    expect(authorize(withGroups(['system', 'agent']), roles).role).toBe('agent');
  });
});

describe('closing an approved erase request', () => {
  it('is refused to every role, naming the erasure as the reason; other requests close as before', () => {
    for (const role of ['dpo', 'admin'] as const) {
      expect(checkTransition('in-progress', 'complete', role, 'erase')).toEqual({ ok: false, reason: 'erasure' });
      expect(checkTransition('in-progress', 'complete', role, 'access')).toEqual({ ok: true, to: 'completed' });
    }
    expect(checkTransition('in-progress', 'reject', 'dpo', 'erase')).toEqual({ ok: false, reason: 'erasure' });
    // Before approval an erase request can still be rejected with a reason.
    expect(checkTransition('identity-verified', 'reject', 'dpo', 'erase')).toEqual({ ok: true, to: 'rejected' });
  });
});
