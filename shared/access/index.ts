/** Staff roles (SEC-1). Order matters: earlier roles are the more privileged views. */
export const roles = ['admin', 'dpo', 'agent', 'marketer', 'analyst', 'auditor'] as const;
export type Role = (typeof roles)[number];

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

/** Anyone whose actions are audited: staff or the data subject. */
export type Principal = Actor | CustomerActor;
