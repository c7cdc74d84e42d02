// Audit boards: two people at a table with the county's ballots, signed in with a one-time passphrase rather
// than an account. They see only their own ballots (or batches), enter what they agree each one shows — a vote,
// blank, can't agree, contest not on this ballot, ballot not found — once per ballot, and sign off with both
// names. The last sign-off of a round ends it.
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { randomToken, sha256, verifyPassword, burnPasswordCheck } from '../access/secrets.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { emitEvent } from '../platform/events/outbox.js';
import { AppError, invalidField, type ProblemDetail } from '../platform/http/errors.js';
import { contestInCounty, contestsOf, sharingOfAudit } from './audit-service.js';
import { ballotKey, maybeEndRound } from './round-service.js';
import { rlaAuditBoards, rlaAudits, rlaBatches, rlaCounties, rlaDraws, rlaInterpretations, rlaRounds, type Reading } from './schema.js';

export const BOARD_COOKIE = 'eoc_board';
const SESSION_HOURS = 12;
export const READINGS: readonly Reading[] = ['vote', 'blank', 'cant-agree', 'not-on-ballot', 'not-found'];

type BoardRow = typeof rlaAuditBoards.$inferSelect;

const PASSPHRASE = /^([0-9A-F]{6})-(\d{4})-(\d{4})-(\d{4})-(\d{4})$/;

/** Signs a board in with its passphrase, once; returns the session token for the cookie. */
export async function signInBoard(ctx: AppContext, raw: string): Promise<{ token: string; boardId: string; expiresAt: Date }> {
  const phrase = raw.trim().toUpperCase().replace(/\s+/g, '-');
  const m = PASSPHRASE.exec(phrase);
  const refuse = new AppError('invalid-credentials', 'That passphrase is not right, or it has been used. Ask the county for a new one.');
  if (!m) {
    await burnPasswordCheck(phrase);
    throw refuse;
  }
  const candidates = await ctx.db.select().from(rlaAuditBoards).where(sql`${rlaAuditBoards.id}::text like ${`${m[1]!.toLowerCase()}%`}`);
  for (const board of candidates) {
    if (!board.passphraseHash || board.signedOffAt) continue;
    if (!(await verifyPassword(board.passphraseHash, phrase))) continue;
    const token = randomToken();
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
    const used = await ctx.db.transaction(async (tx) => {
      const [row] = await tx.update(rlaAuditBoards).set({ passphraseHash: null, sessionHash: sha256(token), sessionExpiresAt: expiresAt }).where(and(eq(rlaAuditBoards.id, board.id), eq(rlaAuditBoards.passphraseHash, board.passphraseHash!))).returning({ id: rlaAuditBoards.id });
      if (!row) return false;
      await recordAudit(tx, { kind: 'anonymous', orgId: board.countyOrgId }, { action: 'rla.board-signed-in', targetKind: 'rla-audit-board', targetId: board.id, details: { board: board.name } });
      return true;
    });
    if (!used) break;
    return { token, boardId: board.id, expiresAt };
  }
  if (!candidates.length) await burnPasswordCheck(phrase);
  throw refuse;
}

export async function boardFromToken(ctx: AppContext, token: string | undefined): Promise<BoardRow> {
  if (!token) throw new AppError('unauthenticated', 'Sign in with the audit board passphrase.');
  const [board] = await ctx.db.select().from(rlaAuditBoards).where(and(eq(rlaAuditBoards.sessionHash, sha256(token)), gt(rlaAuditBoards.sessionExpiresAt, new Date())));
  if (!board) throw new AppError('unauthenticated', 'This audit board session has ended. Ask the county for a new passphrase.');
  return board;
}

