// What people read about an audit: the state's live dashboard (progress by county, risk per round,
// discrepancies), a county's retrieval list (CSV, and a printable PDF with a label per ballot), the full audit
// record (settings, seed, manifest digests, sample, every reading, discrepancies, risk per round) as CSV and PDF,
// and the public summary once the audit is done.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { requireUser, type Actor } from '../access/actor.js';
import { orgs } from '../access/schema.js';
import { elections } from '../elections/schema.js';
import type { AppContext } from '../platform/context.js';
import { csvLine } from '../platform/http/csv.js';
import { heading, pdfBuffer, tlpBanner } from '../platform/files/pdf.js';
import { escapeHtml } from '../platform/text/html.js';
import { notFound } from '../platform/http/errors.js';
import { contestInCounty, contestOf, countiesOf, loadAudit, requireCountyAccess, type AuditRow } from './audit-service.js';
import { ballotKey, boardsOf, latestRound, loadState, nextSizeOptions, type AuditState } from './round-service.js';
import { ballotDiscrepancy, type ContestVotes } from './supersimple.js';
import { batchError, unauditableBallots } from './macro.js';
import { rlaAudits, rlaAuditBoards, rlaBatches, rlaDraws, rlaInterpretations, rlaRounds } from './schema.js';

const TYPE_NAMES = { 'ballot-polling': 'Ballot polling (BRAVO)', 'ballot-comparison': 'Ballot comparison (super-simple)', 'batch-comparison': 'Batch comparison (MACRO)' } as const;

export interface Discrepancy {
  readonly interpretationId: string;
  readonly county: string;
  readonly countyOrgId: string;
  readonly batch: string;
  readonly tabulator: string | null;
  readonly position: number | null;
  readonly contest: string;
  readonly reading: string;
  readonly reported: string;
  readonly audited: string;
  /** Overstatement in votes (positive: the count favoured the reported winner). */
  readonly countedAs: number | null;
  readonly incidentId: string | null;
}

const votesText = (v: ContestVotes | undefined) => (v === undefined ? 'no record' : v === null ? 'contest not on ballot' : Object.entries(v).filter(([, n]) => n > 0).map(([k, n]) => (n === 1 ? k : `${k} ${n}`)).join(', ') || 'blank');

/** Readings that disagree with the count (comparison), and ballots or batches nobody could find (any type). */
export function discrepanciesOf(state: AuditState): Discrepancy[] {
  const out: Discrepancy[] = [];
  const batchById = new Map(state.batches.map((b) => [b.id, b]));
  for (const r of state.readings.values()) {
    const contest = state.contests.find((c) => c.id === r.contestId);
    const b = batchById.get(r.batchId);
    if (!contest || !b) continue;
    const base = { interpretationId: r.id, county: state.countyNames.get(b.countyOrgId) ?? '', countyOrgId: b.countyOrgId, batch: b.name, tabulator: b.tabulator, position: r.position, contest: contest.name, reading: r.reading, incidentId: r.incidentId };
    if (state.audit.auditType === 'ballot-comparison') {
      const cvr = state.cvrs.get(ballotKey(r.batchId, r.position));
      const reported: ContestVotes | undefined = cvr === undefined ? undefined : (cvr[contest.name] ?? null);
      const found = r.reading !== 'not-found';
      const audited: ContestVotes | undefined = !found ? undefined : r.reading === 'not-on-ballot' ? null : Object.fromEntries(contest.choices.map((ch) => [ch.name, r.reading === 'vote' && r.choices.includes(ch.name) ? 1 : 0]));
      const d = ballotDiscrepancy(contestOf(contest), reported, audited, found);
      if (d) out.push({ ...base, reported: votesText(reported), audited: found ? votesText(audited) : 'ballot not found', countedAs: d.countedAs });
    } else if (state.audit.auditType === 'batch-comparison') {
      const math = contestOf(contest);
      const reportedVotes = b.tallies?.[contest.name] ?? {};
      const tallies = new Map(state.batches.map((x) => [x.id, { votes: x.tallies?.[contest.name] ?? {}, ballots: x.ballots }]));
      const e = r.reading === 'not-found' ? { countedAs: null } : batchError({ votes: reportedVotes, ballots: b.ballots }, r.votes ?? {}, math, unauditableBallots(tallies, math));
      if (e) out.push({ ...base, reported: votesText(reportedVotes), audited: r.reading === 'not-found' ? 'batch not found' : votesText(r.votes ?? {}), countedAs: e.countedAs });
    } else if (r.reading === 'not-found') {
      out.push({ ...base, reported: '—', audited: 'ballot not found', countedAs: null });
    }
  }
  return out.sort((a, b) => a.county.localeCompare(b.county) || a.batch.localeCompare(b.batch) || (a.position ?? 0) - (b.position ?? 0));
}

