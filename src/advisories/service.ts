// Advisories: draft → in review → published (→ withdrawn). A second analyst of the owner organisation reviews
// before anything goes out; publishing notifies every recipient (in-app live, email, webhook) through the
// outbox. Recipients acknowledge, or say "we are affected" / "we saw this"; only the owner organisation
// sees who said what. Drafts are seen by the owner organisation only; everything else through the policy.
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { encodeKeyset, decodeKeyset } from '../platform/http/keyset.js';
import { emitEvent, type Sharing } from '../platform/events/outbox.js';
import { excerpt, renderMarkdown } from '../platform/text/markdown.js';
import { recordAudit, recordAuditNow } from '../audit/service.js';
import { requireWrite, requireUser, type Actor, type UserActor } from '../access/actor.js';
import { isAuditedRead, readableBy } from '../access/policy.js';
import { defaultRecipientOrgs } from '../access/orgs-service.js';
import { checkRecipientsForTlp, type Recipients } from '../access/recipients.js';
import { orgs, users } from '../access/schema.js';
import { readableIncidentTitles } from '../incidents/service.js';
import { readableObjectSummaries } from '../intel/objects-service.js';
import { isIdentifier } from '../intel/stix/validate.js';
import { cvesForOrg } from '../vulns/service.js';
import { CVE_ID } from '../vulns/catalog.js';
import { advisories, advisoryResponses, type AdvisorySeverity, type AdvisoryStatus, type ResponseKind } from './schema.js';

export type AdvisoryRow = typeof advisories.$inferSelect;

export interface AdvisoryInput {
  readonly title: string;
  readonly summary: string;
  readonly actions: string;
  readonly components?: readonly string[];
  readonly severity: AdvisorySeverity;
  readonly tlp: Tlp;
  /** Absent: the defaults (own state and the operations center). Present, even empty: exactly these. */
  readonly recipients?: Recipients;
  readonly stixRefs?: readonly string[];
  /** CVE ids the advisory is about (matched against its readers' inventories when published). */
  readonly cves?: readonly string[];
  readonly incidentIds?: readonly string[];
}

const cvesOf = (input: AdvisoryInput) => [...new Set((input.cves ?? []).map((c) => c.trim().toUpperCase()))];

const isAnalyst = (u: UserActor) => u.role === 'analyst' || u.role === 'org-admin';

function sharingOf(a: Pick<AdvisoryRow, 'ownerOrg' | 'authorId' | 'tlp' | 'recipientOrgs' | 'recipientUsers'>): Sharing {
  return { ownerOrg: a.ownerOrg, authorId: a.authorId, tlp: a.tlp, recipientOrgs: a.recipientOrgs, recipientUsers: a.recipientUsers };
}

/** Who may see an advisory: published ones through the policy; drafts only inside the owner organisation. */
export function visibleTo(user: UserActor): SQL {
  return sql`((${advisories.status} in ('published', 'withdrawn') and ${readableBy(advisories, user)})
    or (${advisories.ownerOrg} = ${user.orgId}::uuid and (${advisories.tlp} <> 'RED' or ${readableBy(advisories, user)})))`;
}

