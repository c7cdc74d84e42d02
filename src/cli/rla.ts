// `eoc rla`: check a risk-limiting audit offline, with nothing but the public inputs. `sample` draws the ballots
// from a seed and manifests (or a list of ids) exactly as Arlo and the reference consistent sampler do;
// `sample-size` gives the sample-size options for a contest; `risk` measures a round's results. No database,
// and none of the server is loaded, so it starts fast on any laptop.
import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../platform/http/errors.js';
import { parseCsv, type CsvRow } from '../platform/text/csv-parse.js';
import { choice, positiveInt } from './args.js';
import { makeContest, contestProblems, type Contest, type ContestInput } from '../rla/contest.js';
import { AuditMathError, ballotPollingRisk, ballotPollingSampleSizes, type SampleSizeOption } from '../rla/bravo.js';
import { ballotComparisonRisk, ballotComparisonSampleSize, type SampledComparison } from '../rla/supersimple.js';
import { batchComparisonRisk, batchComparisonSampleSize, type BatchTally, type SampledBatch } from '../rla/macro.js';
import { parseManifest, decodeCsv, headerIndex, wholeNumber, type RowProblem } from '../rla/manifest.js';
import { parseTallies } from '../rla/tallies.js';
import { ARLO_TICKET_DIGITS, sampleIds, type ManifestBatch } from '../rla/sampler.js';
import { sampleBallotsParallel } from '../rla/parallel-sampler.js';

export const AUDIT_TYPES = ['ballot-polling', 'ballot-comparison', 'batch-comparison'] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

const riskLimit = (value: string): number => {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new InvalidArgumentError('must be a whole percentage from 1 to 99');
  return n;
};

const nonNegativeInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
};

function fileProblems(file: string, problems: readonly RowProblem[]): AppError {
  return new AppError('validation-failed', `${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}`, {
    details: problems.slice(0, 50).map((p) => ({ field: p.line ? `line ${p.line}${p.column ? ` (${p.column})` : ''}` : file, message: p.message })),
  });
}

function readFile(file: string): Buffer {
  if (!fs.existsSync(file)) throw new AppError('validation-failed', `${file}: no such file`);
  return fs.readFileSync(file);
}

/** Ids from a file, one per line, each exactly as written (the line end removed); blank lines are skipped. */
function readIds(file: string): string[] {
  const decoded = decodeCsv(readFile(file));
  if ('problem' in decoded) throw new AppError('validation-failed', `${file}: ${decoded.problem}`);
  return decoded.text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l !== '');
}

function readManifests(specs: readonly string[]): ManifestBatch[] {
  const batches: ManifestBatch[] = [];
  const counties = new Set<string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new AppError('validation-failed', `--manifest ${spec}: write it as COUNTY=FILE, e.g. --manifest "Fulton County=fulton.csv"`);
    const county = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (counties.has(county)) throw new AppError('validation-failed', `--manifest: ${county} is given twice`);
    counties.add(county);
    const parsed = parseManifest(readFile(file));
    if (parsed.problems.length) throw fileProblems(file, parsed.problems);
    for (const r of parsed.rows) batches.push({ county, tabulator: r.tabulator, batch: r.batch, ballots: r.ballots });
  }
  return batches;
}

function parseVotes(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  raw.split(',').forEach((part, i) => {
    const eq = part.lastIndexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : `Choice ${i + 1}`;
    const n = wholeNumber(eq > 0 ? part.slice(eq + 1) : part);
    if (n === null) throw new AppError('validation-failed', `--votes: "${part}" is not a whole number of votes (write 600,400 or Alice=600,Bob=400)`);
    if (name in out) throw new AppError('validation-failed', `--votes: ${name} is given twice`);
    out[name] = n;
  });
  if (Object.keys(out).length < 2) throw new AppError('validation-failed', '--votes: give the votes of at least two choices, e.g. --votes 600,400');
  return out;
}

function checkedContest(input: ContestInput): Contest {
  const problems = contestProblems(input);
  if (problems.length) throw new AppError('validation-failed', `The contest${input.name ? ` ${input.name}` : ''} does not add up`, { details: problems.map((message) => ({ field: input.name || 'contest', message })) });
  return makeContest(input);
}

