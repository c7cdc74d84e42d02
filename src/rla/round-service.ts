// Rounds of an audit: the sample-size options for the next round, drawing it (the consistent sampler over every
// county's manifest, or PPEB batches), audit boards with their one-time passphrases and the ballots split among
// them by batch, and the end of a round — the risk per contest from what the boards read, then either the end of
// the audit or the next round's options (a full hand count as the last resort).
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { requireUser, requireWrite, type Actor } from '../access/actor.js';
import { hashPassword } from '../access/secrets.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import type { Db, Tx } from '../platform/db/client.js';
import { emitEvent } from '../platform/events/outbox.js';
import { AppError, invalidField } from '../platform/http/errors.js';
import crypto from 'node:crypto';
import { AuditMathError, ballotPollingRisk, ballotPollingSampleSizes } from './bravo.js';
import { ballotComparisonRisk, ballotComparisonSampleSize, ballotDiscrepancy, type ContestVotes, type SampledComparison } from './supersimple.js';
import { batchComparisonRisk, batchComparisonSampleSize, type BatchTally, type SampledBatch } from './macro.js';
import { compareKeys, drawPpebSample, type BatchKey } from './ppeb.js';
import { sampleBallotsParallel } from './parallel-sampler.js';
import type { ManifestBatch } from './sampler.js';
import { contestInCounty, contestOf, contestsOf, countiesOf, loadAudit, requireCountyAccess, requireStateAdmin, sharingOfAudit, type AuditRow, type ContestRow } from './audit-service.js';
import { rlaAuditBoards, rlaAudits, rlaBatches, rlaCvrs, rlaDraws, rlaInterpretations, rlaRounds, type ContestRoundResult } from './schema.js';

export type RoundRow = typeof rlaRounds.$inferSelect;
type BatchRow = typeof rlaBatches.$inferSelect;
type InterpretationRow = typeof rlaInterpretations.$inferSelect;
type DrawRow = typeof rlaDraws.$inferSelect;

export interface SizeOption {
  readonly key: string;
  readonly size: number;
  readonly prob: number | null;
}

export const ballotKey = (batchId: string, position: number | null) => `${batchId}:${position ?? 0}`;

/** The audit's state so far: batches, draws and readings, loaded once for the math. */
export interface AuditState {
  readonly audit: AuditRow;
  readonly contests: ContestRow[];
  readonly batches: BatchRow[];
  readonly draws: DrawRow[];
  readonly readings: Map<string, InterpretationRow>;
  readonly cvrs: Map<string, Record<string, Record<string, number>>>;
  readonly countyNames: Map<string, string>;
}

export async function loadState(db: Db | Tx, audit: AuditRow): Promise<AuditState> {
  const [contests, batches, draws, interps, counties] = await Promise.all([
    contestsOf(db, audit.id),
    db.select().from(rlaBatches).where(eq(rlaBatches.auditId, audit.id)),
    db.select().from(rlaDraws).where(eq(rlaDraws.auditId, audit.id)).orderBy(asc(rlaDraws.ticket)),
    db.select().from(rlaInterpretations).where(eq(rlaInterpretations.auditId, audit.id)),
    countiesOf(db, audit.id),
  ]);
  const readings = new Map(interps.map((i) => [`${ballotKey(i.batchId, i.position)}:${i.contestId}`, i]));
  const cvrs = new Map<string, Record<string, Record<string, number>>>();
  if (audit.auditType === 'ballot-comparison' && draws.length) {
    const keys = [...new Set(draws.map((d) => d.batchId))];
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await db.select().from(rlaCvrs).where(inArray(rlaCvrs.batchId, keys.slice(i, i + 500)));
      for (const r of rows) cvrs.set(ballotKey(r.batchId, r.position), r.votes);
    }
  }
  return { audit, contests, batches, draws, readings, cvrs, countyNames: new Map(counties.map((c) => [c.orgId, c.name])) };
}

