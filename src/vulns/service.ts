// The vulnerability catalog as a service: imported from CVE records and the KEV catalog (API and command
// line), named by STIX vulnerability objects and advisories, and matched — the moment it changes — against
// every inventory's products and versions; and each inventory change matched against the catalog. Offices
// hear of a match privately (victim notification), like any other threat that touches their systems.
import { sql } from 'drizzle-orm';
import { type Actor, requireUser, requireWrite } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf, type Tx } from '../platform/db/client.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { enqueue } from '../platform/jobs/queue.js';
import { recordMatches, type NewVictimMatch } from '../assets/victims-service.js';
import { vulnerabilitiesOfBatch } from '../intel/objects-service.js';
import { assess, CVE_ID, namesMatch, normaliseName, parseCveRecord, parseKevCatalog, type AffectedEntry, type KevEntry, type VulnRecord } from './catalog.js';

/** Who stands for "the catalog" when a match comes from an inventory change rather than from someone's report. */
const CATALOG = '00000000-0000-0000-0000-000000000000';
const MATCH_CHUNK = 500;

export interface ImportReport {
  readonly kevCatalogVersion: string | null;
  readonly received: number;
  /** New or changed entries (matched against every inventory). */
  readonly changed: number;
  readonly unchanged: number;
  readonly refused: Array<{ index: number; reason: string }>;
}

/** Only the operations center's analysts (and system administrators) maintain the community's catalog. */
function requireCatalogEditor(actor: Actor): { orgId: string } {
  if (actor.kind === 'system') return { orgId: CATALOG };
  const user = requireWrite(actor);
  if (!((user.orgType === 'operations-center' && (user.role === 'analyst' || user.role === 'org-admin')) || user.systemAdmin)) {
    throw new AppError('forbidden', "Only the operations center's analysts update the vulnerability catalog.");
  }
  return user;
}

/** Reads what was sent: a KEV catalog, one CVE record, or a list of CVE records. */
export function parseCatalogDocument(doc: unknown): { kevVersion: string | null; records: VulnRecord[]; kind: 'kev' | 'cve'; refused: Array<{ index: number; reason: string }> } {
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && Array.isArray((doc as { vulnerabilities?: unknown }).vulnerabilities)) {
    const kev = parseKevCatalog(doc);
    return { kevVersion: kev.version, records: kev.records, kind: 'kev', refused: kev.refused };
  }
  const list = Array.isArray(doc) ? doc : [doc];
  const records: VulnRecord[] = [];
  const refused: Array<{ index: number; reason: string }> = [];
  list.forEach((item, index) => {
    try {
      records.push(parseCveRecord(item));
    } catch (error) {
      refused.push({ index, reason: (error as Error).message });
    }
  });
  if (!records.length && refused.length && !Array.isArray(doc)) throw new AppError('validation-failed', `This is neither a KEV catalog nor a CVE record: ${refused[0]!.reason}.`);
  return { kevVersion: null, records, kind: 'cve', refused };
}

