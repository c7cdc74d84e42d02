// The hygiene report of an office, fit to hand to a county board: a report card, what CISA lists as exploited,
// open findings by severity with their deadlines, what changed since the last scan, the trend over time, days
// to mitigate, and the method and scope. As HTML (with charts), PDF and CSV; and a state's roll-up across its
// counties. Built only from what the viewer may read — the same policy as every list.
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { requireUser, type Actor } from '../access/actor.js';
import { readableBy } from '../access/policy.js';
import { orgs } from '../access/schema.js';
import { nextElectionFor } from '../elections/service.js';
import type { AppContext } from '../platform/context.js';
import { heading, pdfBuffer, tlpBanner } from '../platform/files/pdf.js';
import { csvLine } from '../platform/http/csv.js';
import { notFound } from '../platform/http/errors.js';
import { escapeHtml } from '../platform/text/html.js';
import { median } from '../platform/text/stats.js';
import { CHECKS, SEVERITIES, type Severity } from './checks.js';
import { scanAuthorizations, scanFindings, scans } from './schema.js';
import { OPEN_STATUSES, presentFinding } from './service.js';

type Finding = ReturnType<typeof presentFinding>;
const SEVERITY_COLOR: Record<string, string> = { critical: '#8b0a03', high: '#d54309', medium: '#e5a000', low: '#2378c3', info: '#71767a' };
const RANKED = SEVERITIES.filter((s) => s !== 'info') as Array<Exclude<Severity, 'info'>>;
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');

