// Setting up a risk-limiting audit: a state's audit administrator names the contests with their reported
// results, the risk limit, the audit type and the counties; each county uploads its ballot manifest (and cast
// vote records or batch tallies where the type needs them); the seed from the dice ceremony is entered once and
// frozen. Every read goes through the sharing policy (the audit belongs to the state, AMBER to its counties and
// the operations center); a county changes only its own files, and only before the first round is drawn.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor, type UserActor } from '../access/actor.js';
import { defaultRecipientOrgs } from '../access/orgs-service.js';
import { readableBy } from '../access/policy.js';
import { orgs } from '../access/schema.js';
import { recordAudit } from '../audit/service.js';
import { elections } from '../elections/schema.js';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import { emitEvent } from '../platform/events/outbox.js';
import { AppError, invalidField, notFound, type ProblemDetail } from '../platform/http/errors.js';
import { contestProblems, makeContest, type Contest } from './contest.js';
import { parseManifest, type RowProblem } from './manifest.js';
import { rlaAudits, rlaBatches, rlaContests, rlaCounties, rlaCvrs, rlaRounds, type AuditType } from './schema.js';
import { parseCvrs, parseTallies } from './tallies.js';

export type AuditRow = typeof rlaAudits.$inferSelect;
export type ContestRow = typeof rlaContests.$inferSelect;
export type CountyRow = typeof rlaCounties.$inferSelect;

export const AUDIT_TYPES: readonly AuditType[] = ['ballot-polling', 'ballot-comparison', 'batch-comparison'];

export interface AuditInput {
  readonly name: string;
  readonly auditType: AuditType;
  readonly riskLimit: number;
  readonly electionId?: string;
  readonly counties: readonly string[];
  readonly contests: ReadonlyArray<{ readonly name: string; readonly numWinners?: number; readonly votesAllowed?: number; readonly ballotsCast: number; readonly choices: ReadonlyArray<{ readonly name: string; readonly votes: number }>; readonly counties?: readonly string[] }>;
}

/** Details for a file's problems, one per row, as the API and the page show them. */
export function rowDetails(problems: readonly RowProblem[]): ProblemDetail[] {
  return problems.slice(0, 200).map((p) => ({ field: p.line ? `line ${p.line}${p.column ? `: ${p.column}` : ''}` : 'file', message: p.message }));
}

/** Whether the contest is on the ballots of this county (no list: every county of the audit). */
export const contestInCounty = (c: Pick<ContestRow, 'counties'>, countyOrgId: string): boolean => c.counties.length === 0 || c.counties.includes(countyOrgId);

export function contestOf(c: ContestRow): Contest {
  return makeContest({ name: c.name, choices: Object.fromEntries(c.choices.map((ch) => [ch.name, ch.votes])), ballots: c.ballotsCast, numWinners: c.numWinners, votesAllowed: c.votesAllowed });
}

export const sharingOfAudit = (a: AuditRow) => ({ ownerOrg: a.ownerOrg, authorId: a.authorId, tlp: a.tlp, recipientOrgs: a.recipientOrgs, recipientUsers: a.recipientUsers });