/** The dashboard: everything about the audit the viewer may see, with progress by county for the round. */
export async function auditDetail(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const audit = await loadAudit(ctx.db, user, id);
  const state = await loadState(ctx.db, audit);
  const counties = await countiesOf(ctx.db, id);
  const rounds = await ctx.db.select().from(rlaRounds).where(eq(rlaRounds.auditId, id)).orderBy(asc(rlaRounds.number));
  const current = rounds[rounds.length - 1];
  const boards = current ? await boardsOf(ctx.db, current.id) : [];
  const [owner] = await ctx.db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, audit.ownerOrg));
  const [election] = audit.electionId ? await ctx.db.select({ id: elections.id, name: elections.name, day: elections.day }).from(elections).where(eq(elections.id, audit.electionId)) : [];
  const fips = new Map((counties.length ? await ctx.db.select({ id: orgs.id, fips: orgs.fips }).from(orgs).where(inArray(orgs.id, counties.map((c) => c.orgId))) : []).map((o) => [o.id, o.fips]));
  const batchById = new Map(state.batches.map((b) => [b.id, b]));
  const progress = new Map<string, { toRead: Set<string>; read: Set<string> }>();
  if (current) {
    for (const d of state.draws) {
      if (d.roundId !== current.id) continue;
      const b = batchById.get(d.batchId);
      if (!b) continue;
      const p = progress.get(b.countyOrgId) ?? { toRead: new Set(), read: new Set() };
      const k = ballotKey(d.batchId, d.position);
      p.toRead.add(k);
      if (state.contests.every((c) => !contestInCounty(c, b.countyOrgId) || state.readings.has(`${k}:${c.id}`))) p.read.add(k);
      progress.set(b.countyOrgId, p);
    }
  }
  const isState = user.orgId === audit.ownerOrg;
  const options = current?.endedAt || !current ? nextSizeOptions(state, current?.results ?? null) : null;
  return {
    id: audit.id,
    name: audit.name,
    state: owner?.name ?? null,
    auditType: audit.auditType,
    auditTypeName: TYPE_NAMES[audit.auditType],
    riskLimit: audit.riskLimit,
    election: election ?? null,
    status: audit.status,
    tlp: audit.tlp,
    seed: audit.seed,
    seedEnteredBy: audit.seedEnteredByName,
    seedEnteredAt: audit.seedEnteredAt,
    createdAt: audit.createdAt,
    completedAt: audit.completedAt,
    youAre: isState ? 'state' : counties.some((c) => c.orgId === user.orgId) ? 'county' : 'observer',
    yourCounty: counties.find((c) => c.orgId === user.orgId)?.orgId ?? null,
    contests: state.contests.map((c) => ({ id: c.id, name: c.name, numWinners: c.numWinners, votesAllowed: c.votesAllowed, ballotsCast: c.ballotsCast, choices: c.choices, winners: Object.keys(contestOf(c).winners), counties: c.counties.length ? counties.filter((x) => c.counties.includes(x.orgId)).map((x) => x.name) : null })),
    counties: counties.map((c) => {
      const p = progress.get(c.orgId);
      return {
        orgId: c.orgId, name: c.name, fips: fips.get(c.orgId) ?? null, ballotsCast: c.ballotsCast,
        manifest: c.manifestSha256 ? { file: c.manifestFile, sha256: c.manifestSha256, encoding: c.manifestEncoding, batches: c.manifestBatches, ballots: c.manifestBallots, uploadedAt: c.manifestUploadedAt, uploadedBy: c.manifestUploadedBy } : null,
        results: c.resultsSha256 ? { file: c.resultsFile, sha256: c.resultsSha256, rows: c.resultsRows, uploadedAt: c.resultsUploadedAt, uploadedBy: c.resultsUploadedBy } : null,
        round: p ? { toRead: p.toRead.size, read: p.read.size } : { toRead: 0, read: 0 },
        boards: boards.filter((b) => b.countyOrgId === c.orgId).map((b) => ({ id: b.id, name: b.name, signedIn: b.signedIn, members: b.members, signedOffAt: b.signedOffAt })),
      };
    }),
    rounds: rounds.map((r) => ({ number: r.number, startedAt: r.startedAt, startedBy: r.startedBy, endedAt: r.endedAt, sizes: Object.fromEntries(Object.entries(r.sizes).map(([k, v]) => [state.contests.find((c) => c.id === k)?.name ?? k, v])), results: r.results })),
    nextRound: options && audit.status !== 'complete' ? { number: (current?.number ?? 0) + 1, contests: options } : null,
    discrepancies: discrepanciesOf(state),
  };
}