/** The reading of a ballot for a contest as 1/0 per choice; null when the contest is not on it. */
function auditedVotes(contest: ContestRow, reading: InterpretationRow): ContestVotes {
  if (reading.reading === 'not-on-ballot') return null;
  const votes: Record<string, number> = {};
  for (const ch of contest.choices) votes[ch.name] = reading.reading === 'vote' && reading.choices.includes(ch.name) ? 1 : 0;
  return votes;
}

interface ContestProgress {
  /** Draws whose ballot (or batch) has been read. */
  readonly draws: DrawRow[];
  readonly tally: Record<string, number>;
  readonly comparisons: SampledComparison[];
  readonly oneOver: number;
  readonly twoOver: number;
  readonly batchSample: SampledBatch[];
}

/** What the readings so far say for one contest, over the draws (with their multiplicity) that have been read. */
export function contestProgress(state: AuditState, contest: ContestRow, roundIds?: ReadonlySet<string>): ContestProgress {
  const math = contestOf(contest);
  const tally: Record<string, number> = Object.fromEntries(contest.choices.map((c) => [c.name, 0]));
  const comparisons: SampledComparison[] = [];
  const batchSample: SampledBatch[] = [];
  const read: DrawRow[] = [];
  let oneOver = 0;
  let twoOver = 0;
  const batchById = new Map(state.batches.map((b) => [b.id, b]));
  for (const d of state.draws) {
    if (d.contestId !== contest.id || (roundIds && !roundIds.has(d.roundId))) continue;
    const reading = state.readings.get(`${ballotKey(d.batchId, d.position)}:${contest.id}`);
    if (!reading) continue;
    read.push(d);
    if (state.audit.auditType === 'ballot-polling') {
      if (reading.reading === 'vote') for (const ch of reading.choices) tally[ch] = (tally[ch] ?? 0) + 1;
      // A ballot nobody can find counts against the reported outcome: a vote for every loser.
      if (reading.reading === 'not-found') for (const l of Object.keys(math.losers)) tally[l] = (tally[l] ?? 0) + 1;
    } else if (state.audit.auditType === 'ballot-comparison') {
      const cvr = state.cvrs.get(ballotKey(d.batchId, d.position));
      const reported: ContestVotes | undefined = cvr === undefined ? undefined : (cvr[contest.name] ?? null);
      const found = reading.reading !== 'not-found';
      const discrepancy = ballotDiscrepancy(math, reported, found ? auditedVotes(contest, reading) : undefined, found);
      comparisons.push({ timesSampled: 1, discrepancy });
      if (discrepancy?.countedAs === 1) oneOver++;
      if (discrepancy?.countedAs === 2) twoOver++;
    } else {
      const b = batchById.get(d.batchId);
      if (b) batchSample.push({ batch: b.id, ticket: d.ticket, audited: reading.votes ?? {} });
    }
  }
  return { draws: read, tally, comparisons, oneOver, twoOver, batchSample };
}

/** The batches of the counties whose ballots carry the contest. */
function batchesOf(state: AuditState, contest: ContestRow) {
  return state.batches.filter((b) => contestInCounty(contest, b.countyOrgId));
}

function batchTallies(state: AuditState, contest: ContestRow): Map<string, BatchTally> {
  const m = new Map<string, BatchTally>();
  for (const b of batchesOf(state, contest)) {
    const votes = b.tallies?.[contest.name];
    m.set(b.id, votes ? { votes, ballots: b.ballots } : { votes: {}, ballots: 0 });
  }
  return m;
}