/** The board's page: its audit, contests and ballots with what has been entered. */
export async function boardView(ctx: AppContext, board: BoardRow) {
  const [audit] = await ctx.db.select().from(rlaAudits).where(eq(rlaAudits.id, board.auditId));
  const [round] = await ctx.db.select().from(rlaRounds).where(eq(rlaRounds.id, board.roundId));
  const [county] = await ctx.db.select({ name: rlaCounties.name }).from(rlaCounties).where(and(eq(rlaCounties.auditId, board.auditId), eq(rlaCounties.orgId, board.countyOrgId)));
  // A board reads one county's ballots: the contests on them.
  const contests = (await contestsOf(ctx.db, board.auditId)).filter((c) => contestInCounty(c, board.countyOrgId));
  const draws = await ctx.db.select({ batchId: rlaDraws.batchId, position: rlaDraws.position, ticket: rlaDraws.ticket, container: rlaBatches.container, tabulator: rlaBatches.tabulator, batch: rlaBatches.name })
    .from(rlaDraws).innerJoin(rlaBatches, eq(rlaBatches.id, rlaDraws.batchId)).where(eq(rlaDraws.boardId, board.id)).orderBy(asc(rlaBatches.container), asc(rlaBatches.tabulator), asc(rlaBatches.name), asc(rlaDraws.position));
  const readings = draws.length ? await ctx.db.select().from(rlaInterpretations).where(and(eq(rlaInterpretations.auditId, board.auditId), inArray(rlaInterpretations.batchId, [...new Set(draws.map((d) => d.batchId))]))) : [];
  const items = new Map<string, { batchId: string; position: number | null; container: string | null; tabulator: string | null; batch: string; tickets: string[]; done: boolean; readings: Array<{ contestId: string; reading: Reading; choices: string[]; votes: Record<string, number> | null }> }>();
  for (const d of draws) {
    const k = ballotKey(d.batchId, d.position);
    const e = items.get(k) ?? { batchId: d.batchId, position: d.position, container: d.container, tabulator: d.tabulator, batch: d.batch, tickets: [], done: false, readings: [] };
    if (!e.tickets.includes(d.ticket)) e.tickets.push(d.ticket);
    items.set(k, e);
  }
  for (const r of readings) {
    const e = items.get(ballotKey(r.batchId, r.position));
    if (e) e.readings.push({ contestId: r.contestId, reading: r.reading, choices: r.choices, votes: r.votes });
  }
  for (const e of items.values()) e.done = e.readings.length >= contests.length;
  const list = [...items.values()];
  return {
    board: { id: board.id, name: board.name, members: board.members, signedOffAt: board.signedOffAt, county: county?.name ?? null },
    audit: { id: audit!.id, name: audit!.name, auditType: audit!.auditType, round: round?.number ?? null },
    contests: contests.map((c) => ({ id: c.id, name: c.name, votesAllowed: c.votesAllowed, choices: c.choices.map((ch) => ch.name) })),
    ballots: list,
    done: list.filter((b) => b.done).length,
    total: list.length,
  };
}

export async function setMembers(ctx: AppContext, board: BoardRow, members: readonly string[]) {
  const names = members.map((m) => m.trim());
  if (names.length !== 2 || names.some((n) => !n) || names[0]!.toLowerCase() === names[1]!.toLowerCase()) throw invalidField('members', 'An audit board is two different people: enter both names.');
  if (board.signedOffAt) throw new AppError('conflict', 'This board has signed off.');
  await ctx.db.update(rlaAuditBoards).set({ members: names }).where(eq(rlaAuditBoards.id, board.id));
  return { members: names };
}

export interface ReadingInput {
  readonly contestId: string;
  readonly reading: Reading;
  readonly choices?: readonly string[];
  readonly votes?: Readonly<Record<string, number>>;
  readonly comment?: string;
}