export interface RetrievalRow {
  readonly board: string;
  readonly container: string | null;
  readonly tabulator: string | null;
  readonly batch: string;
  readonly position: number | null;
  readonly tickets: string[];
  readonly timesDrawn: number;
}

/** Where each ballot of the round is, per audit board: what the county pulls from storage. */
export async function retrievalList(ctx: AppContext, actor: Actor, id: string, countyOrgId: string, roundNumber?: number) {
  const user = requireUser(actor);
  const audit = await loadAudit(ctx.db, user, id);
  const county = await requireCountyAccess(ctx.db, user, audit, countyOrgId);
  const round = roundNumber ? (await ctx.db.select().from(rlaRounds).where(and(eq(rlaRounds.auditId, id), eq(rlaRounds.number, roundNumber))))[0] : await latestRound(ctx.db, id);
  if (!round) throw notFound('That round');
  const draws = await ctx.db.select({ batchId: rlaDraws.batchId, position: rlaDraws.position, ticket: rlaDraws.ticket, timesSampled: rlaDraws.timesSampled, boardId: rlaDraws.boardId, container: rlaBatches.container, tabulator: rlaBatches.tabulator, batch: rlaBatches.name })
    .from(rlaDraws).innerJoin(rlaBatches, eq(rlaBatches.id, rlaDraws.batchId))
    .where(and(eq(rlaDraws.roundId, round.id), eq(rlaBatches.countyOrgId, countyOrgId)));
  const boards = await ctx.db.select({ id: rlaAuditBoards.id, name: rlaAuditBoards.name }).from(rlaAuditBoards).where(eq(rlaAuditBoards.roundId, round.id));
  // A ballot read in an earlier round is not pulled again: its reading counts for every draw.
  const readBefore = new Set((await ctx.db.select({ batchId: rlaInterpretations.batchId, position: rlaInterpretations.position }).from(rlaInterpretations)
    .where(and(eq(rlaInterpretations.auditId, id), ne(rlaInterpretations.roundId, round.id)))).map((r) => ballotKey(r.batchId, r.position)));
  const byBallot = new Map<string, RetrievalRow>();
  for (const d of draws) {
    const k = ballotKey(d.batchId, d.position);
    if (readBefore.has(k)) continue;
    const e = byBallot.get(k) ?? { board: boards.find((b) => b.id === d.boardId)?.name ?? 'Not yet assigned', container: d.container, tabulator: d.tabulator, batch: d.batch, position: d.position, tickets: [], timesDrawn: 0 };
    // Contests drawn from the same manifests draw the same tickets: a ballot is listed once, drawn as often as
    // the contest that drew it most.
    byBallot.set(k, { ...e, tickets: e.tickets.includes(d.ticket) ? e.tickets : [...e.tickets, d.ticket].sort(), timesDrawn: Math.max(e.timesDrawn, d.timesSampled) });
  }
  const cmp = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '', 'en', { numeric: true });
  const rows = [...byBallot.values()].sort((a, b) => cmp(a.board, b.board) || cmp(a.container, b.container) || cmp(a.tabulator, b.tabulator) || cmp(a.batch, b.batch) || (a.position ?? 0) - (b.position ?? 0));
  return { audit: audit.name, auditType: audit.auditType, county: county.name, round: round.number, tlp: audit.tlp, rows };
}

