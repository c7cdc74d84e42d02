// Recipients of a shareable record: organisations (AMBER, AMBER+STRICT) and named people (RED). Every record
// type checks them the same way before it is written.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/client.js';
import { AppError } from '../platform/http/errors.js';
import { unknownOrgIds } from './orgs-service.js';
import { users } from './schema.js';

export interface Recipients {
  readonly orgs: readonly string[];
  readonly users: readonly string[];
}

/** Every recipient organisation exists and is active, every recipient user too; otherwise a 400 naming them. */
export async function checkRecipientsExist(tx: Tx, r: Recipients): Promise<void> {
  const badOrgs = await unknownOrgIds(tx, r.orgs);
  if (badOrgs.length) throw new AppError('validation-failed', 'Some recipient organisations do not exist.', { details: badOrgs.map((id) => ({ field: 'recipients/orgs', message: `unknown organisation ${id}` })) });
  if (r.users.length) {
    const found = await tx.select({ id: users.id }).from(users).where(and(inArray(users.id, [...r.users]), eq(users.active, true)));
    const ok = new Set(found.map((u) => u.id));
    const bad = r.users.filter((id) => !ok.has(id));
    if (bad.length) throw new AppError('validation-failed', 'Some recipient users do not exist or are deactivated.', { details: bad.map((id) => ({ field: 'recipients/users', message: `unknown user ${id}` })) });
  }
}
