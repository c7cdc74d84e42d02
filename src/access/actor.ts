// Who is acting: a signed-in user (by session cookie or API token) or the installation operator at the CLI.
import type { OrgType, TokenScope, UserRole } from './schema.js';
import type { Viewer } from './policy.js';
import { AppError } from '../platform/http/errors.js';

export interface UserActor extends Viewer {
  readonly kind: 'user';
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  readonly systemAdmin: boolean;
  readonly orgType: OrgType;
  readonly orgParentId: string | null;
  readonly via: 'session' | 'token';
  readonly scopes: readonly TokenScope[];
  readonly sessionId?: string;
  readonly tokenId?: string;
}

/** The operator running `eoc` on the server: full directory rights, but no reading past the sharing policy. */
export interface SystemActor {
  readonly kind: 'system';
}

export type Actor = UserActor | SystemActor;

export const SYSTEM: SystemActor = { kind: 'system' };

export function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'This action needs a signed-in user.');
  return actor;
}

/** Changes need a role above viewer and, for tokens, the write scope. */
export function requireWrite(actor: Actor): UserActor {
  const user = requireUser(actor);
  if (user.role === 'viewer') throw new AppError('forbidden', 'Viewers can read but not change anything.');
  if (user.via === 'token' && !user.scopes.includes('write') && !user.scopes.includes('admin')) {
    throw new AppError('forbidden', 'This API token is read-only; create one with the write scope.');
  }
  return user;
}

/** An analyst or administrator of an operations center: approves scanning, acts for offices. */
export const isCenterAnalyst = (u: UserActor): boolean => u.orgType === 'operations-center' && (u.role === 'analyst' || u.role === 'org-admin');

export function isOrgAdmin(actor: Actor, orgId: string): boolean {
  if (actor.kind === 'system') return true;
  if (actor.via === 'token' && !actor.scopes.includes('admin')) return false;
  return actor.systemAdmin || (actor.role === 'org-admin' && actor.orgId === orgId);
}

export function requireOrgAdmin(actor: Actor, orgId: string): void {
  if (!isOrgAdmin(actor, orgId)) throw new AppError('forbidden', 'Only an administrator of this organisation can do this.');
}

export function requireSystemAdmin(actor: Actor): void {
  if (actor.kind === 'system') return;
  if (!actor.systemAdmin || (actor.via === 'token' && !actor.scopes.includes('admin'))) {
    throw new AppError('forbidden', 'Only a system administrator can do this.');
  }
}

export function actorUserId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

export function actorOrgId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.orgId : null;
}