/** Risk per contest from every reading so far. */
export function measureRisk(state: AuditState): ContestRoundResult[] {
  const limit = state.audit.riskLimit;
  return state.contests.map((c) => {
    const math = contestOf(c);
    const p = contestProgress(state, c);
    const base = { contestId: c.id, name: c.name, sampleSize: p.draws.length };
    if (state.audit.auditType === 'ballot-polling') {
      const r = ballotPollingRisk(limit, math, p.tally);
      return { ...base, risk: r.risk, confirmed: r.confirmed, pairs: r.pairs, tally: p.tally };
    }
    if (state.audit.auditType === 'ballot-comparison') {
      const r = ballotComparisonRisk(limit, math, p.comparisons);
      return { ...base, risk: r.risk, confirmed: r.confirmed, tally: { 'one-vote overstatements': p.oneOver, 'two-vote overstatements': p.twoOver } };
    }
    const r = batchComparisonRisk(limit, math, batchTallies(state, c), p.batchSample);
    return { ...base, risk: r.risk, confirmed: r.confirmed };
  });
}

/** Sample-size options for each contest's next round; contests already confirmed get none. */
export function nextSizeOptions(state: AuditState, lastResults: readonly ContestRoundResult[] | null): Array<{ contestId: string; name: string; options: SizeOption[]; error?: string }> {
  const limit = state.audit.riskLimit;
  return state.contests.map((c) => {
    const confirmed = lastResults?.find((r) => r.contestId === c.id)?.confirmed ?? false;
    if (confirmed) return { contestId: c.id, name: c.name, options: [] };
    const math = contestOf(c);
    const p = contestProgress(state, c);
    const drawn = state.draws.filter((d) => d.contestId === c.id).length;
    try {
      if (state.audit.auditType === 'ballot-polling') {
        const options = ballotPollingSampleSizes(limit, math, drawn ? p.tally : null, drawn);
        return { contestId: c.id, name: c.name, options: options.map((o) => ({ key: o.key, size: Math.max(1, o.size), prob: o.prob })) };
      }
      if (state.audit.auditType === 'ballot-comparison') {
        const size = ballotComparisonSampleSize(limit, math, drawn ? { sampled: p.draws.length, oneVoteOverstatements: p.oneOver, twoVoteOverstatements: p.twoOver } : undefined);
        const remaining = math.ballots - drawn;
        const options: SizeOption[] = size >= remaining ? [{ key: 'all-ballots', size: math.ballots, prob: null }] : [{ key: 'supersimple', size: Math.max(1, size), prob: null }];
        return { contestId: c.id, name: c.name, options };
      }
      const batches = batchTallies(state, c);
      const size = batchComparisonSampleSize(limit, math, batches, p.batchSample);
      const distinct = new Set(state.draws.filter((d) => d.contestId === c.id).map((d) => d.batchId)).size;
      const options: SizeOption[] = size + distinct >= batches.size ? [{ key: 'all-batches', size: batches.size - distinct, prob: null }] : [{ key: 'macro', size: Math.max(1, size), prob: null }];
      return { contestId: c.id, name: c.name, options };
    } catch (error) {
      if (error instanceof AuditMathError) return { contestId: c.id, name: c.name, options: [], error: error.message };
      throw error;
    }
  });
}

export async function latestRound(db: Db | Tx, auditId: string): Promise<RoundRow | undefined> {
  const [round] = await db.select().from(rlaRounds).where(eq(rlaRounds.auditId, auditId)).orderBy(desc(rlaRounds.number)).limit(1);
  return round;
}

export async function sampleSizeOptions(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const audit = await loadAudit(ctx.db, user, id);
  const state = await loadState(ctx.db, audit);
  const last = await latestRound(ctx.db, id);
  return { round: (last?.number ?? 0) + 1, contests: nextSizeOptions(state, last?.results ?? null) };
}

function manifestOf(state: AuditState, contest: ContestRow): ManifestBatch[] {
  return batchesOf(state, contest).map((b) => ({ county: state.countyNames.get(b.countyOrgId)!, tabulator: b.tabulator, batch: b.name, ballots: b.ballots }));
}

/**
 * Draws the next round. `choices` picks an option per contest (by key) or a custom size; by default the option
 * with a 90% chance of finishing in one round, else the only one offered.
 */
