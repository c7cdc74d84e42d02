// Imports that are not STIX: CSV indicator lists (type, value, description, valid until) and MISP JSON
// events. Each row or attribute becomes a STIX 2.1 indicator (MISP events also a report that groups them),
// then goes through the same validation and store as TAXII; problems are reported per row or attribute.
import { parseCsv } from '../platform/text/csv-parse.js';
import type { Tlp } from '../platform/db/columns.js';
import { indicatorFor, nameUuid, normaliseValue, VALUE_TYPES, type ValueType } from './indicator-values.js';
import { TLP2_MARKINGS } from './stix/markings.js';
import { isStixTimestamp } from './stix/validate.js';

export interface Converted {
  readonly objects: Array<Record<string, unknown>>;
  readonly problems: Array<{ readonly where: string; readonly message: string }>;
}

const TYPE_ALIASES: Record<string, ValueType> = {
  ip: 'ipv4', ipv4: 'ipv4', 'ip-dst': 'ipv4', 'ip-src': 'ipv4', 'ipv4-addr': 'ipv4', cidr: 'ipv4',
  ipv6: 'ipv6', 'ipv6-addr': 'ipv6',
  domain: 'domain', hostname: 'domain', 'domain-name': 'domain', fqdn: 'domain',
  url: 'url', uri: 'url', link: 'url',
  email: 'email', 'email-src': 'email', 'email-dst': 'email', 'email-addr': 'email', sender: 'email',
  md5: 'md5', sha1: 'sha1', 'sha-1': 'sha1', sha256: 'sha256', 'sha-256': 'sha256', sha512: 'sha512', 'sha-512': 'sha512',
  filename: 'filename', file: 'filename', 'file-name': 'filename',
};

function typeOf(raw: string, value: string): ValueType | null {
  const t = TYPE_ALIASES[raw.trim().toLowerCase()];
  if (!t) return null;
  // "ip" and "cidr" columns hold either family.
  if (t === 'ipv4' && value.includes(':')) return 'ipv6';
  return t;
}

