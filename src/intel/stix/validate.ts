// Validation of STIX 2.1 objects, written from the specification (OASIS STIX 2.1, sections 3–7) so that it
// runs on any installation; the OASIS JSON schemas are applied on top when the operator points
// EOC_STIX_SCHEMA_DIR at them (stix/oasis-schemas.ts), and the tests check that the two agree. Errors name
// the property by JSON pointer and say what to change, so an analyst can fix a bundle by hand.
import { parsePattern } from '../pattern/parse.js';

export interface StixError {
  readonly path: string;
  readonly message: string;
}

export type StixObject = Readonly<Record<string, unknown>> & { readonly type: string; readonly id: string };

export type Validation = { readonly ok: true; readonly object: StixObject } | { readonly ok: false; readonly errors: readonly StixError[] };

export const SDO_TYPES = [
  'attack-pattern', 'campaign', 'course-of-action', 'grouping', 'identity', 'incident', 'indicator', 'infrastructure', 'intrusion-set',
  'location', 'malware', 'malware-analysis', 'note', 'observed-data', 'opinion', 'report', 'threat-actor', 'tool', 'vulnerability',
] as const;
export const SRO_TYPES = ['relationship', 'sighting'] as const;
export const SCO_TYPES = [
  'artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr', 'mac-addr',
  'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate',
] as const;
export const META_TYPES = ['marking-definition', 'language-content', 'extension-definition'] as const;

const SDO = new Set<string>(SDO_TYPES);
const SRO = new Set<string>(SRO_TYPES);
const SCO = new Set<string>(SCO_TYPES);
const META = new Set<string>(META_TYPES);

export type StixKind = 'sdo' | 'sro' | 'sco' | 'meta' | 'custom';

export function kindOfType(type: string): StixKind | null {
  if (SDO.has(type)) return 'sdo';
  if (SRO.has(type)) return 'sro';
  if (SCO.has(type)) return 'sco';
  if (META.has(type)) return 'meta';
  if (type.startsWith('x-')) return 'custom';
  return null;
}

const TYPE_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// RFC 3339 in UTC with an optional fraction of a second, as STIX 2.1 section 3.2 requires.
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** How many answers each set of recent answers below keeps before it starts again. */
const REMEMBERED = 10_000;

function remember(set: Set<string>, value: string): void {
  if (set.size >= REMEMBERED) set.clear();
  set.add(value);
}

/** Timestamps recently found valid: feeds repeat the same few thousands of times. */
const validTimestamps = new Set<string>();
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isStixTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (validTimestamps.has(value)) return true;
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return false;
  remember(validTimestamps, value);
  return true;
}

/**
 * Identifiers recently found valid: a bundle names the same few again and again (its author, its markings, the
 * techniques its relationships point to).
 */
const validIdentifiers = new Set<string>();

export function isIdentifier(value: unknown, ofTypes?: readonly string[]): value is string {
  if (typeof value !== 'string') return false;
  const at = value.indexOf('--');
  if (at < 1) return false;
  const type = value.slice(0, at);
  if (!validIdentifiers.has(value)) {
    if (!TYPE_RE.test(type) || !UUID_RE.test(value.slice(at + 2))) return false;
    remember(validIdentifiers, value);
  }
  return !ofTypes || ofTypes.includes(type);
}