export type RetrievalList = Awaited<ReturnType<typeof retrievalList>>;

export function retrievalCsv(list: RetrievalList): string {
  const batchAudit = list.auditType === 'batch-comparison';
  return csvLine(['Audit Board', 'Container', 'Tabulator', 'Batch Name', ...(batchAudit ? [] : ['Ballot Number']), 'Ticket Numbers', 'Times Drawn'])
    + list.rows.map((r) => csvLine([r.board, r.container ?? '', r.tabulator ?? '', r.batch, ...(batchAudit ? [] : [r.position]), r.tickets.join('; '), r.timesDrawn])).join('');
}

/** The list to work from, then one label per ballot to put in its place while it is out of the box. */
export function retrievalPdf(list: RetrievalList): Promise<Buffer> {
  return pdfBuffer((doc) => {
    tlpBanner(doc, list.tlp);
    heading(doc, `${list.audit}: retrieval list`, 16);
    doc.text(`${list.county}, round ${list.round}. ${list.rows.length} ${list.auditType === 'batch-comparison' ? 'batches' : 'ballots'} to retrieve, by audit board and where they are stored.`);
    let board = '';
    for (const r of list.rows) {
      if (r.board !== board) {
        board = r.board;
        heading(doc, board, 12);
      }
      doc.text(`${[r.container && `Container ${r.container}`, r.tabulator && `Tabulator ${r.tabulator}`, `Batch ${r.batch}`, r.position !== null && `ballot ${r.position}`].filter(Boolean).join(' · ')}${r.timesDrawn > 1 ? ` (drawn ${r.timesDrawn} times)` : ''}`);
    }
    if (list.auditType !== 'batch-comparison' && list.rows.length) {
      doc.addPage();
      heading(doc, 'Ballot labels: put each in place of its ballot', 12);
      const w = (doc.page.width - 108) / 2;
      let i = 0;
      for (const r of list.rows) {
        if (i > 0 && i % 10 === 0) doc.addPage();
        const col = i % 2;
        const row = Math.floor((i % 10) / 2);
        const x = 54 + col * w;
        const y = 90 + row * 130;
        doc.rect(x + 4, y, w - 8, 118).stroke('#71767a');
        doc.fillColor('#1b1b1b').font('Helvetica-Bold').fontSize(11).text(`${list.county} · ${r.board}`, x + 14, y + 10, { width: w - 28 });
        doc.font('Helvetica').fontSize(10).text(`${r.container ? `Container ${r.container}\n` : ''}${r.tabulator ? `Tabulator ${r.tabulator}\n` : ''}Batch ${r.batch}\nBallot ${r.position}`, x + 14, y + 28, { width: w - 28 });
        doc.fontSize(8).fillColor('#565c65').text(`Ticket ${r.tickets.join(', ')}`, x + 14, y + 94, { width: w - 28 });
        i++;
      }
    }
  }, `Retrieval list: ${list.county}`);
}

