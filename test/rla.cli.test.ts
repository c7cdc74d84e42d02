// `eoc rla` as anyone checking an audit runs it: the reference sampler's documented examples through --ids, a
// two-county manifest sample equal to the reference Python sampler's output for the same files, Arlo's sample
// sizes, the risk of a round from CSV files, and bad input refused with exit code 2 and what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEoc } from './run-eoc.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-rla-'));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const json = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('eoc rla sample', () => {
  it("draws the reference's documented examples from a list of ids", { timeout: 60_000 }, async () => {
    const ids = file('ids.txt', `${Array.from({ length: 100 }, (_, i) => i).join('\n')}\n`);
    const r = await runEoc(['rla', 'sample', '--seed', '41', '--size', '5', '--ids', ids, '--without-replacement', '--digits', '9', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toEqual([
      { ticket: '0.000508333', id: '73', timesSampled: 1 },
      { ticket: '0.003446232', id: '51', timesSampled: 1 },
      { ticket: '0.004419823', id: '17', timesSampled: 1 },
      { ticket: '0.020115273', id: '58', timesSampled: 1 },
      { ticket: '0.023482375', id: '38', timesSampled: 1 },
    ]);
    const next = await runEoc(['rla', 'sample', '--seed', '41', '--size', '5', '--skip', '5', '--ids', ids, '--without-replacement', '--json']);
    expect(json(next.stdout).map((d) => d.id)).toEqual(['42', '39', '20', '11', '67']);
    const replaced = await runEoc(['rla', 'sample', '--seed', '314159', '--size', '8', '--ids', file('abcd.txt', 'A#2\r\nB#7\r\nC#1\r\nD#4\r\n'), '--json']);
    expect(json(replaced.stdout).map((d) => [d.id, d.timesSampled])).toEqual([['D#4', 1], ['C#1', 1], ['C#1', 2], ['B#7', 1], ['A#2', 1], ['C#1', 3], ['D#4', 2], ['B#7', 2]]);
  });

  it('samples county manifests exactly as the reference Python sampler does with Arlo\u2019s ids', { timeout: 60_000 }, async () => {
    const adams = file('adams.csv', 'Container,Tabulator,Batch Name,Number of Ballots\nBox 1,T1,Precinct 1,120\nBox 1,T1,Precinct 2,95\nBox 2,,Absentee "A",300\n');
    const baker = file('baker.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Batch Name,Number of Ballots\nEarly 1,250\nDoña,40\n')]));
    const r = await runEoc(['rla', 'sample', '--seed', '32175498321765498321', '--size', '6', '--manifest', `Adams=${adams}`, '--manifest', `Baker County=${baker}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    // The output of consistent_sampler.sampler(ids, seed, take=6, with_replacement=True, digits=18) for these files.
    expect(json(r.stdout)).toEqual([
      { ticket: '0.000695910225824856', county: 'Adams', tabulator: null, batch: 'Absentee "A"', position: 162, timesSampled: 1 },
      { ticket: '0.001141037971831315', county: 'Adams', tabulator: 'T1', batch: 'Precinct 2', position: 63, timesSampled: 1 },
      { ticket: '0.005203514523758887', county: 'Baker County', tabulator: null, batch: 'Early 1', position: 139, timesSampled: 1 },
      { ticket: '0.005260979276933135', county: 'Adams', tabulator: 'T1', batch: 'Precinct 1', position: 49, timesSampled: 1 },
      { ticket: '0.006515675969738745', county: 'Adams', tabulator: null, batch: 'Absentee "A"', position: 147, timesSampled: 1 },
      { ticket: '0.008241029694592411', county: 'Baker County', tabulator: null, batch: 'Doña', position: 28, timesSampled: 1 },
    ]);
    // The same manifest saved by Excel on Windows (Windows-1252) gives the same sample.
    const cp1252 = file('baker-1252.csv', Buffer.from('Batch Name,Number of Ballots\nEarly 1,250\nDo\xf1a,40\n', 'latin1'));
    const again = await runEoc(['rla', 'sample', '--seed', '32175498321765498321', '--size', '6', '--manifest', `Baker County=${cp1252}`, '--manifest', `Adams=${adams}`, '--json']);
    expect(again.stdout).toBe(r.stdout);
    const human = await runEoc(['rla', 'sample', '--seed', '32175498321765498321', '--size', '2', '--manifest', `Adams=${adams}`]);
    expect(human.stdout.split('\n')[0]).toBe('Ticket\tCounty\tTabulator\tBatch\tBallot\tTimes drawn');
  });

  it('refuses bad input with exit code 2 and says what is wrong', { timeout: 60_000 }, async () => {
    const adams = file('adams2.csv', 'Batch Name,Number of Ballots\nP1,10\n');
    const bad = file('bad.csv', 'Batch Name,Number of Ballots\nP1,10\nP1,12\nP2,many\nTotal,22\n');
    const cases: Array<[string[], RegExp]> = [
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3'], /either --ids FILE or one or more --manifest/],
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3', '--ids', adams, '--manifest', `A=${adams}`], /either --ids/],
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3', '--manifest', `A=${bad}`], /line 3 \(Batch Name\): The batch "P1" is already listed on line 2[\s\S]*line 4 \(Number of Ballots\)[\s\S]*totals row/],
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3', '--manifest', adams], /COUNTY=FILE/],
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3', '--manifest', `A=${path.join(dir, 'missing.csv')}`], /no such file/],
      [['rla', 'sample', '--seed', '12345678901234567890', '--size', '3', '--ids', file('dup.txt', 'a\nb\na\n')], /appears twice/],
      [['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '10', '--ballots', '100', '--votes', '600,400'], /more votes than ballots cast/],
      [['rla', 'sample-size', '--type', 'batch-comparison', '--risk-limit', '10', '--ballots', '1000', '--votes', '600,400'], /--batches FILE/],
    ];
    for (const [args, message] of cases) {
      const r = await runEoc(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect((await runEoc(['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '50', '--ballots', '1000', '--votes', '600,400'])).code).toBe(0);
    expect((await runEoc(['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '0', '--ballots', '1000', '--votes', '600,400'])).code).not.toBe(0);
  });
});

describe('eoc rla sample-size and risk', () => {
  it("prints Arlo's options", { timeout: 60_000 }, async () => {
    const polling = await runEoc(['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '10', '--ballots', '1000', '--votes', '600,400', '--json']);
    expect(polling.code, polling.stderr).toBe(0);
    expect(JSON.parse(polling.stdout)).toEqual({
      asn: { key: 'asn', size: 119, prob: 0.52 },
      '0.7': { key: '0.7', size: 184, prob: 0.7 },
      '0.8': { key: '0.8', size: 244, prob: 0.8 },
      '0.9': { key: '0.9', size: 351, prob: 0.9 },
    });
    const vote2 = await runEoc(['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '10', '--ballots', '700', '--votes', 'A=300,B=200,C=100', '--winners', '2', '--json']);
    expect(JSON.parse(vote2.stdout)).toEqual({ asn: { key: 'asn', size: 101, prob: null } });
    const comparison = await runEoc(['rla', 'sample-size', '--type', 'ballot-comparison', '--risk-limit', '10', '--ballots', '100000', '--votes', '60000,40000', '--json']);
    expect(JSON.parse(comparison.stdout)).toEqual({ supersimple: { key: 'supersimple', size: 27, prob: null } });
    const rows = ['Batch Name,Number of Ballots,Choice 1,Choice 2'];
    for (let i = 0; i < 200; i++) rows.push(`Batch ${i},400,200,180`, `Batch ${i} AV,200,100,90`);
    const batches = file('tallies.csv', rows.join('\n'));
    const macro = await runEoc(['rla', 'sample-size', '--type', 'batch-comparison', '--risk-limit', '25', '--ballots', '120000', '--votes', '60000,54000', '--batches', batches, '--json']);
    expect(macro.code, macro.stderr).toBe(0);
    expect(JSON.parse(macro.stdout)).toEqual({ macro: { key: 'macro', size: 30, prob: null } });
    const human = await runEoc(['rla', 'sample-size', '--type', 'ballot-polling', '--risk-limit', '10', '--ballots', '1000', '--votes', '600,400']);
    expect(human.stdout).toContain('asn: 119 ballots on average (52% chance of finishing in one round)');
  });

  it('measures the risk per contest from a round\u2019s results', { timeout: 60_000 }, async () => {
    const contests = file('contests.csv', 'Contest,Choice,Votes,Ballots Cast,Winners\nMayor,Alice,600,1000,1\nMayor,Bob,400,,\nMeasure A,Yes,60000,100000,1\nMeasure A,No,40000,,\n');
    const polling = await runEoc(['rla', 'risk', '--type', 'ballot-polling', '--risk-limit', '10', '--contests', contests, '--results', file('polling.csv', 'Contest,Choice,Votes\nMayor,Alice,72\nMayor,Bob,47\nMeasure A,Yes,10\nMeasure A,No,9\n'), '--json']);
    expect(polling.code, polling.stderr).toBe(0);
    const p = JSON.parse(polling.stdout) as { confirmed: boolean; contests: Array<{ contest: string; risk: number; confirmed: boolean }> };
    expect(p.contests[0]!.risk).toBeCloseTo(1 / (1.2 ** 72 * 0.8 ** 47), 12);
    expect(p.contests.map((c) => c.confirmed)).toEqual([true, false]);
    expect(p.confirmed).toBe(false);
    const comparison = await runEoc(['rla', 'risk', '--type', 'ballot-comparison', '--risk-limit', '10', '--contests', contests, '--results', file('cmp.csv', 'Contest,Ballots Sampled,One-Vote Overstatements,Two-Vote Overstatements\nMeasure A,27,0,0\n')]);
    expect(comparison.stdout).toContain('Measure A: risk 6.51% — at or under the 10% limit: confirmed');
    expect(comparison.stdout).toContain('Mayor: risk 100% — above the 10% limit');
    const wrong = await runEoc(['rla', 'risk', '--type', 'ballot-polling', '--risk-limit', '10', '--contests', contests, '--results', file('wrong.csv', 'Contest,Choice,Votes\nMayor,Carol,3\nGovernor,X,1\n')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Carol is not a choice in Mayor');
    expect(wrong.stderr).toContain('Governor is not in the contests file');
  });
});
