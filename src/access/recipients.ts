// Recipients of a shareable record: organisations (AMBER, AMBER+STRICT) and named people (RED). Every record
// type checks them the same way before it is written.
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, type ProblemDetail } from '../platform/http/errors.js';
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

/**
 * The recipients fit the label (TLP:RED goes to named people, at least one, and to no organisation) and exist;
 * otherwise a 400 naming what is wrong. Incidents and advisories check their recipients with it.
 */
export async function checkRecipientsForTlp(tx: Tx, r: Recipients, tlp: Tlp): Promise<void> {
  const problems: ProblemDetail[] = [];
  if (tlp === 'RED' && r.users.length === 0) problems.push({ field: 'recipients/users', message: 'TLP:RED goes to named people only: name at least one recipient user' });
  if (tlp === 'RED' && r.orgs.length > 0) problems.push({ field: 'recipients/orgs', message: 'TLP:RED is for named people, not organisations; use AMBER to share with organisations' });
  if (problems.length) throw new AppError('validation-failed', 'The recipients do not fit the TLP label.', { details: problems });
  await checkRecipientsExist(tx, r);
}