export async function startRound(ctx: AppContext, actor: Actor, id: string, choices: Readonly<Record<string, { key?: string; size?: number }>> = {}) {
  const user = requireWrite(actor);
  return ctx.db.transaction(async (tx) => {
    const audit = await loadAudit(tx, user, id, true);
    requireStateAdmin(user, audit);
    if (audit.status === 'complete') throw new AppError('conflict', 'The audit is complete.');
    if (!audit.seed) throw new AppError('conflict', 'Enter the random seed from the dice ceremony first.');
    const last = await latestRound(tx, id);
    if (last && !last.endedAt) throw new AppError('conflict', `Round ${last.number} is still under way.`);
    const counties = await countiesOf(tx, id);
    const missing = counties.filter((c) => !c.manifestSha256 || (audit.auditType !== 'ballot-polling' && !c.resultsSha256));
    if (missing.length) throw new AppError('conflict', `Waiting for ${audit.auditType === 'ballot-polling' ? 'the ballot manifest' : audit.auditType === 'ballot-comparison' ? 'the manifest and cast vote records' : 'the manifest and batch tallies'} of ${missing.map((c) => c.name).join(', ')}.`);
    const state = await loadState(tx, audit);
    const ballotsFor = (c: ContestRow) => batchesOf(state, c).reduce((n, b) => n + b.ballots, 0);
    for (const c of state.contests) {
      const total = ballotsFor(c);
      if (c.ballotsCast > total) throw new AppError('conflict', `${c.name} has ${c.ballotsCast.toLocaleString('en-US')} ballots cast but the manifests of its counties hold ${total.toLocaleString('en-US')}.`);
    }
    const options = nextSizeOptions(state, last?.results ?? null);
    const sizes: Record<string, { size: number; key: string }> = {};
    for (const o of options) {
      if (!o.options.length) {
        if (o.error) throw new AppError('conflict', `${o.name}: ${o.error}`);
        continue;
      }
      const want = choices[o.contestId];
      if (want?.size !== undefined) {
        if (!Number.isInteger(want.size) || want.size < 1) throw invalidField(`sizes.${o.contestId}`, 'A custom sample size is a whole number of at least 1.');
        sizes[o.contestId] = { size: want.size, key: 'custom' };
      } else {
        const chosen = want?.key ? o.options.find((x) => x.key === want.key) : (o.options.find((x) => x.key === '0.9') ?? o.options[0]);
        if (!chosen) throw invalidField(`sizes.${o.contestId}`, `${o.name} has no option ${want?.key}; choose one of ${o.options.map((x) => x.key).join(', ')}.`);
        sizes[o.contestId] = { size: chosen.size, key: chosen.key };
      }
    }
    for (const k of Object.keys(choices)) if (!state.contests.some((c) => c.id === k)) throw invalidField('sizes', `${k} is not a contest of this audit.`);
    if (!Object.keys(sizes).length) throw new AppError('conflict', 'Every contest is confirmed; there is nothing left to draw.');
    const number = (last?.number ?? 0) + 1;
    const [round] = await tx.insert(rlaRounds).values({ auditId: id, number, sizes, startedBy: user.name }).returning();
    const rows: Array<typeof rlaDraws.$inferInsert> = [];
    const batchByKey = new Map(state.batches.map((b) => [`${b.countyOrgId}\u0000${b.tabulator ?? ''}\u0000${b.name}`, b]));
    const countyIdByName = new Map([...state.countyNames].map(([k, v]) => [v, k]));
    for (const c of state.contests) {
      const want = sizes[c.id];
      if (!want) continue;
      const earlier = state.draws.filter((d) => d.contestId === c.id);
      if (audit.auditType === 'batch-comparison') {
        const ordered = batchesOf(state, c).sort((a, b) => compareKeys({ county: state.countyNames.get(a.countyOrgId)!, batch: a.name }, { county: state.countyNames.get(b.countyOrgId)!, batch: b.name }));
        const keyOf = (b: BatchRow): BatchKey => ({ county: state.countyNames.get(b.countyOrgId)!, batch: b.tabulator ? `${b.tabulator} / ${b.name}` : b.name });
        const tallies = batchTallies(state, c);
        const previous = earlier.map((d) => keyOf(state.batches.find((b) => b.id === d.batchId)!));
        const draws = drawPpebSample(audit.seed, contestOf(c), ordered.map((b) => [keyOf(b), tallies.get(b.id)]), want.size, previous);
        const byText = new Map(ordered.map((b) => [JSON.stringify(keyOf(b)), b]));
        const counts = new Map<string, number>();
        for (const d of earlier) counts.set(d.batchId, (counts.get(d.batchId) ?? 0) + 1);
        for (const d of draws) {
          const b = byText.get(JSON.stringify(d.key))!;
          const n = (counts.get(b.id) ?? 0) + 1;
          counts.set(b.id, n);
          rows.push({ auditId: id, roundId: round!.id, contestId: c.id, batchId: b.id, position: null, ticket: d.ticket, timesSampled: n });
        }
        continue;
      }
      const handCount = want.key === 'all-ballots';
      const draws = handCount
        ? await sampleBallotsParallel(audit.seed, manifestOf(state, c), ballotsFor(c), false)
        : (await sampleBallotsParallel(audit.seed, manifestOf(state, c), earlier.length + want.size, true)).slice(earlier.length);
      for (const d of draws) {
        const b = batchByKey.get(`${countyIdByName.get(d.item.county)}\u0000${d.item.tabulator ?? ''}\u0000${d.item.batch}`)!;
        rows.push({ auditId: id, roundId: round!.id, contestId: c.id, batchId: b.id, position: d.item.position, ticket: d.ticket, timesSampled: d.timesSampled });
      }
    }
    for (let i = 0; i < rows.length; i += 1000) await tx.insert(rlaDraws).values(rows.slice(i, i + 1000));
    await tx.update(rlaAudits).set({ status: 'in-progress', updatedAt: new Date() }).where(eq(rlaAudits.id, id));
    await recordAudit(tx, user, { action: 'rla.round-started', targetKind: 'rla-audit', targetId: id, orgIds: counties.map((c) => c.orgId), details: { round: number, sizes: Object.fromEntries(Object.entries(sizes).map(([k, v]) => [state.contests.find((c) => c.id === k)!.name, v])) } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { auditId: id, what: 'round-started', round: number } });
    const drawnIn = [...new Set(rows.map((r) => state.batches.find((b) => b.id === r.batchId)!.countyOrgId))];
    await emitEvent(tx, { type: 'audit.task', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { counties: drawnIn, title: `Audit "${audit.name}", round ${number}: your ${audit.auditType === 'batch-comparison' ? 'batches are' : 'ballots are'} drawn. Set up your audit boards and print the retrieval list.` } });
    return { round: number, id: round!.id, sizes, draws: rows.length };
  });
}

