// Cast vote records as Dominion's election management system exports them (the "CVR export" CSV Arlo also
// reads): a row with the election's name, a row of contest headers "Contest Name (Vote For=N)" over each choice
// column, a row of choice names, a row of column names (CvrNumber, TabulatorNum, BatchId, RecordId, ImprintedId,
// …), then one row per ballot with 1, 0 or nothing per choice. Values may carry Excel's leading "=" ("=12").
// A ballot is found in the manifest by (TabulatorNum, BatchId); its position in the batch is its RecordId.
import crypto from 'node:crypto';
import { parseCsv } from '../platform/text/csv-parse.js';
import { decodeCsv, wholeNumber, type RowProblem } from './manifest.js';
import { readVoteCells, type AuditContestShape, type CvrRow, type ParsedCvrs } from './tallies.js';

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
const unequal = (s: string) => s.trim().replace(/^=/, '').replace(/^"(.*)"$/, '$1').trim();

/** Whether the text looks like a Dominion CVR export: a lone title, then a row with "(Vote For=" headers. */
export function isDominionCvr(text: string): boolean {
  const lines = text.split(/\r?\n/, 4);
  return lines.length >= 4 && /\(Vote For=\d+\)/.test(lines[1] ?? '') && /CvrNumber/.test(lines[3] ?? '');
}

export function parseDominionCvrs(data: Buffer, contests: readonly AuditContestShape[]): ParsedCvrs {
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const decoded = decodeCsv(data);
  if ('problem' in decoded) return { rows: [], encoding: null, sha256, problems: [{ line: 0, message: decoded.problem }] };
  const parsed = parseCsv(decoded.text);
  if ('error' in parsed) return { rows: [], encoding: decoded.encoding, sha256, problems: [{ line: parsed.line, message: parsed.error }] };
  const [, contestRow, choiceRow, headerRow, ...body] = parsed.rows;
  const problems: RowProblem[] = [];
  if (!contestRow || !choiceRow || !headerRow) return { rows: [], encoding: decoded.encoding, sha256, problems: [{ line: 0, message: 'A Dominion CVR export starts with four header rows (election, contests, choices, columns).' }] };
  const first = contestRow.cells.findIndex((c) => c.trim() !== '');
  const columns: Array<{ contest: string; choice: string; index: number }> = [];
  const wanted = new Map(contests.map((c) => [norm(c.name), c]));
  for (let i = first; i >= 0 && i < contestRow.cells.length; i++) {
    const header = contestRow.cells[i]!.replace(/\s*\n\s*/g, ' ').trim();
    const m = /^(.+) \(Vote For=(\d+)\)$/.exec(header);
    if (!m) {
      problems.push({ line: contestRow.line, column: header || `column ${i + 1}`, message: `"${header}" is not a contest header like "Contest Name (Vote For=1)".` });
      continue;
    }
    const contest = wanted.get(norm(m[1]!));
    if (!contest) continue;
    const choice = contest.choices.find((ch) => norm(ch) === norm(choiceRow.cells[i] ?? ''));
    if (choice) columns.push({ contest: contest.name, choice, index: i });
  }
  for (const c of contests) {
    for (const ch of c.choices) if (!columns.some((col) => col.contest === c.name && col.choice === ch)) problems.push({ line: choiceRow.line, column: `${c.name}: ${ch}`, message: `The export has no column for ${ch} in ${c.name}; check the names match the audit's.` });
  }
  const at = (name: string) => headerRow.cells.findIndex((c, i) => (first < 0 || i < first) && norm(c) === norm(name));
  const idx = { tabulator: at('TabulatorNum'), batch: at('BatchId'), record: at('RecordId') };
  for (const [key, name] of [['tabulator', 'TabulatorNum'], ['batch', 'BatchId'], ['record', 'RecordId']] as const) {
    if (idx[key] < 0) problems.push({ line: headerRow.line, column: name, message: `Missing the column "${name}".` });
  }
  if (problems.length) return { rows: [], encoding: decoded.encoding, sha256, problems };
  const rows: CvrRow[] = [];
  const seen = new Map<string, number>();
  for (const row of body) {
    if (row.cells.every((c) => !c.trim())) continue;
    if (problems.length >= 1000) break;
    const tabulator = unequal(row.cells[idx.tabulator] ?? '');
    const batch = unequal(row.cells[idx.batch] ?? '');
    const position = wholeNumber(unequal(row.cells[idx.record] ?? ''));
    if (!batch || position === null || position < 1) {
      problems.push({ line: row.line, message: 'Each ballot needs a BatchId and a RecordId (its position in the batch, 1, 2, 3 …).' });
      continue;
    }
    const votes = readVoteCells(row, columns, contests, problems, unequal);
    const key = `${tabulator}\u0000${batch}\u0000${position}`;
    if (seen.has(key)) {
      problems.push({ line: row.line, message: `Record ${position} of batch ${batch} (tabulator ${tabulator}) is already listed on line ${seen.get(key)}.` });
      continue;
    }
    seen.set(key, row.line);
    if (votes) rows.push({ tabulator: tabulator || null, batch, position, votes, line: row.line });
  }
  return { rows, encoding: decoded.encoding, sha256, problems };
}