/** The full record of the audit, for the state's files and anyone checking it. */
export async function auditRecord(ctx: AppContext, actor: Actor, id: string) {
  const detail = await auditDetail(ctx, actor, id);
  const user = requireUser(actor);
  const audit = await loadAudit(ctx.db, user, id);
  const state = await loadState(ctx.db, audit);
  const batchById = new Map(state.batches.map((b) => [b.id, b]));
  const roundNumber = new Map((await ctx.db.select({ id: rlaRounds.id, number: rlaRounds.number }).from(rlaRounds).where(eq(rlaRounds.auditId, id))).map((r) => [r.id, r.number]));
  const sample = state.draws.map((d) => {
    const b = batchById.get(d.batchId)!;
    const contest = state.contests.find((c) => c.id === d.contestId)!;
    const r = state.readings.get(`${ballotKey(d.batchId, d.position)}:${d.contestId}`);
    return {
      round: roundNumber.get(d.roundId) ?? 0, contest: contest.name, ticket: d.ticket, county: state.countyNames.get(b.countyOrgId) ?? '', tabulator: b.tabulator, batch: b.name, position: d.position, timesSampled: d.timesSampled,
      reading: r?.reading ?? null, choices: r ? (r.votes ? Object.entries(r.votes).map(([k, v]) => `${k}: ${v}`) : r.choices) : [], members: r?.members ?? [],
    };
  }).sort((a, b) => a.round - b.round || a.contest.localeCompare(b.contest) || (a.ticket < b.ticket ? -1 : 1));
  return { ...detail, sample };
}

export type AuditRecord = Awaited<ReturnType<typeof auditRecord>>;

export function recordCsv(r: AuditRecord): string {
  const out: string[] = [];
  out.push(csvLine(['Audit', r.name]), csvLine(['State', r.state]), csvLine(['Type', r.auditTypeName]), csvLine(['Risk limit', `${r.riskLimit}%`]), csvLine(['Status', r.status]));
  out.push(csvLine(['Random seed', r.seed ?? '']), csvLine(['Seed entered by', r.seedEnteredBy ?? '', r.seedEnteredAt ? new Date(r.seedEnteredAt).toISOString() : '']), '\r\n');
  out.push(csvLine(['Contest', 'Choice', 'Reported votes', 'Ballots cast', 'Winners', 'Votes allowed']));
  for (const c of r.contests) for (const ch of c.choices) out.push(csvLine([c.name, ch.name, ch.votes, c.ballotsCast, c.numWinners, c.votesAllowed]));
  out.push('\r\n', csvLine(['County', 'Ballots cast', 'Manifest file', 'Manifest SHA-256', 'Batches', 'Ballots in manifest', 'Uploaded by', 'Uploaded at', 'Results file', 'Results SHA-256']));
  for (const c of r.counties) out.push(csvLine([c.name, c.ballotsCast ?? '', c.manifest?.file ?? '', c.manifest?.sha256 ?? '', c.manifest?.batches ?? '', c.manifest?.ballots ?? '', c.manifest?.uploadedBy ?? '', c.manifest?.uploadedAt ? new Date(c.manifest.uploadedAt).toISOString() : '', c.results?.file ?? '', c.results?.sha256 ?? '']));
  out.push('\r\n', csvLine(['Round', 'Contest', 'Sample size', 'Option', 'Risk', 'Confirmed', 'Started', 'Ended']));
  for (const round of r.rounds) {
    for (const [contest, s] of Object.entries(round.sizes)) {
      const res = round.results?.find((x) => x.name === contest);
      out.push(csvLine([round.number, contest, s.size, s.key, res ? res.risk : '', res ? (res.confirmed ? 'yes' : 'no') : '', new Date(round.startedAt).toISOString(), round.endedAt ? new Date(round.endedAt).toISOString() : '']));
    }
  }
  out.push('\r\n', csvLine(['Round', 'Contest', 'Ticket', 'County', 'Tabulator', 'Batch', 'Ballot', 'Times sampled', 'Reading', 'Choices', 'Audit board members']));
  for (const s of r.sample) out.push(csvLine([s.round, s.contest, s.ticket, s.county, s.tabulator ?? '', s.batch, s.position ?? '', s.timesSampled, s.reading ?? 'not yet read', s.choices.join('; '), s.members.join(' and ')]));
  out.push('\r\n', csvLine(['Discrepancy: county', 'Batch', 'Ballot', 'Contest', 'Reported', 'Audited', 'Overstatement (votes)', 'Incident']));
  for (const d of r.discrepancies) out.push(csvLine([d.county, d.batch, d.position ?? '', d.contest, d.reported, d.audited, d.countedAs ?? '', d.incidentId ?? '']));
  return out.join('');
}