export async function loadAudit(db: Db | Tx, user: UserActor, id: string, forUpdate = false): Promise<AuditRow> {
  const q = db.select().from(rlaAudits).where(and(eq(rlaAudits.id, id), readableBy(rlaAudits, user)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('The audit');
  return row;
}

/** The state that owns the audit acts on it; its counties only on their own part. */
export function requireStateAdmin(user: UserActor, audit: AuditRow): void {
  if (user.orgId !== audit.ownerOrg) throw new AppError('forbidden', "Only the state's audit administrators can do this.");
}

export async function requireCountyAccess(db: Db | Tx, user: UserActor, audit: AuditRow, countyOrgId: string): Promise<CountyRow> {
  const [county] = await db.select().from(rlaCounties).where(and(eq(rlaCounties.auditId, audit.id), eq(rlaCounties.orgId, countyOrgId)));
  if (!county) throw notFound('That county in this audit');
  if (user.orgId !== countyOrgId && user.orgId !== audit.ownerOrg) throw new AppError('forbidden', 'Only the county itself or its state can do this.');
  return county;
}

export async function createAudit(ctx: AppContext, actor: Actor, input: AuditInput): Promise<AuditRow> {
  const user = requireWrite(actor);
  if (user.orgType !== 'state' && user.orgType !== 'territory') throw new AppError('forbidden', 'Risk-limiting audits are set up by a state or territory election office.');
  const details: ProblemDetail[] = [];
  const name = input.name.trim();
  if (!name) details.push({ field: 'name', message: 'Give the audit a name.' });
  if (!Number.isInteger(input.riskLimit) || input.riskLimit < 1 || input.riskLimit > 20) details.push({ field: 'riskLimit', message: 'The risk limit is a whole percentage from 1 to 20.' });
  const countyIds = [...new Set(input.counties)];
  if (countyIds.length !== input.counties.length) details.push({ field: 'counties', message: 'A county is listed twice.' });
  const contestNames = new Set<string>();
  input.contests.forEach((c, i) => {
    const field = `contests[${i}]`;
    const cname = c.name.trim();
    if (contestNames.has(cname.toLowerCase())) details.push({ field, message: `Two contests are named ${cname}.` });
    contestNames.add(cname.toLowerCase());
    const choiceNames = c.choices.map((ch) => ch.name.trim().toLowerCase());
    if (new Set(choiceNames).size !== choiceNames.length) details.push({ field, message: `${cname} lists a choice twice.` });
    const numWinners = c.numWinners ?? 1;
    for (const county of c.counties ?? []) if (!countyIds.includes(county)) details.push({ field: `${field}.counties`, message: `${cname} names a county that is not taking part in the audit.` });
    if (c.counties && new Set(c.counties).size !== c.counties.length) details.push({ field: `${field}.counties`, message: `${cname} lists a county twice.` });
    for (const message of contestProblems({ name: cname, choices: Object.fromEntries(c.choices.map((ch) => [ch.name.trim(), ch.votes])), ballots: c.ballotsCast, numWinners, votesAllowed: c.votesAllowed ?? numWinners })) details.push({ field, message: `${cname}: ${message}` });
    const sorted = [...c.choices].sort((a, b) => b.votes - a.votes);
    if (sorted.length > numWinners && sorted[numWinners - 1]!.votes === sorted[numWinners]!.votes && input.auditType !== 'ballot-polling') {
      details.push({ field, message: `${cname} is tied between a winner and a loser; only a full hand count settles a tie.` });
    }
  });
  if (details.length) throw new AppError('validation-failed', 'The audit cannot be set up as entered.', { details });
  return ctx.db.transaction(async (tx) => {
    const found = await tx.select({ id: orgs.id, name: orgs.name, type: orgs.type, parentId: orgs.parentId }).from(orgs).where(inArray(orgs.id, countyIds));
    for (const id of countyIds) {
      const o = found.find((f) => f.id === id);
      if (!o || o.parentId !== user.orgId || o.type === 'state') throw invalidField('counties', `${o?.name ?? id} is not a local office of your state.`);
    }
    if (input.electionId) {
      const [e] = await tx.select({ id: elections.id }).from(elections).where(eq(elections.id, input.electionId));
      if (!e) throw invalidField('electionId', 'No such election.');
    }
    const recipients = new Set([...countyIds, ...(await defaultRecipientOrgs(tx, user.orgId))]);
    const [audit] = await tx.insert(rlaAudits).values({
      ownerOrg: user.orgId, authorId: user.userId, tlp: 'AMBER', recipientOrgs: [...recipients], name, auditType: input.auditType, riskLimit: input.riskLimit, electionId: input.electionId ?? null,
    }).returning();
    await tx.insert(rlaContests).values(input.contests.map((c, position) => ({
      auditId: audit!.id, position, name: c.name.trim(), numWinners: c.numWinners ?? 1, votesAllowed: c.votesAllowed ?? c.numWinners ?? 1, ballotsCast: c.ballotsCast, choices: c.choices.map((ch) => ({ name: ch.name.trim(), votes: ch.votes })),
      // Every county of the audit is stored as "all": the same contest whichever counties are added to its list.
      counties: c.counties && c.counties.length < countyIds.length ? [...c.counties] : [],
    })));
    await tx.insert(rlaCounties).values(countyIds.map((id) => ({ auditId: audit!.id, orgId: id, name: found.find((f) => f.id === id)!.name })));
    await recordAudit(tx, user, { action: 'rla.audit-created', targetKind: 'rla-audit', targetId: audit!.id, orgIds: countyIds, details: { name, auditType: input.auditType, riskLimit: input.riskLimit, contests: input.contests.map((c) => c.name), counties: countyIds.length } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: audit!.id, sharing: sharingOfAudit(audit!), payload: { auditId: audit!.id, what: 'created' } });
    const files = input.auditType === 'ballot-polling' ? 'your ballot manifest' : input.auditType === 'ballot-comparison' ? 'your ballot manifest and cast vote records' : 'your ballot manifest and batch tallies';
    await emitEvent(tx, { type: 'audit.task', recordKind: 'rla-audit', recordId: audit!.id, sharing: sharingOfAudit(audit!), payload: { counties: countyIds, title: `Audit "${name}": your county takes part. Upload ${files}.` } });
    return audit!;
  });
}

export async function listAudits(ctx: AppContext, actor: Actor) {
  const user = requireUser(actor);
  const rows = await ctx.db.select({ id: rlaAudits.id, name: rlaAudits.name, auditType: rlaAudits.auditType, riskLimit: rlaAudits.riskLimit, status: rlaAudits.status, ownerOrg: rlaAudits.ownerOrg, createdAt: rlaAudits.createdAt, completedAt: rlaAudits.completedAt, tlp: rlaAudits.tlp })
    .from(rlaAudits).where(readableBy(rlaAudits, user)).orderBy(sql`${rlaAudits.createdAt} desc`).limit(500);
  const owners = rows.length ? await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(inArray(orgs.id, [...new Set(rows.map((r) => r.ownerOrg))])) : [];
  return { items: rows.map((r) => ({ ...r, state: owners.find((o) => o.id === r.ownerOrg)?.name ?? null })) };
}

/** Checks the seed: digits only (spaces and dashes from the ceremony sheet are dropped), at least 20 of them. */
export function normaliseSeed(raw: string): string {
  const seed = raw.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(seed)) throw invalidField('seed', 'The seed is the digits rolled with the dice: digits only.');
  if (seed.length < 20) throw invalidField('seed', `The seed needs at least 20 digits; this one has ${seed.length}. Roll more dice.`);
  if (seed.length > 100) throw invalidField('seed', 'The seed is at most 100 digits.');
  return seed;
}

export async function enterSeed(ctx: AppContext, actor: Actor, id: string, raw: string): Promise<AuditRow> {
  const user = requireWrite(actor);
  const seed = normaliseSeed(raw);
  return ctx.db.transaction(async (tx) => {
    const audit = await loadAudit(tx, user, id, true);
    requireStateAdmin(user, audit);
    if (audit.seed !== null) throw new AppError('conflict', `The seed was entered by ${audit.seedEnteredByName} at ${audit.seedEnteredAt?.toISOString()} and is frozen.`);
    const [row] = await tx.update(rlaAudits).set({ seed, seedEnteredBy: user.userId, seedEnteredByName: user.name, seedEnteredAt: new Date(), updatedAt: new Date() }).where(eq(rlaAudits.id, id)).returning();
    await recordAudit(tx, user, { action: 'rla.seed-entered', targetKind: 'rla-audit', targetId: id, details: { seed } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { auditId: id, what: 'seed' } });
    return row!;
  });
}

async function requireSetupOpen(tx: Tx, audit: AuditRow): Promise<void> {
  const [round] = await tx.select({ id: rlaRounds.id }).from(rlaRounds).where(eq(rlaRounds.auditId, audit.id)).limit(1);
  if (round) throw new AppError('conflict', 'The sample has been drawn; the files it was drawn from can no longer change.');
}

const INSERT_CHUNK = 1000;

async function insertChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

/** A county's ballot manifest: replaces any earlier one, all or nothing, and must add up to its ballots cast. */
export async function uploadManifest(ctx: AppContext, actor: Actor, id: string, countyOrgId: string, input: { data: Buffer; fileName: string; ballotsCast: number }) {
  const user = requireWrite(actor);
  // Who may upload is settled before the file is read.
  await requireCountyAccess(ctx.db, user, await loadAudit(ctx.db, user, id), countyOrgId);
  const parsed = parseManifest(input.data);
  if (parsed.problems.length) throw new AppError('validation-failed', `The manifest has ${parsed.problems.length === 1 ? 'a problem' : `${parsed.problems.length} problems`}; nothing was saved.`, { details: rowDetails(parsed.problems) });
  if (parsed.ballots !== input.ballotsCast) {
    throw new AppError('validation-failed', `The manifest lists ${parsed.ballots.toLocaleString('en-US')} ballots, but ${input.ballotsCast.toLocaleString('en-US')} ballots were cast. Check the batches (a missing or repeated batch?) or the ballots cast; nothing was saved.`, { details: [{ field: 'ballotsCast', message: `manifest total ${parsed.ballots} ≠ ballots cast ${input.ballotsCast}` }] });
  }
  return ctx.db.transaction(async (tx) => {
    const audit = await loadAudit(tx, user, id, true);
    const county = await requireCountyAccess(tx, user, audit, countyOrgId);
    await requireSetupOpen(tx, audit);
    await tx.delete(rlaBatches).where(and(eq(rlaBatches.auditId, id), eq(rlaBatches.countyOrgId, countyOrgId)));
    await insertChunks(parsed.rows, (chunk) => tx.insert(rlaBatches).values(chunk.map((r) => ({ auditId: id, countyOrgId, container: r.container, tabulator: r.tabulator, name: r.batch, ballots: r.ballots }))));
    const now = new Date();
    await tx.update(rlaCounties).set({
      ballotsCast: input.ballotsCast, manifestFile: input.fileName, manifestSha256: parsed.sha256, manifestEncoding: parsed.encoding, manifestBatches: parsed.rows.length, manifestBallots: parsed.ballots, manifestUploadedAt: now, manifestUploadedBy: user.name,
      // New batches: any earlier cast vote records or tallies referred to the old ones.
      resultsFile: null, resultsSha256: null, resultsRows: null, resultsUploadedAt: null, resultsUploadedBy: null,
    }).where(and(eq(rlaCounties.auditId, id), eq(rlaCounties.orgId, countyOrgId)));
    await recordAudit(tx, user, { action: 'rla.manifest-uploaded', targetKind: 'rla-audit', targetId: id, orgIds: [audit.ownerOrg, countyOrgId], details: { county: county.name, file: input.fileName, sha256: parsed.sha256, batches: parsed.rows.length, ballots: parsed.ballots, encoding: parsed.encoding } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { auditId: id, what: 'manifest', county: county.name } });
    return { county: county.name, file: input.fileName, sha256: parsed.sha256, encoding: parsed.encoding, batches: parsed.rows.length, ballots: parsed.ballots };
  });
}

/** Cast vote records (ballot comparison) or batch tallies (batch comparison), checked against the manifest. */
export async function uploadResults(ctx: AppContext, actor: Actor, id: string, countyOrgId: string, input: { data: Buffer; fileName: string }) {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const audit = await loadAudit(tx, user, id, true);
    const county = await requireCountyAccess(tx, user, audit, countyOrgId);
    if (audit.auditType === 'ballot-polling') throw new AppError('conflict', 'A ballot-polling audit needs no cast vote records or tallies.');
    await requireSetupOpen(tx, audit);
    if (!county.manifestSha256) throw new AppError('conflict', 'Upload the ballot manifest first: these records are checked against its batches.');
    const contests = (await tx.select().from(rlaContests).where(eq(rlaContests.auditId, id)).orderBy(asc(rlaContests.position))).filter((c) => contestInCounty(c, countyOrgId));
    const shapes = contests.map((c) => ({ name: c.name, choices: c.choices.map((ch) => ch.name) }));
    const batches = await tx.select({ id: rlaBatches.id, tabulator: rlaBatches.tabulator, name: rlaBatches.name, ballots: rlaBatches.ballots }).from(rlaBatches).where(and(eq(rlaBatches.auditId, id), eq(rlaBatches.countyOrgId, countyOrgId)));
    const byKey = new Map(batches.map((b) => [`${b.tabulator ?? ''}\u0000${b.name}`, b]));
    const problems: RowProblem[] = [];
    let rows = 0;
    let sha256: string;
    if (audit.auditType === 'ballot-comparison') {
      const parsed = parseCvrs(input.data, shapes);
      sha256 = parsed.sha256;
      problems.push(...parsed.problems);
      const records: Array<{ batchId: string; position: number; votes: Record<string, Record<string, number>> }> = [];
      const perBatch = new Map<string, number>();
      for (const r of parsed.rows) {
        const b = byKey.get(`${r.tabulator ?? ''}\u0000${r.batch}`);
        if (!b) problems.push({ line: r.line, column: 'Batch Name', message: `The batch "${r.batch}"${r.tabulator ? ` of tabulator "${r.tabulator}"` : ''} is not in the manifest.` });
        else if (r.position > b.ballots) problems.push({ line: r.line, column: 'Ballot Position', message: `The manifest says batch "${r.batch}" has ${b.ballots} ballots; there is no ballot ${r.position}.` });
        else {
          records.push({ batchId: b.id, position: r.position, votes: r.votes });
          perBatch.set(b.id, (perBatch.get(b.id) ?? 0) + 1);
        }
      }
      if (!problems.length) {
        for (const b of batches) {
          const n = perBatch.get(b.id) ?? 0;
          if (n !== b.ballots) problems.push({ line: 0, message: `Batch "${b.name}"${b.tabulator ? ` of tabulator "${b.tabulator}"` : ''} has ${b.ballots} ballots in the manifest but ${n} cast vote records.` });
        }
      }
      if (problems.length) throw new AppError('validation-failed', `The cast vote records have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was saved.`, { details: rowDetails(problems) });
      const ids = batches.map((b) => b.id);
      if (ids.length) await tx.delete(rlaCvrs).where(inArray(rlaCvrs.batchId, ids));
      await insertChunks(records, (chunk) => tx.insert(rlaCvrs).values(chunk));
      rows = records.length;
    } else {
      const parsed = parseTallies(input.data, shapes);
      sha256 = parsed.sha256;
      problems.push(...parsed.problems);
      const seen = new Set<string>();
      const updates: Array<{ id: string; tallies: Record<string, Record<string, number>> }> = [];
      for (const r of parsed.rows) {
        const b = byKey.get(`${r.tabulator ?? ''}\u0000${r.batch}`);
        if (!b) {
          problems.push({ line: r.line, column: 'Batch Name', message: `The batch "${r.batch}" is not in the manifest.` });
          continue;
        }
        for (const c of contests) {
          const total = Object.values(r.votes[c.name] ?? {}).reduce((a, v) => a + v, 0);
          if (total > b.ballots * c.votesAllowed) problems.push({ line: r.line, column: c.name, message: `${total} votes in ${c.name}, more than the batch's ${b.ballots} ballots allow.` });
        }
        seen.add(b.id);
        updates.push({ id: b.id, tallies: r.votes });
      }
      for (const b of batches) if (!seen.has(b.id)) problems.push({ line: 0, message: `The manifest's batch "${b.name}" has no tally.` });
      if (problems.length) throw new AppError('validation-failed', `The batch tallies have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was saved.`, { details: rowDetails(problems) });
      for (const u of updates) await tx.update(rlaBatches).set({ tallies: u.tallies }).where(eq(rlaBatches.id, u.id));
      rows = updates.length;
    }
    await tx.update(rlaCounties).set({ resultsFile: input.fileName, resultsSha256: sha256, resultsRows: rows, resultsUploadedAt: new Date(), resultsUploadedBy: user.name }).where(and(eq(rlaCounties.auditId, id), eq(rlaCounties.orgId, countyOrgId)));
    await recordAudit(tx, user, { action: 'rla.results-uploaded', targetKind: 'rla-audit', targetId: id, orgIds: [audit.ownerOrg, countyOrgId], details: { county: county.name, file: input.fileName, sha256, rows } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { auditId: id, what: 'results', county: county.name } });
    return { county: county.name, file: input.fileName, sha256, rows };
  });
}

export async function countiesOf(db: Db | Tx, auditId: string): Promise<CountyRow[]> {
  return db.select().from(rlaCounties).where(eq(rlaCounties.auditId, auditId)).orderBy(asc(rlaCounties.name));
}

export async function contestsOf(db: Db | Tx, auditId: string): Promise<ContestRow[]> {
  return db.select().from(rlaContests).where(eq(rlaContests.auditId, auditId)).orderBy(asc(rlaContests.position));
}
