// Ballot manifests, batch tallies and cast vote records as counties upload them (CSV). Every row is checked and
// every problem reported with its line, so a county fixes its file once: missing columns, a batch listed twice,
// counts that are not whole numbers, a "Total" row (the audit adds the batches itself). Files come from
// spreadsheets on Windows as often as not: UTF-8 with or without a byte-order mark and Windows-1252 are read;
// UTF-16 and binary files are refused with a message that says how to save the file instead.
import crypto from 'node:crypto';
import { parseCsv, type CsvRow } from '../platform/text/csv-parse.js';

export interface RowProblem {
  /** Line in the file (1 is the header); 0 for the file as a whole. */
  readonly line: number;
  readonly column?: string;
  readonly message: string;
}

export type Encoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';

export interface Decoded {
  readonly text: string;
  readonly encoding: Encoding;
}

/** Text of an uploaded CSV, or the reason it cannot be read. */
export function decodeCsv(data: Buffer): Decoded | { problem: string } {
  if (data.length === 0) return { problem: 'The file is empty.' };
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
    return { problem: 'The file is UTF-16 text. Save it as "CSV UTF-8 (Comma delimited)" or plain CSV and upload it again.' };
  }
  if (data.includes(0)) return { problem: 'This is not a text file. Upload the manifest as a CSV file.' };
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(3)), encoding: 'utf-8-bom' };
    } catch {
      return { problem: 'The file says it is UTF-8 but has bytes that are not. Save it again as "CSV UTF-8".' };
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(data), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: what Excel on Windows writes for "CSV (Comma delimited)".
    return { text: new TextDecoder('windows-1252').decode(data), encoding: 'windows-1252' };
  }
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Header positions by normalised name; problems for missing required or repeated columns. */
export function headerIndex(header: CsvRow, required: readonly string[], optional: readonly string[]): { index: Map<string, number>; problems: RowProblem[] } {
  const index = new Map<string, number>();
  const problems: RowProblem[] = [];
  header.cells.forEach((cell, i) => {
    const name = norm(cell);
    if (!name) return;
    if (index.has(name)) problems.push({ line: header.line, column: cell.trim(), message: `The column "${cell.trim()}" appears twice.` });
    else index.set(name, i);
  });
  for (const r of required) if (!index.has(norm(r))) problems.push({ line: header.line, column: r, message: `Missing the column "${r}". The columns are: ${[...optional.map((o) => `${o} (optional)`), ...required].join(', ')}.` });
  return { index, problems };
}

/** A whole number as spreadsheets write it ("1234", "1,234", " 12 "); null when it is not one. */
export function wholeNumber(raw: string): number | null {
  const s = raw.trim().replace(/,(?=\d{3}(\D|$))/g, '');
  if (!/^\d{1,12}$/.test(s)) return null;
  return Number(s);
}

const TOTAL_ROW = /^(grand\s+)?totals?(\s*:)?$|^sum$/i;

export interface ManifestRow {
  readonly container: string | null;
  readonly tabulator: string | null;
  readonly batch: string;
  readonly ballots: number;
  readonly line: number;
}

export interface ParsedManifest {
  readonly rows: ManifestRow[];
  readonly ballots: number;
  readonly encoding: Encoding | null;
  readonly sha256: string;
  readonly problems: RowProblem[];
}

export const MANIFEST_MAX_ROWS = 500_000;

export function parseManifest(data: Buffer): ParsedManifest {
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const decoded = decodeCsv(data);
  if ('problem' in decoded) return { rows: [], ballots: 0, encoding: null, sha256, problems: [{ line: 0, message: decoded.problem }] };
  const parsed = parseCsv(decoded.text);
  if ('error' in parsed) return { rows: [], ballots: 0, encoding: decoded.encoding, sha256, problems: [{ line: parsed.line, message: parsed.error }] };
  const [header, ...body] = parsed.rows;
  if (!header) return { rows: [], ballots: 0, encoding: decoded.encoding, sha256, problems: [{ line: 0, message: 'The file has no rows.' }] };
  const { index, problems } = headerIndex(header, ['Batch Name', 'Number of Ballots'], ['Container', 'Tabulator']);
  if (problems.length) return { rows: [], ballots: 0, encoding: decoded.encoding, sha256, problems };
  if (body.length === 0) problems.push({ line: 0, message: 'The manifest lists no batches.' });
  if (body.length > MANIFEST_MAX_ROWS) return { rows: [], ballots: 0, encoding: decoded.encoding, sha256, problems: [{ line: 0, message: `The manifest has ${body.length.toLocaleString('en-US')} rows; at most ${MANIFEST_MAX_ROWS.toLocaleString('en-US')} are accepted.` }] };
  const cell = (row: CsvRow, name: string) => {
    const i = index.get(norm(name));
    return i === undefined ? undefined : (row.cells[i] ?? '').trim();
  };
  const rows: ManifestRow[] = [];
  const seen = new Map<string, number>();
  let ballots = 0;
  for (const row of body) {
    if (row.cells.every((c) => c.trim() === '')) continue;
    const container = cell(row, 'Container') || null;
    const tabulator = cell(row, 'Tabulator') || null;
    const batch = cell(row, 'Batch Name') ?? '';
    const rawCount = cell(row, 'Number of Ballots') ?? '';
    if ([batch, container ?? '', tabulator ?? ''].some((v) => TOTAL_ROW.test(v))) {
      problems.push({ line: row.line, message: 'This looks like a totals row. Remove it: the audit adds up the batches itself.' });
      continue;
    }
    let bad = false;
    if (!batch) {
      problems.push({ line: row.line, column: 'Batch Name', message: 'The batch name is empty.' });
      bad = true;
    }
    const count = wholeNumber(rawCount);
    if (count === null) {
      problems.push({ line: row.line, column: 'Number of Ballots', message: rawCount ? `"${rawCount}" is not a whole number of ballots.` : 'The number of ballots is empty.' });
      bad = true;
    }
    if (bad) continue;
    const key = `${tabulator ?? ''}\u0000${batch}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ line: row.line, column: 'Batch Name', message: `The batch "${batch}"${tabulator ? ` of tabulator "${tabulator}"` : ''} is already listed on line ${earlier}.` });
      continue;
    }
    seen.set(key, row.line);
    rows.push({ container, tabulator, batch, ballots: count!, line: row.line });
    ballots += count!;
  }
  return { rows, ballots, encoding: decoded.encoding, sha256, problems };
}