/** Reported tallies per batch (with ballots) for batch comparison. */
function readBatchTallies(file: string, contests: readonly Contest[]): Map<string, Map<string, BatchTally>> {
  const parsed = parseTallies(readFile(file), contests.map((c) => ({ name: c.name, choices: Object.keys(c.candidates) })));
  const problems = [...parsed.problems];
  if (!problems.length && parsed.rows.some((r) => r.ballots === null)) problems.push({ line: 1, column: 'Number of Ballots', message: 'Batch comparison needs each batch\'s "Number of Ballots".' });
  if (problems.length) throw fileProblems(file, problems);
  const byContest = new Map<string, Map<string, BatchTally>>();
  for (const c of contests) {
    const m = new Map<string, BatchTally>();
    for (const r of parsed.rows) m.set(r.tabulator ? `${r.tabulator} / ${r.batch}` : r.batch, { votes: r.votes[c.name] ?? {}, ballots: r.ballots ?? 0 });
    byContest.set(c.name, m);
  }
  return byContest;
}

function optionsObject(options: readonly SampleSizeOption[] | Array<{ key: string; size: number; prob: number | null }>): Record<string, { key: string; size: number; prob: number | null }> {
  return Object.fromEntries(options.map((o) => [o.key, { key: o.key, size: o.size, prob: o.prob }]));
}

function describeOption(o: { key: string; size: number; prob: number | null }, unit: 'ballot' | 'batch'): string {
  const n = `${o.size.toLocaleString('en-US')} ${o.size === 1 ? unit : unit === 'batch' ? 'batches' : 'ballots'}`;
  if (o.key === 'asn') return `asn: ${n} on average${o.prob !== null ? ` (${Math.round(o.prob * 100)}% chance of finishing in one round)` : ''}`;
  if (o.key === 'all-ballots') return `all-ballots: ${n} — a full hand count`;
  if (o.prob !== null) return `${o.key}: ${n} (${Math.round(o.prob * 100)}% chance of finishing in one round)`;
  return `${o.key}: ${n}`;
}

/** A contests file: Contest, Choice, Votes, Ballots Cast, and optionally Winners and Votes Allowed. */
function readContests(file: string): Contest[] {
  const { body, get } = readRows(file, ['Contest', 'Choice', 'Votes', 'Ballots Cast'], ['Winners', 'Votes Allowed']);
  const problems: RowProblem[] = [];
  const specs = new Map<string, { choices: Record<string, number>; ballots: number | null; winners: number | null; votesAllowed: number | null; line: number }>();
  for (const row of body) {
    const name = get(row.cells, 'contest');
    const choiceName = get(row.cells, 'choice');
    const votes = wholeNumber(get(row.cells, 'votes'));
    if (!name || !choiceName) {
      problems.push({ line: row.line, message: 'Every row needs a contest and a choice.' });
      continue;
    }
    if (votes === null) {
      problems.push({ line: row.line, column: 'Votes', message: `"${get(row.cells, 'votes')}" is not a whole number of votes.` });
      continue;
    }
    const spec = specs.get(name) ?? { choices: {}, ballots: null, winners: null, votesAllowed: null, line: row.line };
    if (choiceName in spec.choices) problems.push({ line: row.line, column: 'Choice', message: `${choiceName} is listed twice in ${name}.` });
    spec.choices[choiceName] = votes;
    for (const [field, column] of [['ballots', 'ballots cast'], ['winners', 'winners'], ['votesAllowed', 'votes allowed']] as const) {
      const raw = get(row.cells, column);
      if (!raw) continue;
      const n = wholeNumber(raw);
      if (n === null) problems.push({ line: row.line, column, message: `"${raw}" is not a whole number.` });
      else if (spec[field] !== null && spec[field] !== n) problems.push({ line: row.line, column, message: `${name} has two different values for ${column}: ${spec[field]} and ${n}.` });
      else spec[field] = n;
    }
    specs.set(name, spec);
  }
  for (const [name, s] of specs) if (s.ballots === null) problems.push({ line: s.line, column: 'Ballots Cast', message: `${name} needs its ballots cast.` });
  if (problems.length) throw fileProblems(file, problems);
  return [...specs].map(([name, s]) => checkedContest({ name, choices: s.choices, ballots: s.ballots!, numWinners: s.winners ?? 1, ...(s.votesAllowed !== null ? { votesAllowed: s.votesAllowed } : {}) }));
}