/** Ballots (or batches) a county must read this round: those drawn and not read in an earlier round. */
async function countyWork(tx: Tx, audit: AuditRow, round: RoundRow, countyOrgId: string): Promise<Array<{ batchId: string; position: number | null; batchName: string; ballots: number }>> {
  const rows = await tx
    .selectDistinct({ batchId: rlaDraws.batchId, position: rlaDraws.position, batchName: rlaBatches.name, tabulator: rlaBatches.tabulator })
    .from(rlaDraws)
    .innerJoin(rlaBatches, eq(rlaBatches.id, rlaDraws.batchId))
    .where(and(eq(rlaDraws.roundId, round.id), eq(rlaBatches.countyOrgId, countyOrgId)));
  const read = await tx.selectDistinct({ batchId: rlaInterpretations.batchId, position: rlaInterpretations.position }).from(rlaInterpretations)
    .innerJoin(rlaBatches, eq(rlaBatches.id, rlaInterpretations.batchId))
    .where(and(eq(rlaInterpretations.auditId, audit.id), eq(rlaBatches.countyOrgId, countyOrgId)));
  const done = new Set(read.map((r) => ballotKey(r.batchId, r.position)));
  return rows.filter((r) => !done.has(ballotKey(r.batchId, r.position))).map((r) => ({ batchId: r.batchId, position: r.position, batchName: `${r.tabulator ?? ''} ${r.batchName}`, ballots: 1 }));
}

