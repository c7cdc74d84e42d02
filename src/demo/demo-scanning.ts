// The demo's hygiene scanning: three counties asked to be scanned (through the service people use) and the
// operations center approved; three weekly scans of their results sites are replayed through the same tracking
// that real scans go through, so the report card, the trend, deadlines before the Georgia runoff and "fixed
// since the last scan" have something to show. The demo hosts (.example) cannot be scanned for real.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { orgs, users } from '../access/schema.js';
import { finding, type CheckId, type Finding } from '../scanning/checks.js';
import type { ScanReport } from '../scanning/engine.js';
import { scanAuthorizations, scans } from '../scanning/schema.js';
import { decideAuthorization, recordScanResults, requestAuthorization } from '../scanning/service.js';
import { actorFor } from './demo-incidents.js';

const DAY = 86_400_000;

interface Seen {
  readonly check: CheckId;
  readonly port?: number;
  readonly subject?: string;
  readonly evidence: string;
  /** The scans (0, 1, 2: three, two and one week ago) that saw it. */
  readonly weeks: readonly number[];
}

function history(domain: string): Seen[] {
  return [
    { check: 'service-rdp', port: 3389, evidence: 'Port 3389 (ms-wbt-server) is open.', weeks: [0] },
    { check: 'tls-tls10', port: 443, evidence: 'Port 443 accepts TLS 1.0.', weeks: [0, 1] },
    { check: 'tls-tls11', port: 443, evidence: 'Port 443 accepts TLS 1.1.', weeks: [0, 1] },
    { check: 'vuln-kev', port: 443, subject: 'CVE-2024-38475', evidence: 'Apache HTTP Server 2.4.49 (Server header on port 443) is in the affected range of CVE-2024-38475: Apache HTTP Server weakness in mod_rewrite. CISA lists it as known exploited.', weeks: [1, 2] },
    { check: 'http-hsts-missing', port: 443, evidence: `https://${domain}/ answered without a Strict-Transport-Security header.`, weeks: [0, 1, 2] },
    { check: 'http-csp-missing', port: 443, evidence: `https://${domain}/ answered without a Content-Security-Policy header.`, weeks: [0, 1, 2] },
    { check: 'tls-cert-expiring', port: 443, evidence: `The certificate for CN=${domain} expires in 19 days.`, weeks: [2] },
    { check: 'email-dmarc-weak', evidence: 'The DMARC record "v=DMARC1; p=none" has policy p=none: spoofed mail is reported, not stopped.', weeks: [0, 1, 2] },
  ];
}

function report(domain: string, address: string, found: Finding[], at: Date): ScanReport {
  const iso = at.toISOString();
  const summary = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of found) summary[f.severity] += 1;
  return {
    scope: domain, targets: [domain], startedAt: new Date(at.getTime() - 4000).toISOString(), finishedAt: iso, durationMs: 4000,
    hosts: [{
      target: domain, host: domain, addresses: [{ address, scanned: true }], cnameChain: [domain],
      ports: [{ port: 80, state: 'open', service: 'http' }, { port: 443, state: 'open', service: 'https' }, ...(found.some((f) => f.check === 'service-rdp') ? [{ port: 3389, state: 'open' as const, service: 'ms-wbt-server' }] : [])],
      tls: [], web: [], software: [], findings: found.filter((f) => f.host === domain), notes: [], durationMs: 4000,
    }],
    domains: [], silentAddresses: 0, findings: found, summary,
    methodology: { ports: [21, 22, 23, 25, 80, 443, 3389], connections: 412, dnsServers: 'demo', checks: 42 },
  };
}

export async function loadDemoScanning(ctx: AppContext): Promise<number> {
  const analyst = await actorFor(ctx, 'analyst@eoc.demo');
  if (!analyst) return 0;
  const counties = await ctx.db.select({ id: orgs.id, name: orgs.name, stateCode: orgs.stateCode }).from(orgs).where(and(eq(orgs.type, 'local'), inArray(orgs.stateCode, ['GA', 'AZ', 'PA']))).orderBy(asc(orgs.stateCode), asc(orgs.fips));
  // The counties the rest of the demo features (Fulton, Maricopa), and Pennsylvania's first.
  const picked = (['GA:Fulton', 'AZ:Maricopa', 'PA:'] as const).map((k) => { const [code, name] = k.split(':') as [string, string]; return counties.find((c) => c.stateCode === code && c.name.startsWith(name)) ?? counties.find((c) => c.stateCode === code); }).filter((c): c is NonNullable<typeof c> => Boolean(c));
  let n = 0;
  for (const [i, county] of picked.entries()) {
    const [clerk] = await ctx.db.select({ email: users.email }).from(users).where(and(eq(users.orgId, county.id), eq(users.active, true))).orderBy(asc(users.email)).limit(1);
    const actor = clerk ? await actorFor(ctx, clerk.email) : null;
    if (!actor) continue;
    const slug = county.name.toLowerCase().replace(/ elections office$/, '').replace(/[^a-z0-9]+/g, '');
    const domain = `${slug}results.example`;
    const address = `198.51.100.${10 + i}`;
    const auth = await requestAuthorization(ctx, actor, { scope: [domain, `${address}`], accept: true, window: { days: [1, 2, 3, 4, 5], start: '20:00', end: '06:00' } });
    await decideAuthorization(ctx, analyst, auth.id, { decision: 'approve', note: 'Confirmed with the county IT lead by phone.' });
    const [a] = await ctx.db.select().from(scanAuthorizations).where(eq(scanAuthorizations.id, auth.id));
    for (let week = 0; week < 3; week += 1) {
      const at = new Date(Date.now() - (21 - 7 * week) * DAY);
      const found = history(domain).filter((s) => s.weeks.includes(week) && !(i === 2 && s.check === 'vuln-kev')).map((s) => finding(s.check, { host: domain, address, ...(s.port ? { port: s.port } : {}), ...(s.subject ? { subject: s.subject } : {}) }, s.evidence));
      const [scan] = await ctx.db.insert(scans).values({ ownerOrg: a!.ownerOrg, authorId: null, tlp: a!.tlp, recipientOrgs: a!.recipientOrgs, recipientUsers: a!.recipientUsers, authorizationId: a!.id, trigger: week === 0 ? 'manual' : 'schedule', targets: [domain], createdAt: at }).returning();
      await recordScanResults(ctx, a!, scan!, report(domain, address, found, at));
      n += 1;
    }
    // The demo hosts do not exist: no scan is scheduled for them (people can still press "Scan now").
    await ctx.db.update(scanAuthorizations).set({ nextScanAt: null }).where(eq(scanAuthorizations.id, auth.id));
  }
  return n;
}
