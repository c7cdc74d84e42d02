// TAXII collections: who may read and who may write, and the default TLP of unmarked objects.
// Administrators of the installation create them (CLI, REST, web UI).
import { and, eq, sql } from 'drizzle-orm';
import { requireSystemAdmin, type Actor, type UserActor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { unknownOrgIds } from '../access/orgs-service.js';
import { EVERY_MEMBER_ORG } from '../access/policy.js';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { taxiiCollections } from './schema.js';

export type Collection = typeof taxiiCollections.$inferSelect;

export interface CollectionInput {
  readonly title: string;
  readonly description?: string | null;
  /** 'all' for every member organisation, or a list of organisation ids. */
  readonly readers: 'all' | readonly string[];
  readonly writers: readonly string[];
  readonly defaultTlp?: Tlp;
}

export async function createCollection(ctx: AppContext, actor: Actor, input: CollectionInput): Promise<Collection> {
  requireSystemAdmin(actor);
  const title = input.title.trim();
  if (!title || title.length > 200) throw new AppError('validation-failed', 'A collection needs a title of 1 to 200 characters.', { details: [{ field: 'title', message: 'required, at most 200 characters' }] });
  if (input.defaultTlp === 'RED') throw new AppError('validation-failed', 'TLP:RED is for named people and is never served over TAXII; choose CLEAR, GREEN, AMBER or AMBER+STRICT.', { details: [{ field: 'defaultTlp', message: 'RED is not allowed' }] });
  return ctx.db.transaction(async (tx) => {
    const readerOrgs = input.readers === 'all' ? [] : [...new Set(input.readers)];
    const writerOrgs = [...new Set(input.writers)];
    const bad = await unknownOrgIds(tx, [...readerOrgs, ...writerOrgs]);
    if (bad.length) throw new AppError('validation-failed', 'Some organisations do not exist or are deactivated.', { details: bad.map((id) => ({ field: readerOrgs.includes(id) ? 'readers' : 'writers', message: `unknown organisation ${id}` })) });
    const [row] = await tx
      .insert(taxiiCollections)
      .values({ title, description: input.description?.trim() || null, readersAll: input.readers === 'all', readerOrgs, writerOrgs, defaultTlp: input.defaultTlp ?? 'AMBER', createdBy: actor.kind === 'user' ? actor.userId : null })
      .returning();
    await recordAudit(tx, actor, { action: 'taxii.collection-created', targetKind: 'taxii-collection', targetId: row!.id, details: { title, readers: input.readers === 'all' ? 'all' : readerOrgs, writers: writerOrgs } });
    return row!;
  });
}

export function canRead(c: Collection, orgId: string): boolean {
  return c.readersAll || c.readerOrgs.includes(orgId);
}

export function canWrite(c: Collection, orgId: string): boolean {
  return c.writerOrgs.includes(orgId);
}

/** The collections an organisation may read or write, in title order. */
export async function listCollectionsFor(ctx: AppContext, actor: UserActor): Promise<Collection[]> {
  return ctx.db
    .select()
    .from(taxiiCollections)
    .where(sql`${taxiiCollections.readersAll} or ${actor.orgId}::uuid = any(${taxiiCollections.readerOrgs}) or ${actor.orgId}::uuid = any(${taxiiCollections.writerOrgs})`)
    .orderBy(taxiiCollections.title, taxiiCollections.id);
}

/** Every collection, for administrators. */
export async function listAllCollections(ctx: AppContext, actor: Actor): Promise<Collection[]> {
  requireSystemAdmin(actor);
  return ctx.db.select().from(taxiiCollections).orderBy(taxiiCollections.title, taxiiCollections.id);
}

/** A collection the actor's organisation may read or write; 404 for any other (its existence is not told). */
export async function collectionFor(db: AppContext['db'] | Tx, actor: UserActor, id: string): Promise<Collection> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound('The collection');
  const [row] = await db.select().from(taxiiCollections).where(and(eq(taxiiCollections.id, id)));
  if (!row || (!canRead(row, actor.orgId) && !canWrite(row, actor.orgId))) throw notFound('The collection');
  return row;
}

/** The recipients an AMBER object written to this collection goes to: its reader organisations. */
export function recipientsOf(c: Collection): string[] {
  return c.readersAll ? [EVERY_MEMBER_ORG] : c.readerOrgs;
}