async function loadVisible(tx: Tx | AppContext['db'], user: UserActor, id: string, forUpdate = false): Promise<AdvisoryRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('The advisory');
  const q = tx.select().from(advisories).where(and(eq(advisories.id, id), visibleTo(user)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('The advisory');
  return row;
}

function requireAnalystOf(user: UserActor, a: AdvisoryRow): void {
  if (a.ownerOrg !== user.orgId || !isAnalyst(user)) throw new AppError('forbidden', 'Only analysts of the organisation that wrote the advisory can do this.');
}

function checkInput(input: AdvisoryInput): void {
  const details: Array<{ field: string; message: string }> = [];
  if (!input.title.trim()) details.push({ field: 'title', message: 'required' });
  if (!input.summary.trim()) details.push({ field: 'summary', message: 'say what is happening' });
  if (!input.actions.trim()) details.push({ field: 'actions', message: 'say what recipients should do now' });
  for (const ref of input.stixRefs ?? []) if (!isIdentifier(ref)) details.push({ field: 'stixRefs', message: `"${(ref as string).slice(0, 80)}" is not a STIX identifier` });
  for (const cve of input.cves ?? []) if (!CVE_ID.test(cve.trim().toUpperCase())) details.push({ field: 'cves', message: `"${cve.slice(0, 40)}" is not a CVE id (CVE-2024-3400)` });
  if (details.length) throw new AppError('validation-failed', 'Some fields of the advisory are missing or not valid.', { details });
}

export async function createAdvisory(ctx: AppContext, actor: Actor, input: AdvisoryInput): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  if (!isAnalyst(user)) throw new AppError('forbidden', 'Analysts write advisories.');
  checkInput(input);
  return ctx.db.transaction(async (tx) => {
    const recipients = input.recipients ? { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] } : { orgs: await defaultRecipientOrgs(tx, user.orgId), users: [] as string[] };
    await checkRecipientsForTlp(tx, recipients, input.tlp);
    const [row] = await tx
      .insert(advisories)
      .values({
        ownerOrg: user.orgId, authorId: user.userId, tlp: input.tlp, recipientOrgs: recipients.orgs, recipientUsers: recipients.users,
        title: input.title.trim(), summary: input.summary, actions: input.actions, components: [...new Set(input.components ?? [])], severity: input.severity,
        stixRefs: [...new Set(input.stixRefs ?? [])], cves: cvesOf(input), incidentIds: [...new Set(input.incidentIds ?? [])],
      })
      .returning();
    await recordAudit(tx, user, { action: 'advisory.drafted', targetKind: 'advisory', targetId: row!.id, details: { tlp: row!.tlp, severity: row!.severity } });
    return row!;
  });
}

/** Edits a draft (or one returned from review); a published advisory is withdrawn and written anew instead. */
export async function updateAdvisory(ctx: AppContext, actor: Actor, id: string, input: AdvisoryInput): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  checkInput(input);
  return ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id, true);
    requireAnalystOf(user, a);
    if (a.status !== 'draft') throw new AppError('conflict', a.status === 'in-review' ? 'The advisory is being reviewed; ask the reviewer to return it first.' : 'A published advisory cannot be edited; withdraw it and write a new one.');
    const recipients = input.recipients ? { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] } : { orgs: a.recipientOrgs, users: a.recipientUsers };
    await checkRecipientsForTlp(tx, recipients, input.tlp);
    const [row] = await tx
      .update(advisories)
      .set({ title: input.title.trim(), summary: input.summary, actions: input.actions, components: [...new Set(input.components ?? [])], severity: input.severity, tlp: input.tlp, recipientOrgs: recipients.orgs, recipientUsers: recipients.users, stixRefs: [...new Set(input.stixRefs ?? [])], cves: cvesOf(input), incidentIds: [...new Set(input.incidentIds ?? [])], updatedAt: new Date() })
      .where(eq(advisories.id, id))
      .returning();
    return row!;
  });
}

export async function submitAdvisory(ctx: AppContext, actor: Actor, id: string): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id, true);
    requireAnalystOf(user, a);
    if (a.status !== 'draft') throw new AppError('conflict', 'Only a draft can be sent for review.');
    // TLP:RED is read by the people it names only, so its reviewer must be one of them.
    if (a.tlp === 'RED') {
      const others = a.recipientUsers.filter((u) => u !== a.authorId);
      const reviewers = others.length
        ? await tx.select({ id: users.id }).from(users).where(and(inArray(users.id, others), eq(users.orgId, a.ownerOrg), inArray(users.role, ['analyst', 'org-admin']), eq(users.active, true)))
        : [];
      if (!reviewers.length) throw new AppError('conflict', 'A TLP:RED advisory is reviewed by someone it names: add another analyst of your organisation to its recipients.');
    }
    const [row] = await tx.update(advisories).set({ status: 'in-review', submittedAt: new Date(), reviewNote: null, updatedAt: new Date() }).where(eq(advisories.id, id)).returning();
    await recordAudit(tx, user, { action: 'advisory.submitted', targetKind: 'advisory', targetId: id });
    return row!;
  });
}

