/** Staff roles (SEC-1). Order matters: earlier roles are the more privileged views. */
export const roles = ['admin', 'dpo', 'agent', 'marketer', 'analyst', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Only staff roles: `system` (or anything else) in a token's groups grants nothing. */
export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);

/** Who is acting, as established by the authorizer. */
export interface Actor {
  id: string;
  /** The role this request acts in: the most privileged of the caller's roles the route allows. */
  role: Role;
  requestId?: string;
}

/** A customer acting on their own data through self-service, with a customer token. */
export interface CustomerActor {
  id: string;
  role: 'customer';
  requestId?: string;
}

/**
 * Kehu itself: a worker or a scheduled job (`erasure-worker`, `retention-schedule`). Never
 * derived from a token, so no caller can act as one; audited under its own role, not a staff one.
 */
export interface SystemActor {
  id: string;
  role: 'system';
  requestId?: string;
}

/** Anyone whose actions are audited: staff, the data subject, or the system. */
export type Principal = Actor | CustomerActor | SystemActor;