export async function officeReport(ctx: AppContext, actor: Actor, orgId: string) {
  const user = requireUser(actor);
  const [org] = await ctx.db.select({ id: orgs.id, name: orgs.name, type: orgs.type, parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, orgId));
  if (!org) throw notFound('The organisation');
  const [auth] = await ctx.db.select().from(scanAuthorizations).where(and(eq(scanAuthorizations.ownerOrg, orgId), readableBy(scanAuthorizations, user))).orderBy(sql`${scanAuthorizations.status} = 'approved' desc`, desc(scanAuthorizations.createdAt)).limit(1);
  // Nothing of this office is shared with the viewer: as if it did not exist.
  if (!auth && user.orgId !== orgId) throw notFound('The scan report');
  const history = await ctx.db.select({ id: scans.id, finishedAt: scans.finishedAt, startedAt: scans.startedAt, summary: scans.summary }).from(scans).where(and(eq(scans.ownerOrg, orgId), eq(scans.status, 'done'), readableBy(scans, user))).orderBy(desc(scans.finishedAt)).limit(60);
  const [latest] = history.length ? await ctx.db.select().from(scans).where(eq(scans.id, history[0]!.id)) : [];
  const rows = await ctx.db.select().from(scanFindings).where(and(eq(scanFindings.ownerOrg, orgId), readableBy(scanFindings, user)));
  const findings = rows.map((r) => presentFinding(r));
  const open = findings.filter((f) => (OPEN_STATUSES as readonly string[]).includes(f.status)).sort((a, b) => SEVERITIES.indexOf(a.severity as Severity) - SEVERITIES.indexOf(b.severity as Severity) || (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
  const since = latest?.startedAt ?? null;
  const changes = since
    ? {
        new: findings.filter((f) => f.status === 'new' && new Date(f.firstSeenAt) >= since),
        mitigated: findings.filter((f) => f.mitigatedAt && new Date(f.mitigatedAt) >= since),
        redetected: findings.filter((f) => f.redetectedAt && new Date(f.redetectedAt) >= since && f.status === 're-detected'),
      }
    : { new: [], mitigated: [], redetected: [] };
  const mitigated = findings.filter((f) => f.mitigatedAt);
  const daysToMitigate = RANKED.map((s) => {
    const days = mitigated.filter((f) => f.severity === s).map((f) => (new Date(f.mitigatedAt!).getTime() - new Date(f.firstSeenAt).getTime()) / 86_400_000);
    return { severity: s, count: days.length, median: median(days.map((d) => Math.round(d))), mean: days.length ? Math.round((days.reduce((a, b) => a + b, 0) / days.length) * 10) / 10 : null };
  });
  const next = await nextElectionFor(ctx.db, ctx.config.timeZone, org);
  const report = latest?.report ?? null;
  const hosts = report?.hosts ?? [];
  const counts = Object.fromEntries(RANKED.map((s) => [s, open.filter((f) => f.severity === s).length])) as Record<Exclude<Severity, 'info'>, number>;
  return {
    org: { id: org.id, name: org.name },
    generatedAt: new Date().toISOString(),
    tlp: 'AMBER' as const,
    election: next.next ? { name: next.next.name, day: next.next.day, daysLeft: next.daysLeft } : null,
    card: {
      hostsScanned: hosts.length,
      vulnerableHosts: new Set(open.map((f) => f.host)).size,
      open: counts,
      kev: open.filter((f) => f.check === 'vuln-kev').length,
      riskyServices: open.filter((f) => CHECKS[f.check as keyof typeof CHECKS]?.area === 'services').length,
      overdue: open.filter((f) => f.overdue).length,
      dueBeforeElection: open.filter((f) => f.dueElectionDay).length,
      accepted: findings.filter((f) => f.status === 'accepted').length,
      lastScan: latest?.finishedAt?.toISOString() ?? null,
      nextScan: auth?.nextScanAt?.toISOString() ?? null,
    },
    kev: open.filter((f) => f.check === 'vuln-kev'),
    open,
    changes: { new: changes.new, mitigated: changes.mitigated, redetected: changes.redetected },
    trend: [...history].reverse().map((h) => ({ at: h.finishedAt?.toISOString() ?? '', open: h.summary?.open ?? {} })),
    daysToMitigate,
    methodology: {
      scope: auth?.scope ?? [],
      authorization: auth ? { status: auth.status, acceptedBy: auth.acceptedByName, acceptedAt: auth.acceptedAt.toISOString(), acceptanceVersion: auth.acceptanceVersion, approvedBy: auth.decidedByName, approvedAt: auth.decidedAt?.toISOString() ?? null, window: auth.window, ratePerSecond: auth.ratePerSecond } : null,
      ports: report?.methodology.ports ?? [],
      connections: report?.methodology.connections ?? 0,
      checks: Object.keys(CHECKS).length,
      hosts: hosts.map((h) => ({ host: h.host, address: h.addresses.find((a) => a.scanned)?.address ?? null, ports: h.ports.map((p) => `${p.port}/${p.service}`), tls: h.tls.map((t) => `${t.port}: ${t.protocols.filter((p) => p.offered).map((p) => p.protocol).join(' ')}`) })),
      notContacted: hosts.flatMap((h) => h.addresses.filter((a) => !a.scanned && a.reason).map((a) => `${h.host} → ${a.address}: ${a.reason}`)),
    },
  };
}

export type OfficeReport = Awaited<ReturnType<typeof officeReport>>;

export function officeCsv(r: OfficeReport): string {
  let out = csvLine(['office', 'severity', 'status', 'check', 'title', 'host', 'address', 'port', 'subject', 'first seen', 'last seen', 'due', 'before election', 'days open', 'evidence', 'fix']);
  const all = [...r.open, ...r.changes.mitigated];
  for (const f of all) out += csvLine([r.org.name, f.severity, f.status, f.check, f.title, f.host, f.address, f.port, f.subject, day(f.firstSeenAt), day(f.lastSeenAt), day(f.dueAt), f.dueElectionDay ?? '', f.daysOpen, f.evidence, f.fix]);
  return out;
}

const esc = escapeHtml;

/** Open findings by severity after each scan, as stacked bars (SVG, readable without script). */
function trendSvg(trend: OfficeReport['trend']): string {
  if (!trend.length) return '<p>No finished scans yet.</p>';
  const w = 640;
  const h = 180;
  const max = Math.max(1, ...trend.map((t) => RANKED.reduce((n, s) => n + (t.open[s] ?? 0), 0)));
  const bar = Math.max(4, Math.min(40, (w - 40) / trend.length - 4));
  const bars = trend.map((t, i) => {
    let y = h - 20;
    const x = 30 + i * (bar + 4);
    const parts = RANKED.map((s) => {
      const v = t.open[s] ?? 0;
      const hh = (v / max) * (h - 40);
      y -= hh;
      return v ? `<rect x="${x}" y="${y.toFixed(1)}" width="${bar}" height="${hh.toFixed(1)}" fill="${SEVERITY_COLOR[s]}"><title>${esc(day(t.at))}: ${v} ${s}</title></rect>` : '';
    }).join('');
    return parts;
  }).join('');
  const legend = RANKED.map((s, i) => `<rect x="${30 + i * 110}" y="${h - 8}" width="10" height="10" fill="${SEVERITY_COLOR[s]}"/><text x="${44 + i * 110}" y="${h + 1}" font-size="11">${s}</text>`).join('');
  return `<svg role="img" aria-label="Open findings by severity after each scan" viewBox="0 0 ${w} ${h + 10}" width="100%" style="max-width:${w}px"><text x="0" y="12" font-size="11">${max}</text><line x1="28" y1="${h - 20}" x2="${w}" y2="${h - 20}" stroke="#a9aeb1"/>${bars}${legend}</svg>`;
}

function findingRows(list: readonly Finding[]): string {
  if (!list.length) return '<p>None.</p>';
  return `<table class="usa-table usa-table--borderless"><thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Where</th><th scope="col">Status</th><th scope="col">Fix by</th></tr></thead><tbody>${list
    .map((f) => `<tr><td><span class="sev sev-${esc(f.severity)}">${esc(f.severity)}</span></td><td><strong>${esc(f.title)}</strong><br><span class="muted">${esc(f.evidence)}</span><br>${esc(f.fix)}</td><td>${esc(f.host)}${f.port ? `:${f.port}` : ''}</td><td>${esc(f.status)}${f.overdue ? ' <strong class="overdue">overdue</strong>' : ''}</td><td>${esc(day(f.dueAt))}${f.dueElectionDay ? `<br><span class="muted">before the election on ${esc(f.dueElectionDay)}</span>` : ''}</td></tr>`)
    .join('')}</tbody></table>`;
}

export function officeHtml(r: OfficeReport): string {
  const c = r.card;
  const tile = (label: string, value: string | number, tone = '') => `<div class="tile ${tone}"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Cyber hygiene report — ${esc(r.org.name)}</title>
<style>
body{font-family:"Source Sans Pro","Helvetica Neue",Helvetica,Arial,sans-serif;color:#1b1b1b;margin:0;line-height:1.5}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:2rem;margin:0 0 4px} h2{font-size:1.4rem;margin-top:32px;border-bottom:1px solid #dfe1e2;padding-bottom:4px}
.tlp{float:right;font-weight:700;color:#936f38;border:2px solid #936f38;padding:2px 8px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:16px 0}
.tile{border:1px solid #dfe1e2;border-left:6px solid #005ea2;padding:12px;background:#f9f9f9} .tile .value{font-size:1.8rem;font-weight:700} .tile .label{font-size:.9rem}
.tile.bad{border-left-color:#b50909} .tile.warn{border-left-color:#e5a000} .tile.good{border-left-color:#00a91c}
table{border-collapse:collapse;width:100%;font-size:.95rem} th,td{border-bottom:1px solid #dfe1e2;padding:8px;text-align:left;vertical-align:top}
.sev{display:inline-block;padding:0 6px;color:#fff;font-weight:700;text-transform:uppercase;font-size:.8rem}
${Object.entries(SEVERITY_COLOR).map(([s, col]) => `.sev-${s}{background:${col}}`).join('')}
.muted{color:#565c65;font-size:.9rem} .overdue{color:#b50909}
@media print{main{padding:0} h2{break-after:avoid} tr{break-inside:avoid}}
.usa-skipnav{position:absolute;left:-999em}.usa-skipnav:focus{left:8px;top:8px;background:#fff;padding:8px}
</style></head><body><a class="usa-skipnav" href="#main-content">Skip to the report</a><main id="main-content">
<span class="tlp">TLP:AMBER</span>
<h1>Cyber hygiene report</h1>
<p><strong>${esc(r.org.name)}</strong> · generated ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC${r.election ? ` · next election: ${esc(r.election.name)} on ${esc(r.election.day)} (${r.election.daysLeft} days)` : ''}</p>
<h2>Report card</h2>
<div class="tiles">
${tile('critical findings open', c.open.critical, c.open.critical ? 'bad' : 'good')}${tile('high findings open', c.open.high, c.open.high ? 'bad' : 'good')}${tile('medium', c.open.medium, c.open.medium ? 'warn' : 'good')}${tile('low', c.open.low)}
${tile('known exploited (KEV)', c.kev, c.kev ? 'bad' : 'good')}${tile('risky services exposed', c.riskyServices, c.riskyServices ? 'warn' : 'good')}${tile('overdue fixes', c.overdue, c.overdue ? 'bad' : 'good')}${tile('must be fixed before election day', c.dueBeforeElection, c.dueBeforeElection ? 'warn' : '')}
${tile('hosts scanned', c.hostsScanned)}${tile('hosts with findings', c.vulnerableHosts)}${tile('last scan', day(c.lastScan))}${tile('next scan', day(c.nextScan))}
</div>
<h2>Known exploited vulnerabilities</h2>
<p>CISA lists these as exploited in the wild. Fix them first.</p>
${findingRows(r.kev)}
<h2>Open findings by severity</h2>
${findingRows(r.open)}
<h2>Changes since the last report</h2>
<p>${r.changes.new.length} new, ${r.changes.mitigated.length} fixed, ${r.changes.redetected.length} back again.</p>
${r.changes.mitigated.length ? `<h3>Fixed</h3><ul>${r.changes.mitigated.map((f) => `<li>${esc(f.title)} — ${esc(f.host)}${f.port ? `:${f.port}` : ''} (open ${f.daysOpen} days)</li>`).join('')}</ul>` : ''}
${r.changes.redetected.length ? `<h3>Back again</h3><ul>${r.changes.redetected.map((f) => `<li>${esc(f.title)} — ${esc(f.host)}${f.port ? `:${f.port}` : ''}</li>`).join('')}</ul>` : ''}
<h2>Trend</h2>
${trendSvg(r.trend)}
<h2>Days to mitigate</h2>
<table><thead><tr><th scope="col">Severity</th><th scope="col">Fixed</th><th scope="col">Median days</th><th scope="col">Mean days</th></tr></thead><tbody>${r.daysToMitigate.map((d) => `<tr><td>${esc(d.severity)}</td><td>${d.count}</td><td>${d.median ?? '—'}</td><td>${d.mean ?? '—'}</td></tr>`).join('')}</tbody></table>
<h2>Method and scope</h2>
<p>Scope authorised: ${esc(r.methodology.scope.join(', ') || 'none')}.${r.methodology.authorization ? ` Accepted by ${esc(r.methodology.authorization.acceptedBy)} on ${esc(day(r.methodology.authorization.acceptedAt))} (terms ${esc(r.methodology.authorization.acceptanceVersion)})${r.methodology.authorization.approvedBy ? `, approved by ${esc(r.methodology.authorization.approvedBy)} on ${esc(day(r.methodology.authorization.approvedAt))}` : ''}; at most ${r.methodology.authorization.ratePerSecond} new connections per second.` : ''}</p>
<p>Each scan connects to ${r.methodology.ports.length} common TCP ports, offers SSL 3.0 to TLS 1.3 with every cipher suite to find what the server accepts, reads the certificate, requests the web pages and headers, reads SPF, DMARC, MX (with STARTTLS), DNSSEC and CAA records, and compares software versions with the vulnerability catalog (${r.methodology.checks} checks). It never guesses passwords or changes anything, and it contacts no address outside the scope — not after a redirect, an alias (CNAME) or a DNS answer pointing elsewhere. The last scan opened ${r.methodology.connections} connections.</p>
${r.methodology.notContacted.length ? `<p>Not contacted (outside the scope):</p><ul>${r.methodology.notContacted.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<table><thead><tr><th scope="col">Host</th><th scope="col">Address</th><th scope="col">Open ports</th><th scope="col">TLS</th></tr></thead><tbody>${r.methodology.hosts.map((h) => `<tr><td>${esc(h.host)}</td><td>${esc(h.address)}</td><td>${esc(h.ports.join(', '))}</td><td>${esc(h.tls.join('; '))}</td></tr>`).join('')}</tbody></table>
</main></body></html>`;
}

export function officePdf(r: OfficeReport): Promise<Buffer> {
  return pdfBuffer((doc) => {
    tlpBanner(doc, r.tlp);
    doc.font('Helvetica-Bold').fontSize(20).text('Cyber hygiene report').font('Helvetica').fontSize(11).text(`${r.org.name} — generated ${r.generatedAt.slice(0, 10)}${r.election ? ` — next election ${r.election.day} (${r.election.daysLeft} days)` : ''}`);
    heading(doc, 'Report card');
    const c = r.card;
    const cells: Array<[string, number | string, string]> = [
      ['Critical open', c.open.critical, SEVERITY_COLOR.critical!], ['High open', c.open.high, SEVERITY_COLOR.high!], ['Medium open', c.open.medium, SEVERITY_COLOR.medium!], ['Low open', c.open.low, SEVERITY_COLOR.low!],
      ['Known exploited', c.kev, '#b50909'], ['Risky services', c.riskyServices, '#936f38'], ['Overdue', c.overdue, '#b50909'], ['Due before election', c.dueBeforeElection, '#936f38'],
    ];
    const top = doc.y;
    cells.forEach(([label, value, color], i) => {
      const x = 54 + (i % 4) * 126;
      const y = top + Math.floor(i / 4) * 52;
      doc.rect(x, y, 4, 44).fill(color).fillColor('#1b1b1b');
      doc.font('Helvetica-Bold').fontSize(18).text(String(value), x + 10, y + 2, { width: 110 }).font('Helvetica').fontSize(9).text(label, x + 10, y + 26, { width: 110 });
    });
    doc.x = 54;
    doc.y = top + 110;
    doc.fontSize(10).text(`${c.hostsScanned} hosts scanned, ${c.vulnerableHosts} with findings. Last scan ${day(c.lastScan)}; next ${day(c.nextScan)}.`);
    const list = (title: string, items: readonly Finding[]) => {
      heading(doc, title);
      if (!items.length) return void doc.text('None.');
      for (const f of items) {
        doc.font('Helvetica-Bold').fillColor(SEVERITY_COLOR[f.severity] ?? '#1b1b1b').text(`${f.severity.toUpperCase()}  `, { continued: true }).fillColor('#1b1b1b').text(`${f.title} — ${f.host}${f.port ? `:${f.port}` : ''}`);
        doc.font('Helvetica').fontSize(9).text(f.evidence).text(`Fix: ${f.fix}`).text(`Status ${f.status}; first seen ${day(f.firstSeenAt)}; fix by ${day(f.dueAt)}${f.dueElectionDay ? ` (before the election on ${f.dueElectionDay})` : ''}${f.overdue ? ' — OVERDUE' : ''}.`).fontSize(10).moveDown(0.4);
      }
    };
    list('Known exploited vulnerabilities', r.kev);
    list('Open findings by severity', r.open.filter((f) => f.check !== 'vuln-kev'));
    heading(doc, 'Changes since the last report');
    doc.text(`${r.changes.new.length} new, ${r.changes.mitigated.length} fixed, ${r.changes.redetected.length} back again.`);
    for (const f of r.changes.mitigated) doc.text(`Fixed: ${f.title} — ${f.host} (open ${f.daysOpen} days)`);
    heading(doc, 'Trend: open findings after each scan');
    const chartTop = doc.y + 4;
    const max = Math.max(1, ...r.trend.map((t) => RANKED.reduce((n, s) => n + (t.open[s] ?? 0), 0)));
    const bar = Math.max(3, Math.min(24, 480 / Math.max(1, r.trend.length) - 3));
    r.trend.forEach((t, i) => {
      let y = chartTop + 100;
      for (const s of RANKED) {
        const hh = ((t.open[s] ?? 0) / max) * 100;
        y -= hh;
        if (hh > 0) doc.rect(54 + i * (bar + 3), y, bar, hh).fill(SEVERITY_COLOR[s]!);
      }
    });
    doc.fillColor('#1b1b1b').x = 54;
    doc.y = chartTop + 108;
    doc.fontSize(9).text(`Bars: open critical, high, medium and low findings after each of the last ${r.trend.length} scans (tallest ${max}).`).fontSize(10);
    heading(doc, 'Days to mitigate');
    for (const d of r.daysToMitigate) doc.text(`${d.severity}: ${d.count} fixed, median ${d.median ?? '—'} days, mean ${d.mean ?? '—'} days`);
    heading(doc, 'Method and scope');
    doc.fontSize(9).text(`Scope: ${r.methodology.scope.join(', ') || 'none'}.`);
    if (r.methodology.authorization) doc.text(`Accepted by ${r.methodology.authorization.acceptedBy} on ${day(r.methodology.authorization.acceptedAt)} (terms ${r.methodology.authorization.acceptanceVersion})${r.methodology.authorization.approvedBy ? `; approved by ${r.methodology.authorization.approvedBy} on ${day(r.methodology.authorization.approvedAt)}` : ''}.`);
    doc.text(`${r.methodology.ports.length} TCP ports, SSL 3.0 to TLS 1.3 with every cipher suite, certificate, web pages and headers, SPF, DMARC, MX/STARTTLS, DNSSEC, CAA, and software versions against the vulnerability catalog (${r.methodology.checks} checks). No address outside the scope was contacted; the last scan opened ${r.methodology.connections} connections.`);
    for (const n of r.methodology.notContacted) doc.text(`Not contacted: ${n}`);
  }, 'Cyber hygiene report');
}

/** A state's roll-up: its own office and each county that shares its findings with the viewer. */
export async function stateRollup(ctx: AppContext, actor: Actor, stateOrgId: string) {
  const user = requireUser(actor);
  const [state] = await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(eq(orgs.id, stateOrgId));
  if (!state) throw notFound('The state');
  const members = await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(and(eq(orgs.active, true), sql`(${orgs.id} = ${stateOrgId}::uuid or ${orgs.parentId} = ${stateOrgId}::uuid)`));
  const ids = members.map((m) => m.id);
  if (!ids.length) return { state, generatedAt: new Date().toISOString(), offices: [] };
  const counts = ids.length
    ? await ctx.db
        .select({ org: scanFindings.ownerOrg, severity: scanFindings.severity, kev: sql<number>`count(*) filter (where ${scanFindings.checkId} = 'vuln-kev')::int`, overdue: sql<number>`count(*) filter (where ${scanFindings.dueAt} < now())::int`, n: sql<number>`count(*)::int` })
        .from(scanFindings)
        .where(and(inArray(scanFindings.ownerOrg, ids), inArray(scanFindings.status, [...OPEN_STATUSES]), readableBy(scanFindings, user)))
        .groupBy(scanFindings.ownerOrg, scanFindings.severity)
    : [];
  const last = await ctx.db.select({ org: scans.ownerOrg, at: sql<Date>`max(${scans.finishedAt})` }).from(scans).where(and(inArray(scans.ownerOrg, ids), isNotNull(scans.finishedAt), eq(scans.status, 'done'), readableBy(scans, user))).groupBy(scans.ownerOrg);
  const scanned = new Map(last.map((l) => [l.org, l.at ? new Date(l.at).toISOString() : null]));
  const offices = members
    .filter((m) => scanned.has(m.id) || counts.some((c) => c.org === m.id))
    .map((m) => {
      const mine = counts.filter((c) => c.org === m.id);
      const by = (s: string) => mine.filter((c) => c.severity === s).reduce((n, c) => n + c.n, 0);
      return { orgId: m.id, name: m.name, critical: by('critical'), high: by('high'), medium: by('medium'), low: by('low'), kev: mine.reduce((n, c) => n + c.kev, 0), overdue: mine.reduce((n, c) => n + c.overdue, 0), lastScan: scanned.get(m.id) ?? null };
    })
    .sort((a, b) => b.kev - a.kev || b.critical - a.critical || b.high - a.high || a.name.localeCompare(b.name));
  return { state, generatedAt: new Date().toISOString(), offices };
}

export type StateRollup = Awaited<ReturnType<typeof stateRollup>>;

export function rollupCsv(r: StateRollup): string {
  let out = csvLine(['office', 'critical', 'high', 'medium', 'low', 'known exploited', 'overdue', 'last scan']);
  for (const o of r.offices) out += csvLine([o.name, o.critical, o.high, o.medium, o.low, o.kev, o.overdue, day(o.lastScan)]);
  return out;
}

export function rollupHtml(r: StateRollup): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cyber hygiene roll-up — ${esc(r.state.name)}</title><style>body{font-family:"Source Sans Pro",Helvetica,Arial,sans-serif;margin:0}main{max-width:960px;margin:0 auto;padding:24px}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #dfe1e2;padding:8px;text-align:left}td.n{text-align:right}.tlp{float:right;font-weight:700;color:#936f38;border:2px solid #936f38;padding:2px 8px}.usa-skipnav{position:absolute;left:-999em}.usa-skipnav:focus{left:8px;top:8px;background:#fff;padding:8px}</style></head><body><a class="usa-skipnav" href="#main-content">Skip to the roll-up</a><main id="main-content"><span class="tlp">TLP:AMBER</span><h1>Cyber hygiene across ${esc(r.state.name)}</h1><p>Open findings of each office that shares its scan results with you, worst first.</p>
<table><thead><tr><th scope="col">Office</th><th scope="col">Known exploited</th><th scope="col">Critical</th><th scope="col">High</th><th scope="col">Medium</th><th scope="col">Low</th><th scope="col">Overdue</th><th scope="col">Last scan</th></tr></thead><tbody>${r.offices.map((o) => `<tr><td>${esc(o.name)}</td><td class="n">${o.kev}</td><td class="n">${o.critical}</td><td class="n">${o.high}</td><td class="n">${o.medium}</td><td class="n">${o.low}</td><td class="n">${o.overdue}</td><td>${esc(day(o.lastScan))}</td></tr>`).join('')}</tbody></table></main></body></html>`;
}

export function rollupPdf(r: StateRollup): Promise<Buffer> {
  return pdfBuffer((doc) => {
    tlpBanner(doc, 'AMBER');
    doc.font('Helvetica-Bold').fontSize(18).text(`Cyber hygiene across ${r.state.name}`).font('Helvetica').fontSize(10).text(`Generated ${r.generatedAt.slice(0, 10)}. Open findings of each office that shares its scan results, worst first.`);
    heading(doc, 'Offices');
    for (const o of r.offices) doc.text(`${o.name}: ${o.kev} known exploited, ${o.critical} critical, ${o.high} high, ${o.medium} medium, ${o.low} low; ${o.overdue} overdue; last scan ${day(o.lastScan)}`);
  }, 'Cyber hygiene roll-up');
}