/** The reviewer (another analyst of the owner organisation) sends it back with a note. */
export async function returnAdvisory(ctx: AppContext, actor: Actor, id: string, note: string): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id, true);
    requireAnalystOf(user, a);
    if (a.status !== 'in-review') throw new AppError('conflict', 'Only an advisory in review can be returned.');
    const [row] = await tx.update(advisories).set({ status: 'draft', reviewerId: user.userId, reviewNote: note.trim() || null, updatedAt: new Date() }).where(eq(advisories.id, id)).returning();
    await recordAudit(tx, user, { action: 'advisory.returned', targetKind: 'advisory', targetId: id, details: { note: note.slice(0, 500) } });
    return row!;
  });
}

export async function publishAdvisory(ctx: AppContext, actor: Actor, id: string): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  const row = await ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id, true);
    requireAnalystOf(user, a);
    if (a.status !== 'in-review') throw new AppError('conflict', a.status === 'draft' ? 'Send the advisory for review first.' : 'The advisory is already published.');
    if (a.authorId === user.userId) throw new AppError('forbidden', 'Another analyst of your organisation must review and publish what you wrote.');
    const now = new Date();
    const [p] = await tx.update(advisories).set({ status: 'published', reviewerId: user.userId, publishedAt: now, updatedAt: now }).where(eq(advisories.id, id)).returning();
    const ownerName = (await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, p!.ownerOrg)))[0]?.name ?? '';
    await emitEvent(tx, { type: 'advisory.published', recordKind: 'advisory', recordId: id, sharing: sharingOf(p!), payload: { id, title: p!.title, severity: p!.severity, tlp: p!.tlp, ownerName, excerpt: excerpt(p!.summary, 200), actions: excerpt(p!.actions, 300) } });
    await recordAudit(tx, user, { action: 'advisory.published', targetKind: 'advisory', targetId: id, details: { tlp: p!.tlp, severity: p!.severity, recipientOrgs: p!.recipientOrgs.length } });
    return p!;
  });
  ctx.relay.kick();
  return row;
}

export async function withdrawAdvisory(ctx: AppContext, actor: Actor, id: string, reason: string): Promise<AdvisoryRow> {
  const user = requireWrite(actor);
  const row = await ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id, true);
    requireAnalystOf(user, a);
    if (a.status !== 'published') throw new AppError('conflict', 'Only a published advisory can be withdrawn.');
    if (!reason.trim()) throw new AppError('validation-failed', 'Say why it is withdrawn, so recipients know.', { details: [{ field: 'reason', message: 'required' }] });
    const [w] = await tx.update(advisories).set({ status: 'withdrawn', withdrawnAt: new Date(), withdrawnReason: reason.trim(), updatedAt: new Date() }).where(eq(advisories.id, id)).returning();
    await emitEvent(tx, { type: 'advisory.withdrawn', recordKind: 'advisory', recordId: id, sharing: sharingOf(w!), payload: { id, title: w!.title, reason: reason.trim().slice(0, 300) } });
    await recordAudit(tx, user, { action: 'advisory.withdrawn', targetKind: 'advisory', targetId: id, details: { reason: reason.slice(0, 500) } });
    return w!;
  });
  ctx.relay.kick();
  return row;
}