function readRows(file: string, required: string[], optional: string[] = []) {
  const decoded = decodeCsv(readFile(file));
  if ('problem' in decoded) throw new AppError('validation-failed', `${file}: ${decoded.problem}`);
  const parsed = parseCsv(decoded.text);
  if ('error' in parsed) throw fileProblems(file, [{ line: parsed.line, message: parsed.error }]);
  const [header, ...body] = parsed.rows;
  if (!header) throw new AppError('validation-failed', `${file} is empty`);
  const { index, problems } = headerIndex(header, required, optional);
  if (problems.length) throw fileProblems(file, problems);
  return { body, get: (cells: string[], name: string) => (index.has(name) ? (cells[index.get(name)!] ?? '').trim() : '') };
}

interface ContestRisk {
  contest: string;
  risk: number;
  confirmed: boolean;
  pairs?: Array<{ winner: string; loser: string; risk: number }>;
}

function riskFromResults(type: AuditType, limit: number, contests: readonly Contest[], resultsFile: string, batchesFile: string | undefined): ContestRisk[] {
  const byName = new Map(contests.map((c) => [c.name, c]));
  const problems: RowProblem[] = [];
  /** The row's contest, or a problem noted for its line. */
  const contestOfRow = (row: CsvRow, get: (cells: string[], name: string) => string): Contest | undefined => {
    const name = get(row.cells, 'contest');
    const c = byName.get(name);
    if (!c) problems.push({ line: row.line, column: 'Contest', message: `${name} is not in the contests file.` });
    return c;
  };
  if (type === 'ballot-polling') {
    const { body, get } = readRows(resultsFile, ['Contest', 'Choice', 'Votes']);
    const tallies = new Map<string, Record<string, number>>();
    for (const row of body) {
      const c = contestOfRow(row, get);
      if (!c) continue;
      const ch = get(row.cells, 'choice');
      const n = wholeNumber(get(row.cells, 'votes'));
      if (!(ch in c.candidates)) problems.push({ line: row.line, column: 'Choice', message: `${ch} is not a choice in ${c.name}.` });
      else if (n === null) problems.push({ line: row.line, column: 'Votes', message: `"${get(row.cells, 'votes')}" is not a whole number of votes.` });
      else {
        const t = tallies.get(c.name) ?? {};
        t[ch] = (t[ch] ?? 0) + n;
        tallies.set(c.name, t);
      }
    }
    if (problems.length) throw fileProblems(resultsFile, problems);
    return contests.map((c) => {
      const r = ballotPollingRisk(limit, c, tallies.get(c.name) ?? {});
      return { contest: c.name, risk: r.risk, confirmed: r.confirmed, pairs: r.pairs.map((p) => ({ ...p })) };
    });
  }
  if (type === 'ballot-comparison') {
    const { body, get } = readRows(resultsFile, ['Contest', 'Ballots Sampled', 'One-Vote Overstatements', 'Two-Vote Overstatements']);
    const out: ContestRisk[] = [];
    for (const row of body) {
      const c = contestOfRow(row, get);
      if (!c) continue;
      const [n, o1, o2] = ['ballots sampled', 'one-vote overstatements', 'two-vote overstatements'].map((k) => wholeNumber(get(row.cells, k)));
      if (n == null || o1 == null || o2 == null || o1 + o2 > n) {
        problems.push({ line: row.line, message: 'Ballots sampled and overstatements must be whole numbers, with no more overstatements than ballots.' });
        continue;
      }
      // Overstatements counted against the closest pair: the most conservative reading of a count.
      const V = c.dilutedMargin * c.ballots;
      const sample: SampledComparison[] = [
        { timesSampled: n - o1 - o2, discrepancy: null },
        { timesSampled: o1, discrepancy: { countedAs: 1, weightedError: 1 / V } },
        { timesSampled: o2, discrepancy: { countedAs: 2, weightedError: 2 / V } },
      ];
      const r = ballotComparisonRisk(limit, c, sample);
      out.push({ contest: c.name, risk: r.risk, confirmed: r.confirmed });
    }
    if (problems.length) throw fileProblems(resultsFile, problems);
    // A contest with no results yet has not been audited: its risk is still 1.
    for (const c of contests) if (!out.some((r) => r.contest === c.name)) out.push({ contest: c.name, risk: 1, confirmed: false });
    return out;
  }
  if (!batchesFile) throw new AppError('validation-failed', 'Batch comparison needs the reported batch tallies: --batches FILE');
  const reported = readBatchTallies(batchesFile, contests);
  const { body, get } = readRows(resultsFile, ['Batch Name', 'Contest', 'Choice', 'Votes'], ['Times Sampled']);
  const audited = new Map<string, Map<string, { votes: Record<string, number>; times: number }>>();
  for (const row of body) {
    const c = contestOfRow(row, get);
    if (!c) continue;
    const batch = get(row.cells, 'batch name');
    if (!reported.get(c.name)!.has(batch)) {
      problems.push({ line: row.line, column: 'Batch Name', message: `The batch "${batch}" is not in ${batchesFile}.` });
      continue;
    }
    const n = wholeNumber(get(row.cells, 'votes'));
    const times = get(row.cells, 'times sampled') ? wholeNumber(get(row.cells, 'times sampled')) : 1;
    if (n === null || !times) {
      problems.push({ line: row.line, message: 'Votes and times sampled must be whole numbers.' });
      continue;
    }
    const m = audited.get(c.name) ?? new Map();
    const e = m.get(batch) ?? { votes: {}, times };
    e.votes[get(row.cells, 'choice')] = n;
    m.set(batch, e);
    audited.set(c.name, m);
  }
  if (problems.length) throw fileProblems(resultsFile, problems);
  return contests.map((c) => {
    const sample: SampledBatch[] = [];
    for (const [batch, e] of audited.get(c.name) ?? []) for (let i = 0; i < e.times; i++) sample.push({ batch, ticket: `${batch}\u0000${i}`, audited: e.votes });
    const r = batchComparisonRisk(limit, c, reported.get(c.name)!, sample);
    return { contest: c.name, risk: r.risk, confirmed: r.confirmed };
  });
}