/** Compares two STIX timestamps exactly (fractions of any length), as strings of the same shape compare. */
export function compareTimestamps(a: string, b: string): number {
  const norm = (t: string) => {
    const dot = t.indexOf('.');
    const base = dot < 0 ? t.slice(0, -1) : t.slice(0, dot);
    const frac = dot < 0 ? '' : t.slice(dot + 1, -1);
    return `${base}.${frac.padEnd(12, '0')}`;
  };
  const x = norm(a);
  const y = norm(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  'attack-pattern': ['name'], campaign: ['name'], 'course-of-action': ['name'], grouping: ['context', 'object_refs'], identity: ['name'],
  incident: ['name'], indicator: ['pattern', 'pattern_type', 'valid_from'], infrastructure: ['name'], 'intrusion-set': ['name'],
  malware: ['is_family'], 'malware-analysis': ['product'], note: ['content', 'object_refs'], 'observed-data': ['first_observed', 'last_observed', 'number_observed'],
  opinion: ['opinion', 'object_refs'], report: ['name', 'published', 'object_refs'], 'threat-actor': ['name'], tool: ['name'], vulnerability: ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'], sighting: ['sighting_of_ref'],
  'language-content': ['object_ref', 'contents'], 'extension-definition': ['name', 'schema', 'version', 'extension_types', 'created_by_ref'],
  'autonomous-system': ['number'], directory: ['path'], 'domain-name': ['value'], 'email-addr': ['value'], 'email-message': ['is_multipart'],
  'ipv4-addr': ['value'], 'ipv6-addr': ['value'], 'mac-addr': ['value'], mutex: ['name'], 'network-traffic': ['protocols'], software: ['name'], url: ['value'],
};

const OPINIONS = ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'];
const MAX_STRING = 1_000_000;
const MAX_DEPTH = 32;

class Checker {
  readonly errors: StixError[] = [];
  constructor(readonly o: Record<string, unknown>) {}
  fail(path: string, message: string): void {
    if (this.errors.length < 50) this.errors.push({ path, message });
  }
  has(p: string): boolean {
    return this.o[p] !== undefined;
  }
  timestamp(p: string): void {
    if (this.has(p) && !isStixTimestamp(this.o[p])) this.fail(`/${p}`, `${p} must be a UTC timestamp like 2026-11-03T14:05:00.000Z`);
  }
  string(p: string): void {
    if (this.has(p) && typeof this.o[p] !== 'string') this.fail(`/${p}`, `${p} must be a string`);
  }
  bool(p: string): void {
    if (this.has(p) && typeof this.o[p] !== 'boolean') this.fail(`/${p}`, `${p} must be true or false`);
  }
  int(p: string, min: number, max: number): void {
    const v = this.o[p];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) this.fail(`/${p}`, `${p} must be a whole number from ${min} to ${max}`);
  }
  stringList(p: string): void {
    const v = this.o[p];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string')) this.fail(`/${p}`, `${p} must be a non-empty list of strings`);
  }
  ref(p: string, types?: readonly string[]): void {
    const v = this.o[p];
    if (v !== undefined && !isIdentifier(v, types)) this.fail(`/${p}`, `${p} must be a STIX identifier${types ? ` of type ${types.join(' or ')}` : ''} (type--uuid)`);
  }
  refList(p: string, types?: readonly string[]): void {
    const v = this.o[p];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length === 0) return this.fail(`/${p}`, `${p} must be a non-empty list of STIX identifiers`);
    v.forEach((r, i) => {
      if (!isIdentifier(r, types)) this.fail(`/${p}/${i}`, `must be a STIX identifier${types ? ` of type ${types.join(' or ')}` : ''} (type--uuid)`);
    });
  }
  notBefore(later: string, earlier: string): void {
    const a = this.o[later];
    const b = this.o[earlier];
    if (isStixTimestamp(a) && isStixTimestamp(b) && compareTimestamps(a, b) < 0) this.fail(`/${later}`, `${later} must not be earlier than ${earlier}`);
  }
  after(later: string, earlier: string): void {
    const a = this.o[later];
    const b = this.o[earlier];
    if (isStixTimestamp(a) && isStixTimestamp(b) && compareTimestamps(a, b) <= 0) this.fail(`/${later}`, `${later} must be later than ${earlier}`);
  }
}

/** JSON may escape half of a character (\ud800) with no other half; such text cannot be stored or shown. */
const LONE_SURROGATE = 'it has an escaped half of a character (\\ud800 to \\udfff) without its other half';

/**
 * Strings must be storable and bounded: no NUL characters and no lone surrogates (PostgreSQL refuses both),
 * nothing absurdly long.
 * The path is kept as a stack of keys and written out only for an error (this runs on every value of every
 * object of a bundle).
 */
