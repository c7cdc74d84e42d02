// After-action reports, per incident and per election (or period): what happened, what was decided, how long
// triage and resolution took, by category. CSV for analysis, PDF to hand to a state's leadership. Built from
// what the viewer may read — the same policy as every list.
import { and, asc, eq, lt } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { AppError } from '../platform/http/errors.js';
import { csvLine } from '../platform/http/csv.js';
import { heading, pdfBuffer, tlpBanner } from '../platform/files/pdf.js';
import { median } from '../platform/text/stats.js';
import { type Actor, requireUser } from '../access/actor.js';
import { orgs } from '../access/schema.js';
import { elections } from '../elections/schema.js';
import { ASSESSMENTS, CATEGORIES, COMPONENTS, type Category } from './taxonomy.js';
import { incidents } from './schema.js';
import { auditListedReads, filtersOf, formatRef, getIncident, kindOf } from './service.js';

const minutesBetween = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, Math.round((b.getTime() - a.getTime()) / 60_000)) : null);

function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.round(minutes / 60 / 24)} days`;
}

// ---------------------------------------------------------------- one incident

export async function incidentCsv(ctx: AppContext, actor: Actor, id: string): Promise<string> {
  const i = await getIncident(ctx, actor, id);
  let out = csvLine(['field', 'value']);
  const fields: Array<[string, unknown]> = [
    ['reference', i.ref], ['title', i.title], ['TLP', i.tlp], ['jurisdiction', i.jurisdiction.name], ['location', i.location], ['category', CATEGORIES[i.category].label],
    ['component', COMPONENTS[i.component].label], ['occurred', i.occurredAt], ['reported', i.createdAt], ['channel', i.channel], ['assessment', i.assessment ? ASSESSMENTS[i.assessment] : 'not assessed'],
    ['rationale', i.assessmentRationale], ['severity', i.severity], ['severity from the table', i.computedSeverity], ['priority', i.priority], ['owner', i.assignee?.name], ['status', i.status],
    ['time to triage (min)', minutesBetween(new Date(i.createdAt), i.triagedAt ? new Date(i.triagedAt) : null)], ['time to resolve (min)', minutesBetween(new Date(i.createdAt), i.resolvedAt ? new Date(i.resolvedAt) : null)],
    ['triage SLA', i.sla.triage.state], ['resolve SLA', i.sla.resolve.state], ['description', i.description],
  ];
  for (const [k, v] of fields) out += csvLine([k, v]);
  out += '\r\n' + csvLine(['time', 'who', 'what', 'entry']);
  for (const t of i.timeline) out += csvLine([t.at, t.actorName, t.kind, t.text]);
  return out;
}

export async function incidentPdf(ctx: AppContext, actor: Actor, id: string): Promise<Buffer> {
  const i = await getIncident(ctx, actor, id);
  return pdfBuffer((doc) => {
    tlpBanner(doc, i.tlp);
    doc.font('Helvetica-Bold').fontSize(18).text(`${i.ref}: ${i.title}`).font('Helvetica').fontSize(10);
    doc.fillColor('#565c65').text(`${i.jurisdiction.name}${i.location ? ` — ${i.location}` : ''} · reported ${new Date(i.createdAt).toUTCString()} via ${i.channel}`).fillColor('#1b1b1b');
    heading(doc, 'Summary');
    const rows: Array<[string, string]> = [
      ['What', `${CATEGORIES[i.category].label} — ${COMPONENTS[i.component].label}`],
      ['Kind', i.kind === 'nefarious' ? 'Suspected or confirmed nefarious' : 'Operational'],
      ['Assessment', i.assessment ? `${ASSESSMENTS[i.assessment]}${i.assessmentRationale ? ` — ${i.assessmentRationale}` : ''}` : 'Not assessed'],
      ['Severity', `${i.severity}${i.severity !== i.computedSeverity ? ` (table: ${i.computedSeverity})` : ''}`],
      ['Status', i.status],
      ['Voting or counting affected', i.votingAffected || i.countingAffected ? 'Yes' : 'No'],
      ['Time to triage', duration(minutesBetween(new Date(i.createdAt), i.triagedAt ? new Date(i.triagedAt) : null))],
      ['Time to resolve', duration(minutesBetween(new Date(i.createdAt), i.resolvedAt ? new Date(i.resolvedAt) : null))],
      ['Owner', i.assignee?.name ?? '—'],
    ];
    for (const [k, v] of rows) doc.font('Helvetica-Bold').text(`${k}: `, { continued: true }).font('Helvetica').text(v);
    heading(doc, 'What was observed');
    doc.text(i.description);
    if (i.tasks.length) {
      heading(doc, 'Tasks');
      for (const t of i.tasks) doc.text(`${t.done ? '[x]' : '[ ]'} ${t.title}`);
    }
    heading(doc, 'Timeline');
    for (const t of i.timeline) doc.font('Helvetica-Bold').text(`${new Date(t.at).toISOString().replace('T', ' ').slice(0, 16)} UTC  ${t.actorName}: `, { continued: true }).font('Helvetica').text(t.text);
  });
}

// ---------------------------------------------------------------- an election or a period

export interface PeriodQuery {
  readonly election?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly state?: string;
}

async function periodRows(ctx: AppContext, actor: Actor, q: PeriodQuery) {
  const user = requireUser(actor);
  let title = 'All incidents';
  if (q.election) {
    const [e] = await ctx.db.select().from(elections).where(eq(elections.id, q.election));
    if (!e) throw new AppError('validation-failed', 'The election does not exist.', { details: [{ field: 'election', message: 'unknown election' }] });
    title = `${e.name} (${e.day})`;
  } else if (q.from || q.to) title = `Incidents ${q.from?.toISOString().slice(0, 10) ?? '…'} to ${q.to?.toISOString().slice(0, 10) ?? '…'}`;
  const where = filtersOf(user, { status: 'all', ...(q.election ? { election: q.election } : {}), ...(q.state ? { state: q.state } : {}), ...(q.from ? { since: q.from } : {}) });
  const rows = await ctx.db
    .select({ i: incidents, jurisdictionName: orgs.name })
    .from(incidents)
    .innerJoin(orgs, eq(orgs.id, incidents.jurisdictionId))
    .where(and(...where, ...(q.to ? [lt(incidents.createdAt, q.to)] : [])))
    .orderBy(asc(incidents.createdAt))
    .limit(100_000);
  await auditListedReads(ctx, user, rows.map((r) => r.i), 'after-action');
  return { title, rows };
}


function stats(rows: Awaited<ReturnType<typeof periodRows>>['rows']) {
  const byCategory = new Map<Category, { count: number; triage: number[]; resolve: number[]; nefarious: number; open: number }>();
  for (const { i } of rows) {
    const s = byCategory.get(i.category) ?? { count: 0, triage: [], resolve: [], nefarious: 0, open: 0 };
    s.count += 1;
    const t = minutesBetween(i.createdAt, i.triagedAt);
    const r = minutesBetween(i.createdAt, i.resolvedAt);
    if (t !== null) s.triage.push(t);
    if (r !== null) s.resolve.push(r);
    if (kindOf(i) === 'nefarious') s.nefarious += 1;
    if (i.status !== 'resolved' && i.status !== 'closed') s.open += 1;
    byCategory.set(i.category, s);
  }
  const all = rows.map((r) => r.i);
  return {
    total: all.length,
    nefarious: all.filter((i) => kindOf(i) === 'nefarious').length,
    open: all.filter((i) => i.status !== 'resolved' && i.status !== 'closed').length,
    medianTriage: median(all.map((i) => minutesBetween(i.createdAt, i.triagedAt)).filter((x): x is number => x !== null)),
    medianResolve: median(all.map((i) => minutesBetween(i.createdAt, i.resolvedAt)).filter((x): x is number => x !== null)),
    byCategory: [...byCategory.entries()].sort((a, b) => b[1].count - a[1].count).map(([category, s]) => ({ category, label: CATEGORIES[category].label, count: s.count, nefarious: s.nefarious, open: s.open, medianTriage: median(s.triage), medianResolve: median(s.resolve) })),
  };
}

export async function periodCsv(ctx: AppContext, actor: Actor, q: PeriodQuery): Promise<string> {
  const { rows } = await periodRows(ctx, actor, q);
  let out = csvLine(['reference', 'reported', 'occurred', 'state', 'jurisdiction', 'category', 'kind', 'component', 'severity', 'assessment', 'status', 'minutes to triage', 'minutes to resolve', 'voting or counting affected', 'TLP', 'title']);
  for (const { i, jurisdictionName } of rows) {
    out += csvLine([formatRef(i.ref), i.createdAt.toISOString(), i.occurredAt.toISOString(), i.stateCode, jurisdictionName, i.category, kindOf(i), i.component, i.severity, i.assessment, i.status, minutesBetween(i.createdAt, i.triagedAt), minutesBetween(i.createdAt, i.resolvedAt), i.votingAffected || i.countingAffected ? 'yes' : 'no', i.tlp, i.title]);
  }
  return out;
}

export async function periodSummary(ctx: AppContext, actor: Actor, q: PeriodQuery) {
  const { title, rows } = await periodRows(ctx, actor, q);
  return { title, ...stats(rows) };
}

export async function periodPdf(ctx: AppContext, actor: Actor, q: PeriodQuery): Promise<Buffer> {
  const { title, rows } = await periodRows(ctx, actor, q);
  const s = stats(rows);
  const labels = new Set(rows.map((r) => r.i.tlp));
  const banner = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'].find((t) => labels.has(t as never)) ?? 'CLEAR';
  return pdfBuffer((doc) => {
    tlpBanner(doc, banner);
    doc.font('Helvetica-Bold').fontSize(18).text(`After-action report: ${title}`).font('Helvetica').fontSize(10);
    doc.fillColor('#565c65').text(`Generated ${new Date().toUTCString()}. Contains only incidents shared with the reader; marked with the most restrictive label it contains.`).fillColor('#1b1b1b');
    heading(doc, 'At a glance');
    doc.text(`${s.total} incidents, ${s.nefarious} suspected or confirmed nefarious, ${s.total - s.nefarious} operational; ${s.open} still open.`);
    doc.text(`Median time to triage: ${duration(s.medianTriage)}. Median time to resolve: ${duration(s.medianResolve)}.`);
    heading(doc, 'By category');
    if (s.byCategory.length) {
      doc.table({
        columnStyles: [150, 50, 60, 50, 90, 90],
        data: [
          ['Category', 'Count', 'Nefarious', 'Open', 'Median triage', 'Median resolve'],
          ...s.byCategory.map((c) => [c.label, String(c.count), String(c.nefarious), String(c.open), duration(c.medianTriage), duration(c.medianResolve)]),
        ],
      });
    } else doc.text('No incidents.');
    heading(doc, 'Incidents');
    for (const { i, jurisdictionName } of rows.slice(0, 2000)) {
      doc.font('Helvetica-Bold').text(`${formatRef(i.ref)} ${i.title}`, { continued: true }).font('Helvetica').text(`  — ${jurisdictionName}, ${CATEGORIES[i.category].label.toLowerCase()}, ${i.severity}, ${i.status}, triage ${duration(minutesBetween(i.createdAt, i.triagedAt))}, resolve ${duration(minutesBetween(i.createdAt, i.resolvedAt))}`);
    }
    if (rows.length > 2000) doc.moveDown().text(`… and ${rows.length - 2000} more (see the CSV export).`);
  });
}
