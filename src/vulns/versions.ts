// Product versions as vendors write them, and whether one lies in an "affected" range of a CVE record.
// Records (CVE JSON 5) give ranges as {version, lessThan | lessThanOrEqual, changes}, or as free text in the
// version field ("6.0.0 to 6.0.4", ">= 8.0.0", "9.18.0 and below", "FortiOS 7.2.1, 7.2.0; FortiProxy 7.0.6",
// "2.1 All", "n/a"). Versions compare by their numeric and alphabetic runs: 10.2.9-h1 comes after 10.2.9
// (a hotfix), 1.0.0-rc1 before 1.0.0 (a pre-release), 9.1R18 after 9.1R2.

type Token = number | string;

const PRERELEASE = new Set(['alpha', 'a', 'beta', 'b', 'rc', 'pre', 'preview', 'dev', 'snapshot', 'm']);

function tokens(version: string): Token[] {
  const out: Token[] = [];
  for (const m of version.toLowerCase().matchAll(/\d+|[a-z]+/g)) out.push(/^\d/.test(m[0]) ? Number(m[0]) : m[0]);
  return out;
}

/** Orders two versions: negative when a comes first. */
export function compareVersions(a: string, b: string): number {
  const x = tokens(a);
  const y = tokens(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i += 1) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    // One ran out: a pre-release tag after it sorts before it, anything else after it.
    if (p === undefined) return typeof q === 'string' && PRERELEASE.has(q) ? 1 : -1;
    if (q === undefined) return typeof p === 'string' && PRERELEASE.has(p) ? -1 : 1;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    if (typeof p === 'number') return typeof q === 'string' && PRERELEASE.has(q) ? 1 : -1;
    if (typeof q === 'number') return PRERELEASE.has(p) ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Whether a text names a version at all (it has a digit). */
export const looksLikeVersion = (v: string | null | undefined): v is string => typeof v === 'string' && /\d/.test(v);

/** Words that mean "from the first version" or "no bound". */
const UNBOUNDED = /^\s*(?:0|\*|-|unspecified|all|any|n\/a|na|)\s*$/i;

export type VersionStatus = 'affected' | 'unaffected' | 'unknown';

export interface VersionItem {
  readonly version?: string;
  readonly lessThan?: string;
  readonly lessThanOrEqual?: string;
  readonly status?: string;
  /** "semver", "custom", "patch" (a bound that is a build number of the line it starts)… */
  readonly versionType?: string;
  readonly changes?: ReadonlyArray<{ readonly at?: string; readonly status?: string }>;
}

/** The last version-looking word of a messy bound ("9.1 < 9.1.14-h4" → "9.1.14-h4"). */
function lastVersion(text: string): string | null {
  const all = text.match(/[0-9][0-9A-Za-z.\-_]*/g);
  return all ? all[all.length - 1]!.replace(/[.\-_]+$/, '') : null;
}

/**
 * Whether `version` lies in one free-text range. Returns null when the text says nothing usable about
 * versions (n/a, unspecified), true or false otherwise.
 */
function inFreeText(version: string, text: string): boolean | null {
  const t = text.trim();
  if (/^(?:n\/a|na|unspecified|unknown|)$/i.test(t)) return null;
  if (/^(?:all|\*|any|all versions)$/i.test(t)) return true;
  let m = /^(>=|<=|>|<|=)\s*(\S.*)$/.exec(t);
  if (m) {
    const bound = lastVersion(m[2]!);
    if (!bound) return null;
    const c = compareVersions(version, bound);
    return m[1] === '>=' ? c >= 0 : m[1] === '>' ? c > 0 : m[1] === '<=' ? c <= 0 : m[1] === '<' ? c < 0 : c === 0;
  }
  m = /^(\S+)\s+(?:and\s+(?:below|earlier|prior|before|lower|older))$/i.exec(t) ?? /^(?:up to|through)\s+(\S+)$/i.exec(t);
  if (m && looksLikeVersion(m[1])) return compareVersions(version, m[1]) <= 0;
  m = /^(?:before|prior to|earlier than|below|lower than)\s+(\S+)$/i.exec(t);
  if (m && looksLikeVersion(m[1])) return compareVersions(version, m[1]) < 0;
  m = /^(\S+)\s+(?:and\s+(?:above|later|after|higher|newer))$/i.exec(t);
  if (m && looksLikeVersion(m[1])) return compareVersions(version, m[1]) >= 0;
  m = /^(\S+)\s*(?:to|through|thru|-|–)\s*(\S+)$/i.exec(t);
  if (m && looksLikeVersion(m[1]) && looksLikeVersion(m[2])) return compareVersions(version, m[1]) >= 0 && compareVersions(version, m[2]) <= 0;
  // "2.1 All", "7.x", "7.0.*": the whole line.
  m = /^(\d[\w.]*?)(?:\.x|\.\*|\s+all)$/i.exec(t);
  if (m) {
    const line = tokens(m[1]!);
    const v = tokens(version);
    return line.every((p, i) => v[i] === p);
  }
  if (looksLikeVersion(t) && !/\s/.test(t)) return compareVersions(version, t) === 0;
  return null;
}

/**
 * Splits a free-text list into its ranges, each with the product it names if any: "FortiOS 6.0.0 to 6.0.4,
 * 5.6.3 to 5.6.7, FortiProxy 2.0.0" gives FortiOS's two ranges and FortiProxy's one.
 */
export function freeTextRanges(text: string): Array<{ product: string | null; range: string }> {
  const out: Array<{ product: string | null; range: string }> = [];
  let product: string | null = null;
  for (const raw of text.split(/[,;]|\band\b(?!\s+(?:below|earlier|above|later|prior|before|lower|higher|older|newer))/i)) {
    let part = raw.trim();
    if (!part) continue;
    // A product name in front of the versions ("FortiOS 6.0.0 to 6.0.4").
    const named = /^([A-Za-z][A-Za-z0-9\-_ ]*?)\s+((?:[<>]=?|=)?\s*\d.*)$/.exec(part);
    if (named && !/^(?:before|prior to|up to|through|below|earlier than|lower than|version|versions|v)$/i.test(named[1]!.trim())) {
      product = named[1]!.trim();
      part = named[2]!.trim();
    } else {
      part = part.replace(/^(?:version|versions|v)\s*/i, '');
    }
    out.push({ product, range: part });
  }
  return out;
}

/**
 * What one version item of a CVE record says of `version`: its status when the version is inside the item's
 * range, 'outside' when not, null when the item says nothing usable about versions ("n/a").
 */
export function itemStatus(version: string, item: VersionItem, productName?: (name: string) => boolean): VersionStatus | 'outside' | null {
  const status: VersionStatus = item.status === 'unaffected' ? 'unaffected' : item.status === 'affected' ? 'affected' : 'unknown';
  const start = item.version ?? '';
  let inside: boolean | null;
  if (item.lessThan !== undefined || item.lessThanOrEqual !== undefined) {
    const endText = (item.lessThan ?? item.lessThanOrEqual)!;
    const from = UNBOUNDED.test(start) || !looksLikeVersion(start) || /\band\s+(?:below|earlier|prior|lower|older)\b/i.test(start) ? null : lastVersion(start);
    let end = UNBOUNDED.test(endText) || !looksLikeVersion(endText) ? null : lastVersion(endText);
    // A bound written as a build of the line it starts ("14.1" up to patch "51.15" means 14.1-51.15).
    if (from && end && (compareVersions(end, from) < 0 || (item.versionType === 'patch' && tokens(end)[0] !== tokens(from)[0]))) end = `${from}-${end}`;
    if (from === null && end === null && !UNBOUNDED.test(start)) return null;
    inside = (from === null || compareVersions(version, from) >= 0) && (end === null || (item.lessThan !== undefined ? compareVersions(version, end) < 0 : compareVersions(version, end) <= 0));
  } else {
    const ranges = freeTextRanges(start);
    const relevant = ranges.filter((r) => r.product === null || !productName || productName(r.product));
    const answers = relevant.map((r) => inFreeText(version, r.range));
    if (answers.every((a) => a === null)) return null;
    inside = answers.some((a) => a === true);
  }
  if (!inside) return 'outside';
  let result = status;
  for (const c of item.changes ?? []) {
    if (c.at && compareVersions(version, c.at) >= 0) result = c.status === 'unaffected' ? 'unaffected' : c.status === 'affected' ? 'affected' : result;
  }
  return result;
}
