// Sampling benchmark: draw 1,000 ballots (with replacement, as Arlo does) from a generated 10,000,000-ballot
// manifest of ten counties with `eoc rla sample` (the shipped command, its own process), and in the same run with
// the reference consistent sampler in Debian's python3 on the same input. The reference is not part of this
// repository: pass a checkout of it (git clone https://github.com/ron-rivest/consistent_sampler, or VotingWorks'
// fork that Arlo pins) with --reference DIR or RLA_REFERENCE_DIR. The two outputs must be identical, draw for
// draw. Peak memory of ours is also taken on a manifest a tenth the size, and for ten times the draws: it should
// follow the sample, not the manifest.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './server.js';

const SEED = '32175498321765498321';

interface Manifests {
  readonly dir: string;
  readonly specs: string[];
  readonly ballots: number;
}

/** Ten counties of batches of 500 ballots on 7 tabulators, written as the CSV a county uploads. */
function ensureManifests(ballots: number, log: (s: string) => void): Manifests {
  const dir = path.join(root, '.bench-data', 'rla', String(ballots));
  fs.mkdirSync(dir, { recursive: true });
  const counties = 10;
  const perCounty = ballots / counties;
  const specs: string[] = [];
  for (let c = 0; c < counties; c++) {
    const name = `County ${String.fromCharCode(65 + c)}`;
    const file = path.join(dir, `county-${c}.csv`);
    specs.push(`${name}=${file}`);
    if (fs.existsSync(file)) continue;
    const lines = ['Container,Tabulator,Batch Name,Number of Ballots'];
    for (let b = 0, left = perCounty; left > 0; b++) {
      const n = Math.min(500, left);
      lines.push(`Box ${Math.floor(b / 20) + 1},TAB-${(b % 7) + 1},Batch ${b + 1},${n}`);
      left -= n;
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  }
  log(`manifests: ${counties} counties, ${ballots.toLocaleString('en-US')} ballots in ${dir}`);
  return { dir, specs, ballots };
}

// The driver that feeds the reference: the same ids Arlo builds, ((county, tabulator, batch), position), from the
// same CSV files, lazily (a generator), so the reference's own time is what is measured.
const DRIVER = `import csv, json, sys
sys.path.insert(0, sys.argv[1])
try:
    from consistent_sampler import sampler
except ImportError:
    sys.path.insert(0, sys.argv[1] + '/consistent_sampler')
    from consistent_sampler import sampler
seed, size, specs = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
def ballots():
    for spec in specs:
        county, path = spec.split('=', 1)
        with open(path, encoding='utf-8-sig', newline='') as f:
            for row in csv.DictReader(f):
                key = (county, row.get('Tabulator') or None, row['Batch Name'])
                for position in range(1, int(row['Number of Ballots']) + 1):
                    yield (key, position)
out = sys.stdout
for ticket, (key, position), generation in sampler(ballots(), seed=seed, take=size, with_replacement=True, output='tuple', digits=18):
    out.write(json.dumps({"ticket": ticket, "county": key[0], "tabulator": key[1], "batch": key[2], "position": position, "timesSampled": generation}) + "\\n")
`;

interface Run {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly lines: string[];
}

function run(cmd: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-800)}`));
      const m = /MAXRSS (\d+)/.exec(stderr);
      resolve({ seconds, peakMiB: m ? Number(m[1]) / 1024 : NaN, lines: stdout.split('\n').filter(Boolean) });
    });
  });
}

const ours = (m: Manifests, size: number) => run(process.execPath, [path.join(root, 'bin/eoc.js'), 'rla', 'sample', '--seed', SEED, '--size', String(size), ...m.specs.flatMap((s) => ['--manifest', s]), '--json']);

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export async function runRlaBench(options: { ballots: number; draws: number; reference: string | undefined }, log: (s: string) => void): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist/cli/rla-entry.js'))) throw new Error('Build first: npm run build:server');
  const big = ensureManifests(options.ballots, log);
  const small = ensureManifests(options.ballots / 10, log);
  log(`eoc rla sample: ${fmt(options.draws)} draws from ${fmt(big.ballots)} ballots`);
  const mine = await ours(big, options.draws);
  const rows: string[][] = [['eoc rla sample (2 worker threads)', fmt(big.ballots), fmt(options.draws), fmt(mine.seconds, 2), fmt(big.ballots / mine.seconds / 1e6, 2), fmt(mine.peakMiB)]];
  let verdict = 'reference not run (pass --reference DIR, a checkout of the consistent_sampler repository)';
  let ratio: number | null = null;
  if (options.reference && fs.existsSync(options.reference)) {
    const driver = path.join(root, '.bench-data', 'rla', 'reference-driver.py');
    fs.writeFileSync(driver, DRIVER);
    log('reference sampler (python3): the same draws — this takes a while');
    const ref = await run('python3', [driver, path.resolve(options.reference), SEED, String(options.draws), ...big.specs]);
    rows.push(['reference consistent_sampler (python3)', fmt(big.ballots), fmt(options.draws), fmt(ref.seconds, 2), fmt(big.ballots / ref.seconds / 1e6, 2), fmt(ref.peakMiB)]);
    const norm = (lines: string[]) => lines.map((l) => JSON.stringify(JSON.parse(l)));
    const a = norm(mine.lines);
    const b = norm(ref.lines);
    const firstDiff = a.findIndex((x, i) => x !== b[i]);
    const same = a.length === b.length && firstDiff === -1;
    ratio = ref.seconds / mine.seconds;
    verdict = same ? `identical: ${fmt(a.length)} draws, ticket for ticket` : `DIFFERENT at draw ${firstDiff + 1}: ours ${a[firstDiff]} / reference ${b[firstDiff]}`;
  }
  log(`memory: the same draws from a tenth of the manifest, and ten times the draws`);
  const tenth = await ours(small, options.draws);
  const more = await ours(big, options.draws * 10);
  rows.push(['eoc rla sample, a tenth of the manifest', fmt(small.ballots), fmt(options.draws), fmt(tenth.seconds, 2), fmt(small.ballots / tenth.seconds / 1e6, 2), fmt(tenth.peakMiB)]);
  rows.push(['eoc rla sample, ten times the draws', fmt(big.ballots), fmt(options.draws * 10), fmt(more.seconds, 2), fmt(big.ballots / more.seconds / 1e6, 2), fmt(more.peakMiB)]);
  process.stdout.write(`\n${table(['sampler', 'ballots', 'draws', 'seconds', 'M ballots/s', 'peak MiB'], rows)}\n\n`);
  process.stdout.write(`output: ${verdict}\n`);
  if (ratio !== null) process.stdout.write(`speed: ${fmt(ratio, 1)}× the reference (target ≥ 10×)\n`);
  process.stdout.write(`memory: ${fmt(mine.peakMiB)} MiB for ${fmt(big.ballots)} ballots vs ${fmt(tenth.peakMiB)} MiB for ${fmt(small.ballots)} (×${fmt(mine.peakMiB / tenth.peakMiB, 2)} for ×10 ballots); ${fmt(more.peakMiB)} MiB for ×10 draws\n`);
}