/** A date or timestamp from a list ("2026-12-31" or an ISO timestamp) as a STIX timestamp, or null. */
function timestampOf(raw: string): string | null {
  const s = raw.trim();
  if (!s) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T23:59:59Z`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  const iso = d.toISOString();
  return isStixTimestamp(iso) ? iso : null;
}

export const CSV_COLUMNS = ['type', 'value', 'description', 'valid_until'] as const;

/**
 * A CSV list with a header row naming at least `type` and `value` (and optionally `description`,
 * `valid_until`, `confidence`), in any order. `scope` keeps one value one indicator across imports.
 */
export function indicatorsFromCsv(text: string, scope: string, now: string): Converted {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { objects: [], problems: [{ where: `line ${parsed.line}`, message: parsed.error }] };
  const [header, ...rows] = parsed.rows;
  if (!header) return { objects: [], problems: [{ where: 'line 1', message: 'the file is empty; the first line names the columns: type,value,description,valid_until' }] };
  const names = header.cells.map((c) => c.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const col = (n: string) => names.indexOf(n);
  if (col('type') < 0 || col('value') < 0) return { objects: [], problems: [{ where: 'line 1', message: `the first line must name the columns, at least "type" and "value" (found: ${header.cells.join(', ').slice(0, 200)})` }] };
  const objects: Array<Record<string, unknown>> = [];
  const problems: Converted['problems'] = [];
  for (const row of rows) {
    const get = (n: string) => (col(n) >= 0 ? (row.cells[col(n)] ?? '') : '');
    const where = `line ${row.line}`;
    const rawValue = get('value');
    const type = typeOf(get('type'), rawValue);
    if (!type) {
      problems.push({ where, message: `unknown type "${get('type').slice(0, 40)}"; use one of ${Object.keys(VALUE_TYPES).join(', ')}` });
      continue;
    }
    const v = normaliseValue(type, rawValue);
    if (!v.ok) {
      problems.push({ where, message: v.reason });
      continue;
    }
    const until = get('valid_until');
    const validUntil = until ? timestampOf(until) : null;
    if (until && !validUntil) {
      problems.push({ where, message: `valid_until "${until.slice(0, 40)}" is not a date like 2026-12-31` });
      continue;
    }
    if (validUntil && validUntil <= now) {
      problems.push({ where, message: `valid_until ${until} is already past` });
      continue;
    }
    const conf = get('confidence');
    const confidence = conf ? Number(conf) : null;
    if (confidence !== null && (!Number.isInteger(confidence) || confidence < 0 || confidence > 100)) {
      problems.push({ where, message: 'confidence is a whole number from 0 to 100' });
      continue;
    }
    objects.push(indicatorFor({ type, value: v.value, scope, description: get('description').trim() || null, validUntil, confidence, now }));
  }
  return { objects, problems };
}

interface MispAttribute {
  readonly uuid?: string;
  readonly type?: string;
  readonly value?: string;
  readonly category?: string;
  readonly comment?: string;
  readonly to_ids?: boolean | string;
}

const MISP_TYPES: Record<string, ValueType> = {
  'ip-dst': 'ipv4', 'ip-src': 'ipv4', ip: 'ipv4', domain: 'domain', hostname: 'domain', url: 'url', link: 'url', uri: 'url',
  'email-src': 'email', 'email-dst': 'email', 'email': 'email', md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha512: 'sha512', filename: 'filename',
};

const MISP_TLP: Record<string, Tlp> = { 'tlp:clear': 'CLEAR', 'tlp:white': 'CLEAR', 'tlp:green': 'GREEN', 'tlp:amber': 'AMBER', 'tlp:amber+strict': 'AMBER+STRICT', 'tlp:red': 'RED' };

/**
 * MISP JSON events ({"Event": {...}} or {"response": [{"Event": …}]} or a list): every attribute of a type
 * above (composite ones like "domain|ip" split) becomes an indicator; the event becomes a STIX report naming
 * them. The event's tlp:* tag becomes the TLP marking. Attributes with to_ids false are context, not
 * indicators, and are skipped (counted as such).
 */
export function objectsFromMisp(input: unknown, now: string): Converted {
  const events: unknown[] = Array.isArray(input) ? input : input && typeof input === 'object' && Array.isArray((input as { response?: unknown }).response) ? (input as { response: unknown[] }).response : [input];
  const objects: Array<Record<string, unknown>> = [];
  const problems: Converted['problems'] = [];
  events.forEach((wrapper, ei) => {
    const e = (wrapper && typeof wrapper === 'object' && 'Event' in wrapper ? (wrapper as { Event: unknown }).Event : wrapper) as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e.info !== 'string') {
      problems.push({ where: `event ${ei + 1}`, message: 'not a MISP event (expected {"Event": {"info": …, "Attribute": [...]}})' });
      return;
    }
    const eventId = typeof e.uuid === 'string' && /^[0-9a-f-]{36}$/i.test(e.uuid) ? e.uuid.toLowerCase() : nameUuid(`misp-event|${e.info}|${String(e.date ?? '')}`);
    const tags = (Array.isArray(e.Tag) ? e.Tag : []) as Array<{ name?: string }>;
    const tlp = tags.map((t) => MISP_TLP[(t.name ?? '').toLowerCase()]).find(Boolean);
    const markingRefs = tlp ? [TLP2_MARKINGS[tlp]] : [];
    const attributes: MispAttribute[] = [...((Array.isArray(e.Attribute) ? e.Attribute : []) as MispAttribute[]), ...((Array.isArray(e.Object) ? e.Object : []) as Array<{ Attribute?: MispAttribute[] }>).flatMap((o) => o.Attribute ?? [])];
    const refs: string[] = [];
    attributes.forEach((a, ai) => {
      const where = `event ${ei + 1} (${JSON.stringify(String(e.info).slice(0, 60))}), attribute ${ai + 1}`;
      if (a.to_ids === false || a.to_ids === '0') return;
      const types = String(a.type ?? '').split('|');
      const values = String(a.value ?? '').split('|');
      types.forEach((t, k) => {
        const mapped = MISP_TYPES[t];
        if (!mapped) {
          if (types.length === 1) problems.push({ where, message: `MISP type "${t.slice(0, 40)}" is not imported as an indicator` });
          return;
        }
        const type = mapped === 'ipv4' && (values[k] ?? '').includes(':') ? 'ipv6' : mapped;
        const v = normaliseValue(type, values[k] ?? '');
        if (!v.ok) {
          problems.push({ where, message: v.reason });
          return;
        }
        const indicator = indicatorFor({ type, value: v.value, scope: `misp|${eventId}`, description: a.comment || null, name: `${e.info as string}: ${v.value}`.slice(0, 300), labels: a.category ? [a.category.toLowerCase()] : [], markingRefs, now });
        objects.push(indicator);
        refs.push(indicator.id as string);
      });
    });
    if (refs.length) {
      objects.push({
        type: 'report', spec_version: '2.1', id: `report--${eventId}`, created: now, modified: now, name: (e.info as string).slice(0, 300),
        published: typeof e.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(e.date) ? `${e.date}T00:00:00Z` : now,
        report_types: ['threat-report'], object_refs: refs, ...(markingRefs.length ? { object_marking_refs: markingRefs } : {}),
        external_references: [{ source_name: 'misp', external_id: eventId }],
      });
    }
  });
  return { objects, problems };
}