const pct = (x: number) => `${(Math.round(x * 10000) / 100).toString()}%`;

export function recordPdf(r: AuditRecord): Promise<Buffer> {
  return pdfBuffer((doc) => {
    tlpBanner(doc, r.tlp);
    heading(doc, `${r.name}: risk-limiting audit record`, 16);
    doc.text(`${r.state ?? ''} · ${r.auditTypeName} · risk limit ${r.riskLimit}% · ${r.status === 'complete' ? `complete ${r.completedAt ? new Date(r.completedAt).toISOString().slice(0, 10) : ''}` : r.status}`);
    doc.text(`Random seed: ${r.seed ?? 'not yet entered'}${r.seedEnteredBy ? ` (entered by ${r.seedEnteredBy}, ${new Date(r.seedEnteredAt!).toISOString()})` : ''}`);
    heading(doc, 'Contests and reported results');
    for (const c of r.contests) doc.text(`${c.name} (${c.ballotsCast.toLocaleString('en-US')} ballots cast, ${c.numWinners} winner${c.numWinners === 1 ? '' : 's'}): ${c.choices.map((ch) => `${ch.name} ${ch.votes.toLocaleString('en-US')}`).join(', ')}`);
    heading(doc, 'Counties and their files');
    for (const c of r.counties) doc.text(`${c.name}: ${c.manifest ? `${c.manifest.batches} batches, ${c.manifest.ballots?.toLocaleString('en-US')} ballots — manifest SHA-256 ${c.manifest.sha256}` : 'no manifest'}${c.results ? `; results SHA-256 ${c.results.sha256}` : ''}`);
    heading(doc, 'Rounds and risk');
    for (const round of r.rounds) {
      doc.font('Helvetica-Bold').text(`Round ${round.number}`).font('Helvetica');
      for (const [contest, s] of Object.entries(round.sizes)) {
        const res = round.results?.find((x) => x.name === contest);
        doc.text(`${contest}: ${s.size} draws (${s.key})${res ? ` — risk ${pct(res.risk)}, ${res.confirmed ? 'confirmed' : 'not yet confirmed'}` : ' — under way'}`);
      }
    }
    heading(doc, `Discrepancies (${r.discrepancies.length})`);
    if (!r.discrepancies.length) doc.text('None.');
    for (const d of r.discrepancies) doc.text(`${d.county}, batch ${d.batch}${d.position !== null ? `, ballot ${d.position}` : ''}, ${d.contest}: reported ${d.reported}; audited ${d.audited}${d.countedAs !== null ? ` (${d.countedAs > 0 ? '+' : ''}${d.countedAs})` : ''}`);
    heading(doc, `Sample (${r.sample.length} draws)`);
    doc.fontSize(8);
    for (const s of r.sample) doc.text(`R${s.round} ${s.contest} · ${s.ticket} · ${s.county} ${s.tabulator ? `${s.tabulator} ` : ''}${s.batch}${s.position !== null ? ` #${s.position}` : ''} ×${s.timesSampled} · ${s.reading ?? 'not yet read'}${s.choices.length ? `: ${s.choices.join(', ')}` : ''}`);
  }, `Audit record: ${r.name}`);
}

/** The public summary (TLP:CLEAR): only for a completed audit, only what the public needs to check it. */
export async function publicSummary(ctx: AppContext, id: string) {
  const [audit] = await ctx.db.select().from(rlaAudits).where(and(eq(rlaAudits.id, id), eq(rlaAudits.status, 'complete')));
  if (!audit) return null;
  const state = await loadState(ctx.db, audit as AuditRow);
  const [owner] = await ctx.db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, audit.ownerOrg));
  const counties = await countiesOf(ctx.db, id);
  const rounds = await ctx.db.select().from(rlaRounds).where(eq(rlaRounds.auditId, id)).orderBy(asc(rlaRounds.number));
  const last = rounds[rounds.length - 1];
  return {
    tlp: 'CLEAR' as const,
    name: audit.name, state: owner?.name ?? null, auditType: audit.auditType, auditTypeName: TYPE_NAMES[audit.auditType], riskLimit: audit.riskLimit, seed: audit.seed, completedAt: audit.completedAt,
    counties: counties.map((c) => ({ name: c.name, ballots: c.manifestBallots, manifestSha256: c.manifestSha256 })),
    contests: state.contests.map((c) => ({ name: c.name, ballotsCast: c.ballotsCast, choices: c.choices, winners: Object.keys(contestOf(c).winners), finalRisk: last?.results?.find((r) => r.contestId === c.id)?.risk ?? null })),
    rounds: rounds.map((r) => ({ number: r.number, draws: Object.values(r.sizes).reduce((n, s) => n + s.size, 0), endedAt: r.endedAt })),
  };
}