const pct = (x: number) => `${x < 0.0001 && x > 0 ? x.toExponential(1) : (Math.round(x * 10000) / 100).toString()}%`;

export function registerRla(program: Command): void {
  const rla = program.command('rla').description('Risk-limiting audits offline: draw a sample, size one, measure risk — from public inputs only');

  rla
    .command('sample')
    .description("Draw ballots with Rivest's consistent sampler exactly as Arlo does: the same seed and manifests give the same tickets")
    .requiredOption('--seed <seed>', 'the public random seed (the dice rolls)')
    .requiredOption('--size <n>', 'how many draws', positiveInt)
    .option('--without-replacement', 'draw each ballot at most once (Arlo draws with replacement)')
    .option('--ids <file>', 'ballot ids, one per line, each hashed exactly as written')
    .option('--manifest <county=file...>', 'a county\'s ballot manifest CSV (Container, Tabulator, Batch Name, Number of Ballots); repeat per county')
    .option('--skip <n>', 'leave out the first n draws (earlier rounds)', nonNegativeInt, 0)
    .option('--digits <n>', `significant ticket digits (Arlo: ${ARLO_TICKET_DIGITS}; the reference's default: 9)`, positiveInt, ARLO_TICKET_DIGITS)
    .option('--json', 'one JSON object per draw, in draw order')
    .addHelpText('after', '\nExample:\n  eoc rla sample --seed 32175498321765498321 --size 5 --manifest "Adams=adams.csv" --manifest "Baker=baker.csv" --json')
    .action(async (flags: { seed: string; size: number; withoutReplacement?: boolean; ids?: string; manifest?: string[]; skip: number; digits: number; json?: boolean }) => {
      if (!flags.seed.trim()) throw new AppError('validation-failed', '--seed is empty');
      if (!flags.ids === !flags.manifest?.length) throw new AppError('validation-failed', 'Give either --ids FILE or one or more --manifest COUNTY=FILE');
      if (!/(\d.*){20}/.test(flags.seed)) process.stderr.write('eoc: note: an audit seed should have at least 20 digits from dice\n');
      const take = flags.skip + flags.size;
      const replace = !flags.withoutReplacement;
      const out: string[] = [];
      if (flags.ids) {
        const ids = readIds(flags.ids);
        let draws;
        try {
          draws = sampleIds(flags.seed, ids, take, replace, flags.digits);
        } catch (error) {
          throw new AppError('validation-failed', `${flags.ids}: ${(error as Error).message}`);
        }
        for (const d of draws.slice(flags.skip)) out.push(flags.json ? JSON.stringify({ ticket: d.ticket, id: d.item, timesSampled: d.timesSampled }) : `${d.ticket}  ${String(d.item)}${d.timesSampled > 1 ? `  (drawn ${d.timesSampled} times)` : ''}`);
      } else {
        const batches = readManifests(flags.manifest!);
        const draws = flags.digits === ARLO_TICKET_DIGITS ? await sampleBallotsParallel(flags.seed, batches, take, replace) : null;
        if (!draws) throw new AppError('validation-failed', '--digits applies to --ids only; manifests are sampled as Arlo does (18 digits)');
        if (!flags.json) out.push(['Ticket', 'County', 'Tabulator', 'Batch', 'Ballot', 'Times drawn'].join('\t'));
        for (const d of draws.slice(flags.skip)) {
          const b = d.item;
          out.push(flags.json ? JSON.stringify({ ticket: d.ticket, county: b.county, tabulator: b.tabulator, batch: b.batch, position: b.position, timesSampled: d.timesSampled }) : [d.ticket, b.county, b.tabulator ?? '', b.batch, b.position, d.timesSampled].join('\t'));
        }
      }
      await new Promise<void>((resolve) => process.stdout.write(out.length ? `${out.join('\n')}\n` : '', () => resolve()));
    });

  rla
    .command('sample-size')
    .description('Sample-size options for one contest, as Arlo computes them')
    .requiredOption('--type <type>', AUDIT_TYPES.join(', '), choice(AUDIT_TYPES, '--type'))
    .requiredOption('--risk-limit <pct>', 'the risk limit in percent, e.g. 10', riskLimit)
    .requiredOption('--ballots <n>', 'ballots cast in the contest', positiveInt)
    .requiredOption('--votes <list>', 'reported votes per choice: 600,400 or Alice=600,Bob=400')
    .option('--winners <k>', 'how many choices win (vote for N)', positiveInt, 1)
    .option('--votes-allowed <n>', 'votes each voter may cast (default: the winners)', positiveInt)
    .option('--sample <list>', 'ballot polling, later rounds: votes per choice in the sample so far, in --votes order')
    .option('--sampled <n>', 'later rounds: ballots (polling, comparison) or batches drawn so far', nonNegativeInt, 0)
    .option('--one-vote-over <n>', 'ballot comparison, later rounds: one-vote overstatements so far', nonNegativeInt, 0)
    .option('--two-vote-over <n>', 'ballot comparison, later rounds: two-vote overstatements so far', nonNegativeInt, 0)
    .option('--batches <file>', 'batch comparison: reported tallies per batch (Batch Name, Number of Ballots, a column per choice)')
    .option('--json', 'print the options as JSON, keyed like Arlo: asn, 0.7, 0.8, 0.9 (polling), supersimple, macro')
    .action((flags: { type: AuditType; riskLimit: number; ballots: number; votes: string; winners: number; votesAllowed?: number; sample?: string; sampled: number; oneVoteOver: number; twoVoteOver: number; batches?: string; json?: boolean }) => {
      const contest = checkedContest({ name: 'Contest', choices: parseVotes(flags.votes), ballots: flags.ballots, numWinners: flags.winners, ...(flags.votesAllowed ? { votesAllowed: flags.votesAllowed } : {}) });
      let options: Array<{ key: string; size: number; prob: number | null }>;
      let unit: 'ballot' | 'batch' = 'ballot';
      try {
        if (flags.type === 'ballot-polling') {
          let sample: Record<string, number> | null = null;
          if (flags.sample) {
            const counts = flags.sample.split(',').map((v) => wholeNumber(v));
            const names = Object.keys(contest.candidates);
            if (counts.length !== names.length || counts.some((c) => c === null)) throw new AppError('validation-failed', `--sample: give ${names.length} whole numbers, one per choice in --votes order`);
            sample = Object.fromEntries(names.map((n, i) => [n, counts[i]!]));
          }
          options = ballotPollingSampleSizes(flags.riskLimit, contest, sample, flags.sampled);
        } else if (flags.type === 'ballot-comparison') {
          const size = ballotComparisonSampleSize(flags.riskLimit, contest, flags.sampled ? { sampled: flags.sampled, oneVoteOverstatements: flags.oneVoteOver, twoVoteOverstatements: flags.twoVoteOver } : undefined);
          options = [{ key: 'supersimple', size, prob: null }];
        } else {
          if (!flags.batches) throw new AppError('validation-failed', 'Batch comparison sizes the sample from each batch\'s reported votes: --batches FILE (Batch Name, Number of Ballots, a column per choice named as in --votes)');
          const batches = readBatchTallies(flags.batches, [contest]).get('Contest')!;
          options = [{ key: 'macro', size: batchComparisonSampleSize(flags.riskLimit, contest, batches), prob: null }];
          unit = 'batch';
        }
      } catch (error) {
        if (error instanceof AuditMathError) throw new AppError('validation-failed', error.message);
        throw error;
      }
      const obj = optionsObject(options);
      process.stdout.write(flags.json ? `${JSON.stringify(obj)}\n` : `${options.map((o) => describeOption(o, unit)).join('\n')}\n`);
    });

  rla
    .command('risk')
    .description("Measure a round's risk per contest from the results so far")
    .requiredOption('--type <type>', AUDIT_TYPES.join(', '), choice(AUDIT_TYPES, '--type'))
    .requiredOption('--risk-limit <pct>', 'the risk limit in percent', riskLimit)
    .requiredOption('--contests <file>', 'CSV: Contest, Choice, Votes, Ballots Cast (and Winners, Votes Allowed)')
    .requiredOption('--results <file>', 'CSV of the audit so far — polling: Contest, Choice, Votes; comparison: Contest, Ballots Sampled, One-Vote Overstatements, Two-Vote Overstatements; batch: Batch Name, Contest, Choice, Votes (and Times Sampled)')
    .option('--batches <file>', 'batch comparison: reported tallies per batch (Batch Name, Number of Ballots, a column per choice or "Contest: Choice")')
    .option('--json', 'print {"riskLimit", "confirmed", "contests": [{contest, risk, confirmed, pairs?}]}')
    .action((flags: { type: AuditType; riskLimit: number; contests: string; results: string; batches?: string; json?: boolean }) => {
      const contests = readContests(flags.contests);
      const results = riskFromResults(flags.type, flags.riskLimit, contests, flags.results, flags.batches);
      const confirmed = results.length > 0 && results.every((r) => r.confirmed);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ riskLimit: flags.riskLimit, confirmed, contests: results })}\n`);
        return;
      }
      const lines = results.map((r) => `${r.contest}: risk ${pct(r.risk)} — ${r.confirmed ? `at or under the ${flags.riskLimit}% limit: confirmed` : `above the ${flags.riskLimit}% limit: keep auditing`}`);
      lines.push(confirmed ? 'The audit can stop: every contest is confirmed.' : 'The audit goes on: draw another round (or count by hand).');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