function checkValues(value: unknown, keys: Array<string | number>, c: Checker): void {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) c.fail(pointer(keys), `text longer than ${MAX_STRING} characters`);
    else if (value.includes('\u0000')) c.fail(pointer(keys), 'text must not contain the NUL character (\\u0000)');
    else if (!value.isWellFormed()) c.fail(pointer(keys), `text must be valid Unicode: ${LONE_SURROGATE}`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (keys.length > MAX_DEPTH) return c.fail(pointer(keys), `nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      keys.push(i);
      checkValues(value[i], keys, c);
      keys.pop();
    }
    return;
  }
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (k.includes('\u0000')) c.fail(pointer(keys), 'property names must not contain the NUL character');
    else if (!k.isWellFormed()) c.fail(pointer(keys), `property names must be valid Unicode: ${LONE_SURROGATE}`);
    keys.push(k);
    checkValues((value as Record<string, unknown>)[k], keys, c);
    keys.pop();
  }
}

const pointer = (keys: ReadonlyArray<string | number>): string => (keys.length ? keys.map((k) => `/${String(k).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('') : '/');

/** Property names recently found valid: objects of a bundle use the same few dozen. */
const validNames = new Set<string>();

function isPropertyName(p: string): boolean {
  if (validNames.has(p)) return true;
  if (!/^[a-z0-9_]{3,250}$/.test(p)) return false;
  remember(validNames, p);
  return true;
}

export function validateStix(input: unknown): Validation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: [{ path: '', message: 'a STIX object must be a JSON object' }] };
  const o = input as Record<string, unknown>;
  const c = new Checker(o);
  checkValues(o, [], c);
  const type = o.type;
  if (typeof type !== 'string' || type.length < 3 || type.length > 250 || !TYPE_RE.test(type)) {
    c.fail('/type', 'type must be a STIX type name such as "indicator" (lower case letters, digits and hyphens)');
    return { ok: false, errors: c.errors };
  }
  const hasNewObjectExtension = Object.values((o.extensions as Record<string, unknown> | undefined) ?? {}).some(
    (e) => e !== null && typeof e === 'object' && ['new-sdo', 'new-sro', 'new-sco'].includes((e as { extension_type?: string }).extension_type ?? ''),
  );
  const kind = kindOfType(type) ?? (hasNewObjectExtension ? 'custom' : null);
  if (kind === null) c.fail('/type', `"${type}" is not a STIX 2.1 type; custom objects need a new-sdo, new-sro or new-sco extension, or a type starting with "x-"`);
  if (!isIdentifier(o.id)) c.fail('/id', 'id must be the type, two hyphens and a UUID (indicator--0b8…)');
  else if (o.id.slice(0, o.id.indexOf('--')) !== type) c.fail('/id', `id must start with "${type}--"`);
  const isSco = kind === 'sco';
  if (o.spec_version === undefined) {
    if (!isSco) c.fail('/spec_version', 'spec_version is required and must be "2.1" (STIX 2.0 objects are not accepted)');
  } else if (o.spec_version !== '2.1') c.fail('/spec_version', 'spec_version must be "2.1"');
  if (!isSco) {
    if (o.created === undefined) c.fail('/created', 'created is required');
    if (o.modified === undefined && type !== 'marking-definition') c.fail('/modified', 'modified is required');
  }
  for (const p of ['created', 'modified']) {
    c.timestamp(p);
    // Section 3.2: created and modified are precise to the millisecond (at least three decimals).
    if (isStixTimestamp(o[p]) && !/\.\d{3,}Z$/.test(o[p])) c.fail(`/${p}`, `${p} must be precise to the millisecond, like 2026-11-03T14:05:00.000Z`);
  }
  c.notBefore('modified', 'created');
  c.ref('created_by_ref', ['identity']);
  c.bool('revoked');
  c.bool('defanged');
  c.stringList('labels');
  c.int('confidence', 0, 100);
  c.string('lang');
  c.refList('object_marking_refs', ['marking-definition']);
  if (o.external_references !== undefined) {
    if (!Array.isArray(o.external_references)) c.fail('/external_references', 'external_references must be a list');
    else
      o.external_references.forEach((r, i) => {
        if (r === null || typeof r !== 'object' || typeof (r as { source_name?: unknown }).source_name !== 'string') c.fail(`/external_references/${i}`, 'each external reference needs a source_name');
      });
  }
  if (o.granular_markings !== undefined) {
    if (!Array.isArray(o.granular_markings)) c.fail('/granular_markings', 'granular_markings must be a list');
    else
      o.granular_markings.forEach((g, i) => {
        const gm = g as { selectors?: unknown; marking_ref?: unknown; lang?: unknown } | null;
        if (!gm || typeof gm !== 'object' || !Array.isArray(gm.selectors) || gm.selectors.length === 0) c.fail(`/granular_markings/${i}/selectors`, 'selectors must be a non-empty list');
        else if ((gm.marking_ref === undefined) === (gm.lang === undefined)) c.fail(`/granular_markings/${i}`, 'a granular marking has either marking_ref or lang');
        else if (gm.marking_ref !== undefined && !isIdentifier(gm.marking_ref, ['marking-definition'])) c.fail(`/granular_markings/${i}/marking_ref`, 'must be a marking-definition identifier');
      });
  }
  if (o.extensions !== undefined && (o.extensions === null || typeof o.extensions !== 'object' || Array.isArray(o.extensions))) c.fail('/extensions', 'extensions must be an object');
  for (const p of REQUIRED[type] ?? []) if (o[p] === undefined) c.fail(`/${p}`, `${p} is required for ${type}`);
  for (const [p, v] of Object.entries(o)) {
    // Section 3.1: names of properties are 3–250 of a–z, 0–9 and underscore; `id` is the specification's own.
    if (p !== 'id' && !isPropertyName(p)) c.fail(`/${p.slice(0, 60)}`, `property names are 3 to 250 lower case letters, digits or underscores ("${p.slice(0, 40)}")`);
    // Custom properties (x_…) follow their own producer's rules (ATT&CK leaves some x_mitre_…_ref empty).
    if (p.startsWith('x_')) continue;
    if (p.endsWith('_ref') && p !== 'object_ref' && v !== undefined && !isIdentifier(v)) c.fail(`/${p}`, `${p} must be a STIX identifier`);
    if (p.endsWith('_refs') && v !== undefined && (!Array.isArray(v) || v.some((r) => !isIdentifier(r)))) c.fail(`/${p}`, `${p} must be a list of STIX identifiers`);
  }
  typeRules(type, o, c);
  return c.errors.length ? { ok: false, errors: c.errors } : { ok: true, object: o as StixObject };
}