/** Writes catalog records; returns the CVE ids that are new or changed. */
async function upsert(tx: Tx, records: readonly VulnRecord[], kind: 'kev' | 'cve'): Promise<string[]> {
  const changed: string[] = [];
  for (let i = 0; i < records.length; i += 500) {
    const chunk = records.slice(i, i + 500).map((r) => ({
      cve_id: r.cveId, title: r.title, description: r.description, published: r.published, cvss_score: r.cvssScore, cvss_severity: r.cvssSeverity, kev: r.kev,
      affected: kind === 'cve' ? r.affected : [], kev_affected: kind === 'kev' ? r.affected : [],
    }));
    const rows = rowsOf<{ cve_id: string }>(
      kind === 'kev'
        ? await tx.execute(sql`
            insert into vulnerabilities as v (cve_id, title, description, kev, kev_affected)
            select x.cve_id, x.title, x.description, x.kev, x.kev_affected from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(cve_id text, title text, description text, kev jsonb, kev_affected jsonb)
            on conflict (cve_id) do update set kev = excluded.kev, kev_affected = excluded.kev_affected,
              title = coalesce(v.title, excluded.title), description = coalesce(v.description, excluded.description), updated_at = now()
            where v.kev is distinct from excluded.kev or v.kev_affected is distinct from excluded.kev_affected
            returning v.cve_id`)
        : await tx.execute(sql`
            insert into vulnerabilities as v (cve_id, title, description, published, cvss_score, cvss_severity, kev, affected)
            select x.cve_id, x.title, x.description, x.published::timestamptz, x.cvss_score, x.cvss_severity, x.kev, x.affected
            from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as x(cve_id text, title text, description text, published text, cvss_score real, cvss_severity text, kev jsonb, affected jsonb)
            on conflict (cve_id) do update set title = coalesce(excluded.title, v.title), description = coalesce(excluded.description, v.description),
              published = coalesce(excluded.published, v.published), cvss_score = coalesce(excluded.cvss_score, v.cvss_score), cvss_severity = coalesce(excluded.cvss_severity, v.cvss_severity),
              kev = coalesce(v.kev, excluded.kev), affected = excluded.affected, updated_at = now()
            where v.affected is distinct from excluded.affected or v.description is distinct from coalesce(excluded.description, v.description)
              or v.cvss_score is distinct from coalesce(excluded.cvss_score, v.cvss_score) or (v.kev is null and excluded.kev is not null)
            returning v.cve_id`),
    );
    changed.push(...rows.map((r) => r.cve_id));
  }
  return changed;
}

/** Imports a KEV catalog or CVE records; what is new or changed is matched against every inventory at once. */
export async function importVulnerabilities(ctx: AppContext, actor: Actor, doc: unknown): Promise<ImportReport> {
  const editor = requireCatalogEditor(actor);
  const parsed = parseCatalogDocument(doc);
  const changed = await ctx.db.transaction(async (tx) => {
    const ids = await upsert(tx, parsed.records, parsed.kind);
    for (let i = 0; i < ids.length; i += MATCH_CHUNK) await enqueue(tx, 'vulns.match', { cveIds: ids.slice(i, i + MATCH_CHUNK), producerOrg: editor.orgId });
    await recordAudit(tx, actor, { action: 'vulns.imported', targetKind: 'vulnerability-catalog', targetId: parsed.kevVersion ?? parsed.kind, details: { kind: parsed.kind, received: parsed.records.length, changed: ids.length, refused: parsed.refused.length } });
    return ids.length;
  });
  ctx.jobs.kick();
  return { kevCatalogVersion: parsed.kevVersion, received: parsed.records.length, changed, unchanged: parsed.records.length - changed, refused: parsed.refused.slice(0, 100) };
}

interface VulnRow {
  cve_id: string;
  title: string | null;
  description: string | null;
  published: string | Date | null;
  cvss_score: number | null;
  cvss_severity: string | null;
  kev: KevEntry | string | null;
  affected: AffectedEntry[] | string;
  kev_affected: AffectedEntry[] | string;
}

const json = <T,>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function recordOf(r: VulnRow): VulnRecord {
  return {
    cveId: r.cve_id, title: r.title, description: r.description, published: r.published ? new Date(r.published).toISOString() : null,
    cvssScore: r.cvss_score === null ? null : Number(r.cvss_score), cvssSeverity: r.cvss_severity, kev: r.kev ? json(r.kev) : null,
    affected: [...json(r.affected), ...json(r.kev_affected)],
  };
}

interface AssetRow {
  id: string;
  org_id: string;
  name: string;
  vendor: string;
  product: string;
  version: string | null;
}