export function publicHtml(s: NonNullable<Awaited<ReturnType<typeof publicSummary>>> | null): string {
  const e = escapeHtml;
  const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">';
  const style = '<style>body{font-family:"Source Sans Pro",Helvetica,Arial,sans-serif;margin:0;color:#1b1b1b;line-height:1.5}main{max-width:760px;margin:0 auto;padding:24px}table{border-collapse:collapse;width:100%;margin:8px 0 24px}th,td{border-bottom:1px solid #dfe1e2;padding:6px 8px;text-align:left}td.n{text-align:right}.ok{color:#00a91c;font-weight:700}.tlp{float:right;font-weight:700;color:#2e8540}.skip{position:absolute;left:-999em}.skip:focus{left:8px}</style>';
  if (!s) return `${head}<title>Audit not published</title>${style}</head><body><main id="main"><h1>No public audit summary here</h1><p>The summary appears once the audit is complete.</p></main></body></html>`;
  const contests = s.contests.map((c) => `<h3>${e(c.name)}</h3><table><thead><tr><th scope="col">Choice</th><th scope="col">Reported votes</th></tr></thead><tbody>${c.choices.map((ch) => `<tr><td>${e(ch.name)}${c.winners.includes(ch.name) ? ' (winner)' : ''}</td><td class="n">${ch.votes.toLocaleString('en-US')}</td></tr>`).join('')}</tbody></table><p>Final risk: <span class="ok">${c.finalRisk === null ? '—' : pct(c.finalRisk)}</span> (limit ${s.riskLimit}%): the reported winner${c.winners.length === 1 ? ' is' : 's are'} confirmed.</p>`).join('');
  return `${head}<title>${e(s.name)}: audit summary</title>${style}</head><body><a class="skip" href="#main">Skip to the summary</a><main id="main"><span class="tlp">TLP:CLEAR</span><h1>${e(s.name)}</h1>
<p>${e(s.state ?? '')} checked the paper ballots against the reported results with a ${e(s.auditTypeName.charAt(0).toLowerCase() + s.auditTypeName.slice(1))} risk-limiting audit at a ${s.riskLimit}% risk limit, completed ${s.completedAt ? e(new Date(s.completedAt).toISOString().slice(0, 10)) : ''} after ${s.rounds.length} round${s.rounds.length === 1 ? '' : 's'}.</p>
<h2>Contests</h2>${contests}
<h2>Check it yourself</h2><p>Random seed from the public dice ceremony: <code>${e(s.seed ?? '')}</code>. With the counties' ballot manifests (their SHA-256 digests below) anyone can redraw the same sample: <code>eoc rla sample --seed ${e(s.seed ?? '')} --size N --manifest COUNTY=FILE …</code></p>
<table><thead><tr><th scope="col">County</th><th scope="col">Ballots</th><th scope="col">Manifest SHA-256</th></tr></thead><tbody>${s.counties.map((c) => `<tr><td>${e(c.name)}</td><td class="n">${(c.ballots ?? 0).toLocaleString('en-US')}</td><td><code>${e(c.manifestSha256 ?? '')}</code></td></tr>`).join('')}</tbody></table></main></body></html>`;
}