function typeRules(type: string, o: Record<string, unknown>, c: Checker): void {
  switch (type) {
    case 'indicator': {
      c.timestamp('valid_from');
      c.timestamp('valid_until');
      c.after('valid_until', 'valid_from');
      c.string('pattern');
      c.string('pattern_type');
      if (o.pattern_type === 'stix' && typeof o.pattern === 'string') {
        const parsed = parsePattern(o.pattern);
        if (!parsed.ok) c.fail('/pattern', `the STIX pattern does not parse: ${parsed.error.message} (at character ${parsed.error.offset + 1})`);
      }
      break;
    }
    case 'malware':
      c.bool('is_family');
      if (o.is_family === true && o.name === undefined) c.fail('/name', 'name is required when is_family is true');
      c.timestamp('first_seen');
      c.timestamp('last_seen');
      c.notBefore('last_seen', 'first_seen');
      break;
    case 'malware-analysis':
      if (o.result === undefined && o.analysis_sco_refs === undefined) c.fail('/result', 'malware-analysis needs result or analysis_sco_refs');
      break;
    case 'observed-data':
      c.timestamp('first_observed');
      c.timestamp('last_observed');
      c.notBefore('last_observed', 'first_observed');
      c.int('number_observed', 1, 999_999_999);
      if ((o.objects === undefined) === (o.object_refs === undefined)) c.fail('/object_refs', 'observed-data has either object_refs or (deprecated) objects, not both and not neither');
      break;
    case 'opinion':
      if (o.opinion !== undefined && !OPINIONS.includes(o.opinion as string)) c.fail('/opinion', `opinion must be one of ${OPINIONS.join(', ')}`);
      break;
    case 'report':
      c.timestamp('published');
      break;
    case 'location': {
      const hasLatLong = o.latitude !== undefined || o.longitude !== undefined;
      if (o.region === undefined && o.country === undefined && !hasLatLong) c.fail('/region', 'a location needs region, country, or latitude and longitude');
      if (hasLatLong && (typeof o.latitude !== 'number' || typeof o.longitude !== 'number' || Math.abs(o.latitude) > 90 || Math.abs(o.longitude) > 180)) {
        c.fail('/latitude', 'latitude (-90..90) and longitude (-180..180) go together');
      }
      break;
    }
    case 'sighting':
      c.int('count', 0, 999_999_999);
      c.timestamp('first_seen');
      c.timestamp('last_seen');
      c.notBefore('last_seen', 'first_seen');
      break;
    case 'relationship':
      c.string('relationship_type');
      c.timestamp('start_time');
      c.timestamp('stop_time');
      c.after('stop_time', 'start_time');
      break;
    case 'campaign':
    case 'intrusion-set':
    case 'threat-actor':
    case 'infrastructure':
      c.timestamp('first_seen');
      c.timestamp('last_seen');
      c.notBefore('last_seen', 'first_seen');
      break;
    case 'marking-definition':
      if ((o.definition_type === undefined || o.definition === undefined) && o.extensions === undefined) c.fail('/definition', 'a marking definition needs definition_type and definition, or an extension');
      break;
    case 'autonomous-system':
      c.int('number', 0, 4_294_967_295);
      break;
    case 'file':
      if (o.hashes === undefined && o.name === undefined) c.fail('/name', 'a file needs hashes or a name');
      break;
    case 'artifact':
      if (o.payload_bin !== undefined && o.url !== undefined) c.fail('/url', 'an artifact has payload_bin or url, not both');
      if (o.url !== undefined && o.hashes === undefined) c.fail('/hashes', 'an artifact given by url needs hashes');
      break;
    case 'network-traffic':
      if (o.src_ref === undefined && o.dst_ref === undefined) c.fail('/src_ref', 'network-traffic needs src_ref or dst_ref');
      break;
    default:
      for (const p of ['name', 'description', 'value']) c.string(p);
  }
}