function passphrase(code: string): string {
  const group = () => String(crypto.randomInt(0, 10_000)).padStart(4, '0');
  return `${code}-${group()}-${group()}-${group()}-${group()}`;
}

/** Audit boards for the county's ballots this round; passphrases are shown once. Ballots are split by batch. */
export async function createBoards(ctx: AppContext, actor: Actor, id: string, countyOrgId: string, count: number) {
  const user = requireWrite(actor);
  if (!Number.isInteger(count) || count < 1 || count > 20) throw invalidField('count', 'Set up between 1 and 20 audit boards.');
  const boards: Array<{ id: string; name: string; passphrase: string; ballots: number }> = [];
  await ctx.db.transaction(async (tx) => {
    const audit = await loadAudit(tx, user, id, true);
    const county = await requireCountyAccess(tx, user, audit, countyOrgId);
    const round = await latestRound(tx, id);
    if (!round || round.endedAt) throw new AppError('conflict', 'There is no round under way.');
    const existing = await tx.select({ id: rlaAuditBoards.id }).from(rlaAuditBoards).where(and(eq(rlaAuditBoards.roundId, round.id), eq(rlaAuditBoards.countyOrgId, countyOrgId)));
    if (existing.length) throw new AppError('conflict', `${county.name} already has its audit boards for round ${round.number}.`);
    const work = await countyWork(tx, audit, round, countyOrgId);
    // Whole batches to the board with the fewest ballots so far: a box is opened by one board only.
    const perBatch = new Map<string, { name: string; items: typeof work }>();
    for (const w of work) {
      const e = perBatch.get(w.batchId) ?? { name: w.batchName, items: [] };
      e.items.push(w);
      perBatch.set(w.batchId, e);
    }
    const sorted = [...perBatch.entries()].sort((a, b) => b[1].items.length - a[1].items.length || a[1].name.localeCompare(b[1].name));
    const loads = new Array<number>(count).fill(0);
    const assignment = new Map<string, number>();
    for (const [batchId, e] of sorted) {
      const i = loads.indexOf(Math.min(...loads));
      assignment.set(batchId, i);
      loads[i]! += e.items.length;
    }
    for (let i = 0; i < count; i++) {
      const boardId = crypto.randomUUID();
      const code = boardId.slice(0, 6).toUpperCase();
      const phrase = passphrase(code);
      await tx.insert(rlaAuditBoards).values({ id: boardId, auditId: id, roundId: round.id, countyOrgId, name: `Audit board #${i + 1}`, passphraseHash: await hashPassword(phrase) });
      const batchIds = [...assignment].filter(([, b]) => b === i).map(([batchId]) => batchId);
      // Ballots read in an earlier round are not the board's to read again.
      if (batchIds.length) {
        await tx.update(rlaDraws).set({ boardId }).where(and(eq(rlaDraws.roundId, round.id), inArray(rlaDraws.batchId, batchIds),
          sql`not exists (select 1 from ${rlaInterpretations} i where i.audit_id = ${rlaDraws.auditId} and i.batch_id = ${rlaDraws.batchId} and coalesce(i.position, 0) = coalesce(${rlaDraws.position}, 0))`));
      }
      boards.push({ id: boardId, name: `Audit board #${i + 1}`, passphrase: phrase, ballots: loads[i]! });
    }
    await recordAudit(tx, user, { action: 'rla.boards-created', targetKind: 'rla-audit', targetId: id, orgIds: [audit.ownerOrg, countyOrgId], details: { county: county.name, round: round.number, boards: count, ballots: work.length } });
    await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: id, sharing: sharingOfAudit(audit), payload: { auditId: id, what: 'boards', county: county.name } });
  });
  return { boards };
}