/** What the board agreed one ballot (or batch) shows, for every contest; once. */
export async function enterReading(ctx: AppContext, board: BoardRow, input: { batchId: string; position: number | null; readings: readonly ReadingInput[] }) {
  if (board.signedOffAt) throw new AppError('conflict', 'This board has signed off; ask the county to set up a new board for corrections.');
  if (board.members.length !== 2) throw new AppError('conflict', 'Enter the names of both board members first.');
  // A board reads one county's ballots: the contests on them.
  const contests = (await contestsOf(ctx.db, board.auditId)).filter((c) => contestInCounty(c, board.countyOrgId));
  const [audit] = await ctx.db.select().from(rlaAudits).where(eq(rlaAudits.id, board.auditId));
  const batchAudit = audit!.auditType === 'batch-comparison';
  const [draw] = await ctx.db.select({ id: rlaDraws.id }).from(rlaDraws).where(and(eq(rlaDraws.boardId, board.id), eq(rlaDraws.batchId, input.batchId), batchAudit ? eq(rlaDraws.auditId, board.auditId) : eq(rlaDraws.position, input.position ?? -1))).limit(1);
  if (!draw) throw new AppError('not-found', 'That ballot is not on this board’s list.');
  const details: ProblemDetail[] = [];
  const byContest = new Map(input.readings.map((r) => [r.contestId, r]));
  if (byContest.size !== input.readings.length) details.push({ field: 'readings', message: 'A contest is entered twice.' });
  for (const r of input.readings) if (!contests.some((c) => c.id === r.contestId)) details.push({ field: 'readings', message: `${r.contestId} is not a contest on this county's ballots.` });
  const notFound = input.readings.some((r) => r.reading === 'not-found');
  if (notFound && !input.readings.every((r) => r.reading === 'not-found')) details.push({ field: 'readings', message: 'A ballot that cannot be found is not found for every contest.' });
  for (const c of contests) {
    const r = byContest.get(c.id);
    if (!r) {
      details.push({ field: `readings.${c.id}`, message: `Enter what the ${batchAudit ? 'batch' : 'ballot'} shows for ${c.name}.` });
      continue;
    }
    const choices = r.choices ?? [];
    if (batchAudit) {
      if (r.reading !== 'vote' && r.reading !== 'not-found') details.push({ field: `readings.${c.id}`, message: 'A batch is either counted (votes per choice) or not found.' });
      if (r.reading === 'vote') {
        for (const ch of c.choices) if (!Number.isInteger(r.votes?.[ch.name]) || r.votes![ch.name]! < 0) details.push({ field: `readings.${c.id}.${ch.name}`, message: `Enter the votes counted for ${ch.name}.` });
        for (const k of Object.keys(r.votes ?? {})) if (!c.choices.some((ch) => ch.name === k)) details.push({ field: `readings.${c.id}`, message: `${k} is not a choice in ${c.name}.` });
      }
      continue;
    }
    if (r.reading === 'vote') {
      if (!choices.length) details.push({ field: `readings.${c.id}`, message: `Choose who the ballot votes for in ${c.name}, or pick blank.` });
      if (choices.length > c.votesAllowed) details.push({ field: `readings.${c.id}`, message: `${c.name} allows ${c.votesAllowed} vote${c.votesAllowed === 1 ? '' : 's'}; more marked is an overvote: choose can't agree or enter it as blank.` });
      if (new Set(choices).size !== choices.length) details.push({ field: `readings.${c.id}`, message: 'A choice is entered twice.' });
      for (const ch of choices) if (!c.choices.some((x) => x.name === ch)) details.push({ field: `readings.${c.id}`, message: `${ch} is not a choice in ${c.name}.` });
    } else if (choices.length) details.push({ field: `readings.${c.id}`, message: `Choices go with a vote only, not with "${r.reading}".` });
    if ((r.comment ?? '').length > 1000) details.push({ field: `readings.${c.id}`, message: 'Keep the comment under 1,000 characters.' });
  }
  if (details.length) throw new AppError('validation-failed', 'This entry is not complete.', { details });
  await ctx.db.transaction(async (tx) => {
    const position = batchAudit ? null : input.position;
    const [existing] = await tx.select({ id: rlaInterpretations.id }).from(rlaInterpretations)
      .where(and(eq(rlaInterpretations.auditId, board.auditId), eq(rlaInterpretations.batchId, input.batchId), position === null ? isNull(rlaInterpretations.position) : eq(rlaInterpretations.position, position))).limit(1);
    if (existing) throw new AppError('conflict', `This ${batchAudit ? 'batch' : 'ballot'} was already entered. Each is entered once; if the entry was wrong, tell the county.`);
    await tx.insert(rlaInterpretations).values(contests.map((c) => {
      const r = byContest.get(c.id)!;
      return { auditId: board.auditId, roundId: board.roundId, boardId: board.id, batchId: input.batchId, position, contestId: c.id, reading: r.reading, choices: r.reading === 'vote' ? [...(r.choices ?? [])] : [], votes: batchAudit && r.reading === 'vote' ? { ...r.votes } : null, comment: r.comment?.trim() || null, members: board.members };
    }));
    await emitEvent(tx, { type: 'audit.progress', recordKind: 'rla-audit', recordId: board.auditId, sharing: sharingOfAudit(audit!), payload: { auditId: board.auditId, countyOrgId: board.countyOrgId, boardId: board.id } });
  });
  return { ok: true };
}

export async function signOff(ctx: AppContext, board: BoardRow) {
  if (board.signedOffAt) throw new AppError('conflict', 'This board has already signed off.');
  const view = await boardView(ctx, board);
  if (view.done < view.total) throw new AppError('conflict', `${view.total - view.done} of ${view.total} ${view.audit.auditType === 'batch-comparison' ? 'batches' : 'ballots'} still to enter before signing off.`);
  if (board.members.length !== 2) throw new AppError('conflict', 'Enter the names of both board members first.');
  let ended = false;
  await ctx.db.transaction(async (tx) => {
    await tx.update(rlaAuditBoards).set({ signedOffAt: new Date() }).where(eq(rlaAuditBoards.id, board.id));
    await recordAudit(tx, { kind: 'anonymous', orgId: board.countyOrgId }, { action: 'rla.board-signed-off', targetKind: 'rla-audit-board', targetId: board.id, details: { board: board.name, members: board.members, ballots: view.total } });
    ended = (await maybeEndRound(tx, board.auditId)) !== null;
  });
  return { signedOff: true, roundEnded: ended };
}

