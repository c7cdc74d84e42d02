// Reads indicator files for the matcher: STIX 2.1 bundles (or TAXII envelopes, or a list of objects) and
// CSV lists with `type,value` columns (the import format). Bad entries are counted and reported, not fatal.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { IndicatorIndex } from './indicator-index.js';
import { VALUE_TYPES, type ValueType } from '../indicator-values.js';

export interface LoadReport {
  readonly files: number;
  values: number;
  refused: Array<{ where: string; message: string }>;
  refusedCount: number;
}

const TYPE_ALIASES: Record<string, ValueType> = {
  ip: 'ipv4', ipv4: 'ipv4', cidr: 'ipv4', 'ipv4-addr': 'ipv4', ipv6: 'ipv6', 'ipv6-addr': 'ipv6', domain: 'domain', hostname: 'domain', 'domain-name': 'domain',
  url: 'url', email: 'email', 'email-addr': 'email', md5: 'md5', sha1: 'sha1', 'sha-1': 'sha1', sha256: 'sha256', 'sha-256': 'sha256', sha512: 'sha512', 'sha-512': 'sha512', filename: 'filename',
};

function refuse(report: LoadReport, where: string, message: string): void {
  report.refusedCount += 1;
  if (report.refused.length < 100) report.refused.push({ where, message });
}

/** The cells of one CSV line; quotes only where the line has any (most lists have none). */
function cellsOf(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * A CSV list, read in 64 KiB parts split into lines here (young-generation strings, no promise per line):
 * loading a million indicators is most of what `eoc match` does before the first log line.
 */
async function loadCsv(file: string, ix: IndicatorIndex, report: LoadReport): Promise<void> {
  let typeCol = -1;
  let valueCol = -1;
  let n = 0;
  const line = (raw: string) => {
    n += 1;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (n === 1) text = text.replace(/^\uFEFF/, '');
    if (!text.trim()) return;
    const cells = cellsOf(text);
    if (typeCol < 0) {
      const names = cells.map((c) => c.trim().toLowerCase());
      typeCol = names.indexOf('type');
      valueCol = names.indexOf('value');
      if (typeCol < 0 || valueCol < 0) throw new Error(`${file}: the first line must name the columns, at least "type" and "value"`);
      return;
    }
    const rawType = (cells[typeCol] ?? '').trim().toLowerCase();
    const value = (cells[valueCol] ?? '').trim();
    let type = TYPE_ALIASES[rawType];
    if (!type) {
      refuse(report, `${file}:${n}`, `unknown type "${rawType.slice(0, 40)}"; use one of ${Object.keys(VALUE_TYPES).join(', ')}`);
      return;
    }
    if (type === 'ipv4' && value.includes(':')) type = 'ipv6';
    const problem = ix.add(`${file}:${n}`, type, value);
    if (problem) refuse(report, `${file}:${n}`, problem);
    else report.values += 1;
  };
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 64 * 1024 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      line(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest) line(rest);
}

function loadJson(file: string, ix: IndicatorIndex, report: LoadReport): void {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const objects = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { objects?: unknown }).objects) ? (doc as { objects: unknown[] }).objects : null;
  if (!objects) throw new Error(`${file}: expected a STIX bundle ({"type": "bundle", "objects": [...]})`);
  objects.forEach((o, i) => {
    if (!o || typeof o !== 'object' || (o as { type?: unknown }).type !== 'indicator') return;
    const added = ix.addStix(o as Record<string, unknown>);
    if (added) report.values += added;
    else refuse(report, `${file}: objects[${i}] ${String((o as { id?: unknown }).id ?? '').slice(0, 80)}`, 'no pattern that can be matched line by line (needs a STIX pattern of =, IN or ISSUBSET comparisons joined by OR)');
  });
}

/** Loads every file (JSON → STIX, anything else → CSV) into one index. */
export async function loadIndicatorFiles(files: readonly string[]): Promise<{ index: IndicatorIndex; report: LoadReport }> {
  const index = new IndicatorIndex();
  const report: LoadReport = { files: files.length, values: 0, refused: [], refusedCount: 0 };
  for (const file of files) {
    const head = await firstChar(file);
    if (file.endsWith('.json') || head === '{' || head === '[') loadJson(file, index, report);
    else await loadCsv(file, index, report);
  }
  index.build();
  return { index, report };
}

async function firstChar(file: string): Promise<string> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const b = Buffer.alloc(64);
    const { bytesRead } = await fd.read(b, 0, 64, 0);
    return b.subarray(0, bytesRead).toString('utf8').trimStart().slice(0, 1);
  } finally {
    await fd.close();
  }
}