/** Ends the round once every county's boards have signed off (or it had nothing to read): risk per contest. */
export async function maybeEndRound(tx: Tx, auditId: string): Promise<ContestRoundResult[] | null> {
  const [audit] = await tx.select().from(rlaAudits).where(eq(rlaAudits.id, auditId)).for('update');
  if (!audit) return null;
  const round = await latestRound(tx, auditId);
  if (!round || round.endedAt) return null;
  const counties = await countiesOf(tx, auditId);
  for (const c of counties) {
    const work = await countyWork(tx, audit, round, c.orgId);
    const boards = await tx.select({ signedOffAt: rlaAuditBoards.signedOffAt }).from(rlaAuditBoards).where(and(eq(rlaAuditBoards.roundId, round.id), eq(rlaAuditBoards.countyOrgId, c.orgId)));
    if (work.length > 0 || boards.some((b) => !b.signedOffAt)) {
      // Nothing drawn here this round (no work, no boards) does not hold the round up.
      const drawnHere = await tx.select({ n: sql<number>`count(*)::int` }).from(rlaDraws).innerJoin(rlaBatches, eq(rlaBatches.id, rlaDraws.batchId)).where(and(eq(rlaDraws.roundId, round.id), eq(rlaBatches.countyOrgId, c.orgId)));
      if ((drawnHere[0]?.n ?? 0) > 0) return null;
    }
  }
  const state = await loadState(tx, audit);
  const results = measureRisk(state).map((r) => ({ ...r, sampleSize: r.sampleSize }));
  await tx.update(rlaRounds).set({ endedAt: new Date(), results }).where(eq(rlaRounds.id, round.id));
  const done = results.every((r) => r.confirmed);
  await tx.update(rlaAudits).set({ status: done ? 'complete' : 'in-progress', completedAt: done ? new Date() : null, updatedAt: new Date() }).where(eq(rlaAudits.id, auditId));
  await recordAudit(tx, { kind: 'system' }, { action: 'rla.round-ended', targetKind: 'rla-audit', targetId: auditId, orgIds: [audit.ownerOrg, ...counties.map((c) => c.orgId)], details: { round: round.number, complete: done, risk: Object.fromEntries(results.map((r) => [r.name, r.risk])) } });
  await emitEvent(tx, { type: 'audit.changed', recordKind: 'rla-audit', recordId: auditId, sharing: sharingOfAudit(audit), payload: { auditId, what: done ? 'complete' : 'round-ended', round: round.number } });
  await emitEvent(tx, {
    type: 'audit.task', recordKind: 'rla-audit', recordId: auditId, sharing: sharingOfAudit(audit),
    payload: { counties: counties.map((c) => c.orgId), title: done ? `Audit "${audit.name}" is complete: every contest's risk is at or under ${audit.riskLimit}%, so the reported outcome is confirmed.` : `Audit "${audit.name}", round ${round.number} ended above the ${audit.riskLimit}% risk limit: another round is needed.` },
  });
  return results;
}

export async function boardsOf(db: Db | Tx, roundId: string) {
  return db.select({ id: rlaAuditBoards.id, countyOrgId: rlaAuditBoards.countyOrgId, name: rlaAuditBoards.name, members: rlaAuditBoards.members, signedOffAt: rlaAuditBoards.signedOffAt, signedIn: sql<boolean>`${rlaAuditBoards.passphraseHash} is null` })
    .from(rlaAuditBoards).where(eq(rlaAuditBoards.roundId, roundId)).orderBy(asc(rlaAuditBoards.name));
}