/** What a product match means to an office; null when it does not concern it. */
function matchOf(asset: AssetRow, record: VulnRecord, producerOrg: string): NewVictimMatch | null {
  const a = assess(asset, record);
  if (!a || a.status === 'unaffected') return null;
  // A known exploited vulnerability is worth telling even when the version cannot be checked; others only when affected.
  if (!record.kev && a.status !== 'affected') return null;
  const reason = record.kev ? (a.status === 'affected' ? 'known-exploited' : 'known-exploited-check-version') : 'vulnerable-version';
  return {
    orgId: asset.org_id, assetId: asset.id, source: 'vulnerability', stixId: record.cveId, producerOrg, indicatorValue: record.cveId, indicatorType: 'cve', reason,
    matched: `${asset.vendor} ${asset.product}${asset.version ? ` ${asset.version}` : ''}`,
  };
}

/** Inventories' products grouped by vendor, so a vulnerability looks only at its vendors' products. */
function byVendor(rows: readonly AssetRow[]): Map<string, AssetRow[]> {
  const map = new Map<string, AssetRow[]>();
  for (const r of rows) {
    const k = normaliseName(r.vendor);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return map;
}

/** Matches catalog entries against every inventory; records and announces new matches. Returns how many. */
export async function matchVulnerabilities(ctx: AppContext, cveIds: readonly string[], producerOrg: string): Promise<number> {
  if (!cveIds.length) return 0;
  const assets = rowsOf<AssetRow>(await ctx.db.execute(sql`select id, org_id, name, vendor, product, version from assets where vendor is not null and product is not null`));
  if (!assets.length) return 0;
  const vendors = byVendor(assets);
  const records = rowsOf<VulnRow>(await ctx.db.execute(sql`select * from vulnerabilities where cve_id = any(${`{${cveIds.join(',')}}`}::text[])`)).map(recordOf);
  const found: NewVictimMatch[] = [];
  const examined = new Set<string>();
  for (const record of records) {
    const names = new Set(record.affected.map((e) => e.vendor));
    for (const [vendorKey, list] of vendors) {
      if (![...names].some((n) => namesMatch(n, vendorKey))) continue;
      for (const asset of list) {
        examined.add(asset.id);
        const m = matchOf(asset, record, producerOrg);
        if (m) found.push(m);
      }
    }
  }
  return recordMatches(ctx, found, { clear: clearStale([...examined], records.map((r) => r.cveId), found) });
}

/**
 * Notices about these systems and CVEs that no longer apply — the record now shows the version is not
 * affected, or the system was updated or changed product — are marked resolved, with the reason.
 */
const NOT_AFFECTED = "The system's version (or product), as the inventory gives it now, is not affected.";

function clearStale(assetIds: readonly string[], cveIds: readonly string[], still: readonly NewVictimMatch[]) {
  return async (tx: Tx): Promise<void> => {
    if (!assetIds.length || !cveIds.length) return;
    await tx.execute(sql`update victim_matches m set resolved_at = now(), resolution = ${NOT_AFFECTED}
      where m.source = 'vulnerability' and m.resolved_at is null
        and m.asset_id = any(${`{${assetIds.join(',')}}`}::uuid[]) and m.stix_id = any(${`{${cveIds.join(',')}}`}::text[])
        and not exists (select 1 from unnest(${`{${still.map((f) => f.assetId).join(',')}}`}::uuid[], ${`{${still.map((f) => f.stixId).join(',')}}`}::text[]) as s(asset_id, cve_id)
          where s.asset_id = m.asset_id and s.cve_id = m.stix_id)`);
  };
}

/** Matches systems just added or changed against the whole catalog. */
export async function matchAssets(ctx: AppContext, where: { assetIds?: readonly string[]; orgId?: string }): Promise<number> {
  const assets = rowsOf<AssetRow>(
    await ctx.db.execute(sql`select id, org_id, name, vendor, product, version from assets where vendor is not null and product is not null
      and ${where.assetIds ? sql`id = any(${`{${where.assetIds.join(',')}}`}::uuid[])` : sql`org_id = ${where.orgId!}::uuid`}`),
  );
  if (!assets.length) return 0;
  // A first cut in SQL by the vendor's first word; the product and version are checked here.
  const words = [...new Set(assets.map((a) => a.vendor.toLowerCase().match(/[a-z0-9]{3,}/)?.[0]).filter((w): w is string => Boolean(w)))];
  if (!words.length) return 0;
  const records = rowsOf<VulnRow>(
    await ctx.db.execute(sql`select * from vulnerabilities where lower(affected::text || kev_affected::text) like any(${`{${words.map((w) => `%${w}%`).join(',')}}`}::text[])`),
  ).map(recordOf);
  const found: NewVictimMatch[] = [];
  for (const record of records) {
    for (const asset of assets) {
      const m = matchOf(asset, record, CATALOG);
      if (m) found.push(m);
    }
  }
  // Every open notice of these systems is re-examined: those the catalog no longer supports are resolved.
  const open = rowsOf<{ stix_id: string }>(await ctx.db.execute(sql`select distinct stix_id from victim_matches where source = 'vulnerability' and resolved_at is null and asset_id = any(${`{${assets.map((a) => a.id).join(',')}}`}::uuid[])`));
  return recordMatches(ctx, found, { clear: clearStale(assets.map((a) => a.id), [...new Set([...records.map((r) => r.cveId), ...open.map((o) => o.stix_id)])], found) });
}

/** The jobs: a catalog change, and an inventory change. */
export function vulnMatchHandler(ctx: AppContext) {
  return async (payload: unknown): Promise<void> => {
    const p = payload as { cveIds: string[]; producerOrg: string };
    await matchVulnerabilities(ctx, p.cveIds.filter((id) => CVE_ID.test(id)), p.producerOrg);
  };
}
export function assetVulnMatchHandler(ctx: AppContext) {
  return async (payload: unknown): Promise<void> => {
    await matchAssets(ctx, payload as { assetIds?: string[]; orgId?: string });
  };
}

/**
 * The vulnerability objects of a batch stored over TAXII: the catalog learns the CVEs they name (a CVE it does
 * not know yet gets an entry with the object's name and description), and those it knows the products of are
 * matched against every inventory.
 */
export function stixVulnerabilityHandler(ctx: AppContext) {
  return async (payload: unknown): Promise<void> => {
    const p = payload as { collectionId: string; fromSeq: number; toSeq: number };
    const named = await vulnerabilitiesOfBatch(ctx, p.collectionId, p.fromSeq, p.toSeq);
    if (!named.length) return;
    await ctx.db.execute(sql`insert into vulnerabilities (cve_id, title, description)
      select x.cve_id, x.name, x.description from jsonb_to_recordset(${JSON.stringify(named)}::jsonb) as x(cve_id text, name text, description text)
      on conflict (cve_id) do nothing`);
    const byProducer = new Map<string, string[]>();
    for (const n of named) byProducer.set(n.owner_org, [...(byProducer.get(n.owner_org) ?? []), n.cve_id]);
    for (const [producer, ids] of byProducer) await matchVulnerabilities(ctx, ids, producer);
  };
}

/** Queues the catalog check of systems just added or changed (in the transaction that changes them). */
export async function queueAssetCheck(tx: Tx, where: { assetIds?: readonly string[]; orgId?: string }): Promise<void> {
  await enqueue(tx, 'vulns.match-assets', where);
}

/** A catalog entry as lists show it: the products it affects by name, not their version ranges. */
export type VulnSummary = Omit<VulnRecord, 'affected'> & { readonly products: string[] };

function present(r: VulnRecord): VulnSummary {
  return { cveId: r.cveId, title: r.title, description: r.description, published: r.published, cvssScore: r.cvssScore, cvssSeverity: r.cvssSeverity, kev: r.kev, products: [...new Set(r.affected.map((e) => `${e.vendor} ${e.product}`))].slice(0, 20) };
}

/** The catalog, newest first; every member may read it (it is public reference data). */
export async function listVulnerabilities(ctx: AppContext, actor: Actor, q: { q?: string; kev?: boolean; limit: number; offset: number }): Promise<{ items: VulnSummary[]; total: number }> {
  requireUser(actor);
  const text = q.q?.trim();
  const where = sql`${q.kev ? sql`kev is not null` : sql`true`} and ${text ? sql`(cve_id ilike ${`%${text}%`} or title ilike ${`%${text}%`} or (affected::text || kev_affected::text) ilike ${`%${text}%`})` : sql`true`}`;
  const rows = rowsOf<VulnRow & { total: number }>(
    await ctx.db.execute(sql`select *, count(*) over ()::int as total from vulnerabilities where ${where}
      order by coalesce((kev ->> 'dateAdded')::date, published::date) desc nulls last, cve_id desc limit ${q.limit} offset ${q.offset}`),
  );
  return { items: rows.map((r) => present(recordOf(r))), total: rows[0]?.total ?? 0 };
}

/** One CVE with the products and versions it affects, and how many of the viewer's systems it touches. */
export async function getVulnerability(ctx: AppContext, actor: Actor, cveId: string) {
  const user = requireUser(actor);
  const [row] = rowsOf<VulnRow>(await ctx.db.execute(sql`select * from vulnerabilities where cve_id = ${cveId.toUpperCase()}`));
  if (!row) throw notFound('The vulnerability');
  const record = recordOf(row);
  const mine = rowsOf<{ asset_id: string; name: string; reason: string }>(
    await ctx.db.execute(sql`select m.asset_id, a.name, m.reason from victim_matches m join assets a on a.id = m.asset_id where m.stix_id = ${record.cveId} and m.org_id = ${user.orgId}::uuid and m.resolved_at is null`),
  );
  return { ...present(record), affected: record.affected, yourSystems: mine.map((m) => ({ id: m.asset_id, name: m.name, reason: m.reason })) };
}

/**
 * CVEs as one organisation sees them next to an advisory or an object: what the catalog knows, and which of
 * the organisation's own systems each touches (its own inventory only).
 */
export async function cvesForOrg(ctx: AppContext, orgId: string, cveIds: readonly string[]) {
  if (!cveIds.length) return [];
  const rows = rowsOf<{ cve_id: string; title: string | null; kev: KevEntry | string | null; cvss_severity: string | null; systems: Array<{ id: string; name: string; reason: string }> | string | null }>(
    await ctx.db.execute(sql`select c.id as cve_id, v.title, v.kev, v.cvss_severity,
        (select coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'reason', m.reason) order by a.name), '[]'::json)
          from victim_matches m join assets a on a.id = m.asset_id where m.stix_id = c.id and m.org_id = ${orgId}::uuid and m.resolved_at is null) as systems
      from unnest(${`{${cveIds.join(',')}}`}::text[]) with ordinality as c(id, n) left join vulnerabilities v on v.cve_id = c.id order by c.n`),
  );
  return rows.map((r) => ({ cveId: r.cve_id, title: r.title, knownExploited: Boolean(r.kev), severity: r.cvss_severity, yourSystems: r.systems ? json(r.systems) : [] }));
}

/** Catalog records that name a vendor (the scanner asks this of every product version it detects). */
export async function recordsForVendor(ctx: AppContext, vendor: string): Promise<VulnRecord[]> {
  const word = vendor.toLowerCase().match(/[a-z0-9]{3,}/)?.[0];
  if (!word) return [];
  const rows = rowsOf<VulnRow>(await ctx.db.execute(sql`select * from vulnerabilities where lower(affected::text || kev_affected::text) like ${`%${word}%`}`));
  return rows.map(recordOf).filter((r) => r.affected.some((e) => namesMatch(e.vendor, vendor)));
}
