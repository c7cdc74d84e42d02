// The vulnerability catalog: CVE records (CVE JSON 5, as CVE.org and CISA's vulnrichment publish them) and
// CISA's Known Exploited Vulnerabilities catalog, read into one shape, and the question every office needs
// answered: does this product and version of ours have it?
import { itemStatus, looksLikeVersion, type VersionItem, type VersionStatus } from './versions.js';

export interface AffectedEntry {
  readonly vendor: string;
  readonly product: string;
  readonly defaultStatus?: string;
  readonly versions: readonly VersionItem[];
  /** Where it comes from: the CVE record's CNA, an ADP (CISA's enrichment), or the KEV catalog. */
  readonly source: 'cna' | 'adp' | 'kev';
}

export interface KevEntry {
  readonly dateAdded: string | null;
  readonly dueDate: string | null;
  readonly requiredAction: string | null;
  readonly ransomware: string | null;
  readonly name: string | null;
  readonly notes: string | null;
}

export interface VulnRecord {
  readonly cveId: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly published: string | null;
  readonly cvssScore: number | null;
  readonly cvssSeverity: string | null;
  readonly kev: KevEntry | null;
  readonly affected: readonly AffectedEntry[];
}

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** Vendor and product names compared as letters and digits, without company suffixes. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\b(?:inc|incorporated|corp|corporation|co|company|llc|ltd|limited|gmbh|plc)\b\.?/g, '').replace(/[^a-z0-9]/g, '');
}

/** One name is the other, or contains it (at four letters or more): "Palo Alto" and "Palo Alto Networks". */
export function namesMatch(a: string, b: string): boolean {
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (!x || !y || x === 'na' || y === 'na') return false;
  if (x === y) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= 4 && long.includes(short);
}

function entriesOf(affected: unknown, source: 'cna' | 'adp'): AffectedEntry[] {
  return arr(affected).map((raw) => {
    const a = obj(raw);
    let vendor = str(a.vendor) ?? '';
    let product = str(a.product) ?? '';
    // Some enrichments name the product only in a CPE (cpe:2.3:a:vendor:product:…).
    const cpe = arr(a.cpes).map(String).find((c) => c.startsWith('cpe:2.3:'));
    if (cpe && (!vendor || !product || vendor === 'n/a')) {
      const parts = cpe.split(':');
      vendor = vendor && vendor !== 'n/a' ? vendor : (parts[3] ?? '');
      product = product && product !== 'n/a' ? product : (parts[4] ?? '');
    }
    const versions = arr(a.versions).map((v) => {
      const o = obj(v);
      return {
        version: str(o.version) ?? undefined,
        lessThan: str(o.lessThan) ?? undefined,
        lessThanOrEqual: str(o.lessThanOrEqual) ?? undefined,
        status: str(o.status) ?? undefined,
        versionType: str(o.versionType) ?? undefined,
        changes: arr(o.changes).map((c) => ({ at: str(obj(c).at) ?? undefined, status: str(obj(c).status) ?? undefined })),
      };
    });
    return { vendor: vendor.replace(/_/g, ' '), product: product.replace(/_/g, ' '), defaultStatus: str(a.defaultStatus) ?? undefined, versions, source };
  }).filter((e) => e.vendor && e.product);
}

/** A CVE JSON 5 record to the catalog's shape; throws on anything that is not one. */
export function parseCveRecord(doc: unknown): VulnRecord {
  const d = obj(doc);
  const meta = obj(d.cveMetadata);
  const cveId = str(meta.cveId);
  if (d.dataType !== 'CVE_RECORD' || !cveId || !CVE_ID.test(cveId)) throw new Error('not a CVE record (CVE JSON 5: dataType "CVE_RECORD" with cveMetadata.cveId)');
  const containers = obj(d.containers);
  const cna = obj(containers.cna);
  const adps = arr(containers.adp).map(obj);
  const description = arr(cna.descriptions).map(obj).find((x) => String(x.lang ?? '').startsWith('en'))?.value;
  let cvssScore: number | null = null;
  let cvssSeverity: string | null = null;
  let kevAdded: string | null = null;
  for (const m of [...arr(cna.metrics), ...adps.flatMap((a) => arr(a.metrics))].map(obj)) {
    const cvss = obj(m.cvssV4_0 ?? m.cvssV3_1 ?? m.cvssV3_0);
    if (typeof cvss.baseScore === 'number' && (cvssScore === null || cvss.baseScore > cvssScore)) {
      cvssScore = cvss.baseScore;
      cvssSeverity = str(cvss.baseSeverity)?.toLowerCase() ?? null;
    }
    const other = obj(m.other);
    if (other.type === 'kev') kevAdded = str(obj(other.content).dateAdded) ?? kevAdded ?? '';
  }
  return {
    cveId,
    title: str(cna.title),
    description: str(description),
    published: str(meta.datePublished),
    cvssScore,
    cvssSeverity,
    kev: kevAdded !== null ? { dateAdded: kevAdded || null, dueDate: null, requiredAction: null, ransomware: null, name: null, notes: null } : null,
    affected: [...entriesOf(cna.affected, 'cna'), ...adps.flatMap((a) => entriesOf(a.affected, 'adp'))],
  };
}