/** A recipient organisation acknowledges, or reports it is affected or saw the activity (once per kind; a new note replaces the old). */
export async function respondToAdvisory(ctx: AppContext, actor: Actor, id: string, kind: ResponseKind, note: string | null): Promise<void> {
  const user = requireWrite(actor);
  await ctx.db.transaction(async (tx) => {
    const a = await loadVisible(tx, user, id);
    if (a.status !== 'published') throw new AppError('conflict', 'Only a published advisory takes responses.');
    if (a.ownerOrg === user.orgId) throw new AppError('conflict', 'Your organisation wrote this advisory; responses come from its recipients.');
    await tx
      .insert(advisoryResponses)
      .values({ advisoryId: id, orgId: user.orgId, userId: user.userId, kind, note: note?.trim() || null })
      .onConflictDoUpdate({ target: [advisoryResponses.advisoryId, advisoryResponses.orgId, advisoryResponses.kind], set: { userId: user.userId, note: note?.trim() || null, updatedAt: new Date() } });
    const orgName = (await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, user.orgId)))[0]?.name ?? '';
    // Who said what goes to the owner organisation only (and the responder).
    await emitEvent(tx, { type: 'advisory.response', recordKind: 'advisory', recordId: id, sharing: { ownerOrg: a.ownerOrg, authorId: user.userId, tlp: 'AMBER+STRICT', recipientOrgs: [], recipientUsers: [] }, payload: { id, title: a.title, kind, orgName } });
    await recordAudit(tx, user, { action: 'advisory.responded', targetKind: 'advisory', targetId: id, orgIds: [a.ownerOrg], details: { kind } });
  });
  ctx.relay.kick();
}

