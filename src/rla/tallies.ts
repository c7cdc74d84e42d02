// Batch tallies (batch comparison) and cast vote records (ballot comparison) as CSV, checked row by row like
// manifests. Vote columns are named after the choices; where two contests share a choice name the column is
// "Contest: Choice". In a cast vote record a cell is 1 (a vote), 0 (none) or empty (the contest is not on that
// ballot: every cell of that contest empty).
import crypto from 'node:crypto';
import { parseCsv, type CsvRow } from '../platform/text/csv-parse.js';
import { decodeCsv, headerIndex, wholeNumber, type Encoding, type RowProblem } from './manifest.js';
import { isDominionCvr, parseDominionCvrs } from './dominion-cvrs.js';

export interface AuditContestShape {
  readonly name: string;
  readonly choices: readonly string[];
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

interface VoteColumn {
  readonly contest: string;
  readonly choice: string;
  readonly index: number;
}

/** Where each contest's choices are in the header; a choice may be named alone only if no other contest has it. */
function voteColumns(header: CsvRow, contests: readonly AuditContestShape[]): { columns: VoteColumn[]; problems: RowProblem[] } {
  const byName = new Map<string, number>();
  header.cells.forEach((c, i) => byName.set(norm(c), i));
  const counts = new Map<string, number>();
  for (const c of contests) for (const ch of c.choices) counts.set(norm(ch), (counts.get(norm(ch)) ?? 0) + 1);
  const columns: VoteColumn[] = [];
  const problems: RowProblem[] = [];
  for (const c of contests) {
    for (const ch of c.choices) {
      const full = byName.get(norm(`${c.name}: ${ch}`));
      const alone = counts.get(norm(ch)) === 1 ? byName.get(norm(ch)) : undefined;
      const index = full ?? alone;
      if (index === undefined) problems.push({ line: header.line, column: `${c.name}: ${ch}`, message: `No column for ${ch} in ${c.name}. Name it "${counts.get(norm(ch)) === 1 ? ch : `${c.name}: ${ch}`}".` });
      else columns.push({ contest: c.name, choice: ch, index });
    }
  }
  return { columns, problems };
}

export interface TallyRow {
  readonly tabulator: string | null;
  readonly batch: string;
  /** Votes per contest and choice. */
  readonly votes: Record<string, Record<string, number>>;
  /** Ballots in the batch, when the file has a "Number of Ballots" column. */
  readonly ballots: number | null;
  readonly line: number;
}

export interface ParsedTallies {
  readonly rows: TallyRow[];
  readonly encoding: Encoding | null;
  readonly sha256: string;
  readonly problems: RowProblem[];
}

function readTable(data: Buffer, required: string[], optional: string[]) {
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const decoded = decodeCsv(data);
  if ('problem' in decoded) return { sha256, encoding: null, problems: [{ line: 0, message: decoded.problem }] };
  const parsed = parseCsv(decoded.text);
  if ('error' in parsed) return { sha256, encoding: decoded.encoding, problems: [{ line: parsed.line, message: parsed.error }] };
  const [header, ...body] = parsed.rows;
  if (!header) return { sha256, encoding: decoded.encoding, problems: [{ line: 0, message: 'The file has no rows.' }] };
  const { index, problems } = headerIndex(header, required, optional);
  return { sha256, encoding: decoded.encoding, problems, header, body, index };
}

const cellOf = (index: Map<string, number>, row: CsvRow, name: string) => {
  const i = index.get(norm(name));
  return i === undefined ? undefined : (row.cells[i] ?? '').trim();
};

/** Batch tallies: Batch Name (and Tabulator, optional), then votes per choice. */
export function parseTallies(data: Buffer, contests: readonly AuditContestShape[]): ParsedTallies {
  const t = readTable(data, ['Batch Name'], ['Tabulator', 'Number of Ballots']);
  if (!t.header || !t.body || !t.index || t.problems.length) return { rows: [], encoding: t.encoding, sha256: t.sha256, problems: t.problems };
  const { columns, problems } = voteColumns(t.header, contests);
  if (problems.length) return { rows: [], encoding: t.encoding, sha256: t.sha256, problems };
  const hasBallots = t.index.has('number of ballots');
  const rows: TallyRow[] = [];
  const seen = new Map<string, number>();
  for (const row of t.body) {
    if (row.cells.every((c) => !c.trim())) continue;
    const batch = cellOf(t.index, row, 'Batch Name') ?? '';
    const tabulator = cellOf(t.index, row, 'Tabulator') || null;
    if (/^(grand\s+)?totals?$/i.test(batch)) {
      problems.push({ line: row.line, message: 'This looks like a totals row. Remove it: the audit adds up the batches itself.' });
      continue;
    }
    if (!batch) {
      problems.push({ line: row.line, column: 'Batch Name', message: 'The batch name is empty.' });
      continue;
    }
    const votes: Record<string, Record<string, number>> = {};
    let bad = false;
    let ballots: number | null = null;
    if (hasBallots) {
      const raw = cellOf(t.index, row, 'Number of Ballots') ?? '';
      ballots = wholeNumber(raw);
      if (ballots === null) {
        problems.push({ line: row.line, column: 'Number of Ballots', message: `"${raw}" is not a whole number of ballots.` });
        bad = true;
      }
    }
    for (const col of columns) {
      const raw = (row.cells[col.index] ?? '').trim();
      const n = wholeNumber(raw);
      if (n === null) {
        problems.push({ line: row.line, column: `${col.contest}: ${col.choice}`, message: `"${raw}" is not a whole number of votes.` });
        bad = true;
        continue;
      }
      (votes[col.contest] ??= {})[col.choice] = n;
    }
    const key = `${tabulator ?? ''}\u0000${batch}`;
    if (seen.has(key)) {
      problems.push({ line: row.line, column: 'Batch Name', message: `The batch "${batch}" is already listed on line ${seen.get(key)}.` });
      continue;
    }
    seen.set(key, row.line);
    if (!bad) rows.push({ tabulator, batch, votes, ballots, line: row.line });
  }
  return { rows, encoding: t.encoding, sha256: t.sha256, problems };
}

export interface CvrRow {
  readonly tabulator: string | null;
  readonly batch: string;
  readonly position: number;
  /** Per contest on the ballot: 1/0 per choice. Contests not on the ballot are absent. */
  readonly votes: Record<string, Record<string, number>>;
  readonly line: number;
}

/**
 * One ballot's votes from its cells: 1, 0, or empty in every column of a contest not on the ballot. Problems go
 * to `problems`; null when the row is not usable. `clean` reads a cell as the file writes it.
 */
export function readVoteCells(row: CsvRow, columns: ReadonlyArray<{ contest: string; choice: string; index: number }>, contests: readonly AuditContestShape[], problems: RowProblem[], clean: (cell: string) => string = (c) => c.trim()): Record<string, Record<string, number>> | null {
  const votes: Record<string, Record<string, number>> = {};
  const blank = new Map<string, number>();
  let bad = false;
  for (const col of columns) {
    const raw = clean(row.cells[col.index] ?? '');
    if (raw === '') {
      blank.set(col.contest, (blank.get(col.contest) ?? 0) + 1);
      continue;
    }
    if (raw !== '0' && raw !== '1') {
      problems.push({ line: row.line, column: `${col.contest}: ${col.choice}`, message: `"${raw}" is not 1 (a vote), 0 (no vote) or empty (contest not on this ballot).` });
      bad = true;
      continue;
    }
    (votes[col.contest] ??= {})[col.choice] = Number(raw);
  }
  for (const c of contests) {
    const empty = blank.get(c.name) ?? 0;
    if (empty > 0 && empty < c.choices.length) {
      problems.push({ line: row.line, column: c.name, message: `Some of ${c.name}'s choices are empty and some are not; leave all empty only when the contest is not on the ballot.` });
      bad = true;
    }
  }
  return bad ? null : votes;
}

export interface ParsedCvrs {
  readonly rows: CvrRow[];
  readonly encoding: Encoding | null;
  readonly sha256: string;
  readonly problems: RowProblem[];
}

/** Cast vote records: Batch Name, Ballot Position (and Tabulator, optional), then 1/0/empty per choice; or Dominion's CVR export. */
export function parseCvrs(data: Buffer, contests: readonly AuditContestShape[]): ParsedCvrs {
  // Dominion's own export is read as it comes out of the election management system.
  if (isDominionCvr(data.subarray(0, 64 * 1024).toString('latin1'))) return parseDominionCvrs(data, contests);
  const t = readTable(data, ['Batch Name', 'Ballot Position'], ['Tabulator']);
  if (!t.header || !t.body || !t.index || t.problems.length) return { rows: [], encoding: t.encoding, sha256: t.sha256, problems: t.problems };
  const { columns, problems } = voteColumns(t.header, contests);
  if (problems.length) return { rows: [], encoding: t.encoding, sha256: t.sha256, problems };
  const rows: CvrRow[] = [];
  const seen = new Map<string, number>();
  for (const row of t.body) {
    if (row.cells.every((c) => !c.trim())) continue;
    if (problems.length >= 1000) {
      problems.push({ line: row.line, message: 'Too many problems; fix these and upload the file again.' });
      break;
    }
    const batch = cellOf(t.index, row, 'Batch Name') ?? '';
    const tabulator = cellOf(t.index, row, 'Tabulator') || null;
    const rawPos = cellOf(t.index, row, 'Ballot Position') ?? '';
    const position = wholeNumber(rawPos);
    if (!batch) {
      problems.push({ line: row.line, column: 'Batch Name', message: 'The batch name is empty.' });
      continue;
    }
    if (position === null || position < 1) {
      problems.push({ line: row.line, column: 'Ballot Position', message: `"${rawPos}" is not a ballot position (1, 2, 3 …).` });
      continue;
    }
    const votes = readVoteCells(row, columns, contests, problems);
    const key = `${tabulator ?? ''}\u0000${batch}\u0000${position}`;
    if (seen.has(key)) {
      problems.push({ line: row.line, message: `Ballot ${position} of batch "${batch}" is already listed on line ${seen.get(key)}.` });
      continue;
    }
    seen.set(key, row.line);
    if (votes) rows.push({ tabulator, batch, position, votes, line: row.line });
  }
  return { rows, encoding: t.encoding, sha256: t.sha256, problems };
}