/** CISA's KEV catalog (known_exploited_vulnerabilities.json) to catalog records. */
export function parseKevCatalog(doc: unknown): { version: string | null; records: VulnRecord[]; refused: Array<{ index: number; reason: string }> } {
  const d = obj(doc);
  if (!Array.isArray(d.vulnerabilities)) throw new Error('not a KEV catalog (an object with "vulnerabilities")');
  const records: VulnRecord[] = [];
  const refused: Array<{ index: number; reason: string }> = [];
  d.vulnerabilities.forEach((raw, index) => {
    const v = obj(raw);
    const cveId = str(v.cveID);
    if (!cveId || !CVE_ID.test(cveId)) {
      refused.push({ index, reason: `cveID "${String(v.cveID ?? '')}" is not a CVE id` });
      return;
    }
    records.push({
      cveId,
      title: str(v.vulnerabilityName),
      description: str(v.shortDescription),
      published: null,
      cvssScore: null,
      cvssSeverity: null,
      kev: { dateAdded: str(v.dateAdded), dueDate: str(v.dueDate), requiredAction: str(v.requiredAction), ransomware: str(v.knownRansomwareCampaignUse), name: str(v.vulnerabilityName), notes: str(v.notes) },
      affected: str(v.vendorProject) && str(v.product) ? [{ vendor: str(v.vendorProject)!, product: str(v.product)!, versions: [], source: 'kev' as const }] : [],
    });
  });
  return { version: str(d.catalogVersion), records, refused };
}

export interface AssetProduct {
  readonly vendor: string | null;
  readonly product: string | null;
  readonly version: string | null;
}

export interface Assessment {
  readonly status: VersionStatus;
  /** The catalog's words for the product that matched ("Palo Alto Networks PAN-OS"). */
  readonly product: string;
}

/**
 * Whether an asset's product has the vulnerability: affected (its version is in an affected range), unknown
 * (the product is named but the version cannot be checked), unaffected, or null when the product is not named.
 */
export function assess(asset: AssetProduct, record: VulnRecord): Assessment | null {
  if (!asset.vendor || !asset.product) return null;
  const entries = record.affected.filter((e) => namesMatch(e.vendor, asset.vendor!) && namesMatch(e.product, asset.product!));
  if (!entries.length) return null;
  const product = `${entries[0]!.vendor} ${entries[0]!.product}`;
  const version = looksLikeVersion(asset.version) ? asset.version.trim() : null;
  if (!version) return { status: 'unknown', product };
  const statuses = entries.map((e): VersionStatus => {
    if (e.source === 'kev' || e.versions.length === 0) return e.defaultStatus === 'affected' ? 'affected' : 'unknown';
    const answers = e.versions.map((item) => itemStatus(version, item, (name) => namesMatch(name, asset.product!)));
    if (answers.includes('affected')) return 'affected';
    if (answers.includes('unaffected')) return 'unaffected';
    if (answers.every((a) => a === null || a === 'unknown')) return 'unknown';
    // Outside every listed range: the record's default, and "not affected" when it lists affected ranges.
    return e.defaultStatus === 'affected' ? 'affected' : e.defaultStatus === 'unknown' && !e.versions.some((x) => x.status === 'affected') ? 'unknown' : 'unaffected';
  });
  // Ranges from the record's author and from its enrichment may differ: any "affected" wins; then "unknown".
  const checked = entries.filter((e, i) => e.source !== 'kev' || statuses[i] !== 'unknown');
  const final = statuses.filter((_, i) => checked.includes(entries[i]!));
  const status: VersionStatus = statuses.includes('affected') ? 'affected' : final.length && final.every((s) => s === 'unaffected') ? 'unaffected' : 'unknown';
  return { status, product };
}

/** Records of the same CVE from several sources (its CVE record, the KEV catalog) merged into one. */
export function mergeRecords(records: readonly VulnRecord[]): VulnRecord[] {
  const byId = new Map<string, VulnRecord>();
  for (const r of records) {
    const prev = byId.get(r.cveId);
    byId.set(
      r.cveId,
      prev
        ? {
            ...prev,
            title: prev.title ?? r.title,
            description: prev.description ?? r.description,
            published: prev.published ?? r.published,
            cvssScore: prev.cvssScore ?? r.cvssScore,
            cvssSeverity: prev.cvssSeverity ?? r.cvssSeverity,
            kev: prev.kev ?? r.kev,
            affected: [...prev.affected, ...r.affected],
          }
        : r,
    );
  }
  return [...byId.values()];
}

/** The records that name a vendor, from an in-memory catalog. */
export function recordsNamingVendor(records: readonly VulnRecord[], vendor: string): VulnRecord[] {
  return records.filter((r) => r.affected.some((e) => namesMatch(e.vendor, vendor)));
}