export interface AdvisoryQuery {
  readonly status?: AdvisoryStatus | 'drafts';
  readonly severity?: AdvisorySeverity;
  readonly q?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export async function listAdvisories(ctx: AppContext, actor: Actor, query: AdvisoryQuery) {
  const user = requireUser(actor);
  const conditions: SQL[] = [visibleTo(user)];
  if (query.status === 'drafts') conditions.push(sql`${advisories.status} in ('draft', 'in-review')`);
  else if (query.status) conditions.push(eq(advisories.status, query.status));
  if (query.severity) conditions.push(eq(advisories.severity, query.severity));
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`(${advisories.title} ilike ${like} or ${advisories.summary} ilike ${like})`);
  }
  if (query.cursor) {
    const k = decodeKeyset(query.cursor);
    conditions.push(sql`(${advisories.updatedAt}, ${advisories.id}) < (${k.createdAt.toISOString()}::timestamptz, ${k.id}::uuid)`);
  }
  const rows = await ctx.db
    .select({ a: advisories, ownerName: orgs.name })
    .from(advisories)
    .innerJoin(orgs, eq(orgs.id, advisories.ownerOrg))
    .where(and(...conditions))
    .orderBy(desc(advisories.updatedAt), desc(advisories.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const mine = page.length
    ? await ctx.db.select({ advisoryId: advisoryResponses.advisoryId, kind: advisoryResponses.kind }).from(advisoryResponses).where(and(eq(advisoryResponses.orgId, user.orgId), inArray(advisoryResponses.advisoryId, page.map((r) => r.a.id))))
    : [];
  const restricted = page.filter((r) => isAuditedRead(r.a.tlp));
  if (restricted.length) await recordAuditNow(ctx.db, user, { action: 'advisory.read-restricted', targetKind: 'advisory', targetId: restricted[0]!.a.id, details: { via: 'list', ids: restricted.map((r) => r.a.id) } });
  return {
    items: page.map((r) => ({
      id: r.a.id, title: r.a.title, severity: r.a.severity, status: r.a.status, tlp: r.a.tlp, ownerOrg: r.a.ownerOrg, ownerName: r.ownerName,
      components: r.a.components, excerpt: excerpt(r.a.summary, 200), publishedAt: r.a.publishedAt?.toISOString() ?? null, updatedAt: r.a.updatedAt.toISOString(),
      myResponses: mine.filter((m) => m.advisoryId === r.a.id).map((m) => m.kind),
    })),
    next: rows.length > query.limit ? encodeKeyset({ createdAt: page.at(-1)!.a.updatedAt, id: page.at(-1)!.a.id }) : null,
  };
}

/**
 * The STIX objects an advisory names (its indicators and the like), for downloading them: 404 when the
 * advisory is not shared with the reader; which of the objects the reader may see is the store's to say.
 */
export async function advisoryStixRefs(ctx: AppContext, actor: Actor, id: string): Promise<string[]> {
  return (await readVisible(ctx, requireUser(actor), id, 'export')).stixRefs;
}

/** An advisory the reader may see (404 otherwise), a restricted one's reading recorded in the audit log. */
async function readVisible(ctx: AppContext, user: UserActor, id: string, via: 'view' | 'export'): Promise<AdvisoryRow> {
  const a = await loadVisible(ctx.db, user, id);
  if (isAuditedRead(a.tlp)) await recordAuditNow(ctx.db, user, { action: 'advisory.read-restricted', targetKind: 'advisory', targetId: id, details: { via } });
  return a;
}

export async function getAdvisory(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const a = await readVisible(ctx, user, id, 'view');
  const names = await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(inArray(orgs.id, [a.ownerOrg, ...a.recipientOrgs]));
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  // The author, the reviewer and the people a TLP:RED advisory names.
  const personIds = [...new Set([a.authorId, a.reviewerId, ...a.recipientUsers].filter((x): x is string => !!x))];
  const people = personIds.length ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, personIds)) : [];
  const personOf = new Map(people.map((p) => [p.id, p.name]));
  const owner = a.ownerOrg === user.orgId;
  const responses = await ctx.db
    .select({ orgId: advisoryResponses.orgId, orgName: orgs.name, kind: advisoryResponses.kind, note: advisoryResponses.note, at: advisoryResponses.updatedAt })
    .from(advisoryResponses)
    .innerJoin(orgs, eq(orgs.id, advisoryResponses.orgId))
    .where(and(eq(advisoryResponses.advisoryId, id), owner ? sql`true` : eq(advisoryResponses.orgId, user.orgId)))
    .orderBy(desc(advisoryResponses.updatedAt));
  return {
    id: a.id, title: a.title, severity: a.severity, status: a.status, tlp: a.tlp,
    summary: a.summary, summaryHtml: renderMarkdown(a.summary), actions: a.actions, actionsHtml: renderMarkdown(a.actions), components: a.components,
    owner: { id: a.ownerOrg, name: nameOf.get(a.ownerOrg) ?? '' },
    recipients: { orgs: a.recipientOrgs.map((o) => ({ id: o, name: nameOf.get(o) ?? 'Every member organisation' })), users: a.recipientUsers, people: a.recipientUsers.map((u) => ({ id: u, name: personOf.get(u) ?? '' })) },
    author: a.authorId ? { id: a.authorId, name: personOf.get(a.authorId) ?? '' } : null,
    reviewer: a.reviewerId ? { id: a.reviewerId, name: personOf.get(a.reviewerId) ?? '' } : null,
    reviewNote: owner ? a.reviewNote : null,
    submittedAt: a.submittedAt?.toISOString() ?? null, publishedAt: a.publishedAt?.toISOString() ?? null,
    withdrawnAt: a.withdrawnAt?.toISOString() ?? null, withdrawnReason: a.withdrawnReason,
    createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
    indicators: await readableObjectSummaries(ctx, user, a.stixRefs),
    cves: await cvesForOrg(ctx, user.orgId, a.cves),
    incidents: await readableIncidentTitles(ctx.db, user, a.incidentIds),
    responses: responses.map((r) => ({ ...r, at: r.at.toISOString() })),
    responseCounts: owner ? Object.fromEntries((['acknowledged', 'affected', 'seen'] as const).map((k) => [k, responses.filter((r) => r.kind === k).length])) : null,
    mayEdit: owner && isAnalyst(user) && a.status === 'draft',
    mayReview: owner && isAnalyst(user) && a.status === 'in-review' && a.authorId !== user.userId,
    mayRespond: !owner && a.status === 'published',
  };
}
