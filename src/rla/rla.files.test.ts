// The counties' files, row by row: manifests in the encodings spreadsheets write, with the mistakes people make;
// batch tallies; cast vote records in the plain layout and as Dominion exports them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCsv, parseManifest, wholeNumber } from './manifest.js';
import { parseCvrs, parseTallies } from './tallies.js';

const contests = [
  { name: 'Governor', choices: ['Alice Adams', 'Bob Brown'] },
  { name: 'Measure A', choices: ['Yes', 'No'] },
];

describe('ballot manifests', () => {
  it('reads UTF-8, UTF-8 with a BOM and Windows-1252 alike, and refuses UTF-16 and binary files', () => {
    const text = 'Container,Tabulator,Batch Name,Number of Ballots\r\nBox 1,T1,Peña 1,"1,200"\r\n';
    const utf8 = parseManifest(Buffer.from(text));
    const bom = parseManifest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const cp1252 = parseManifest(Buffer.from(text, 'latin1'));
    for (const m of [utf8, bom, cp1252]) {
      expect(m.problems).toEqual([]);
      expect(m.rows).toEqual([{ container: 'Box 1', tabulator: 'T1', batch: 'Peña 1', ballots: 1200, line: 2 }]);
    }
    expect([utf8.encoding, bom.encoding, cp1252.encoding]).toEqual(['utf-8', 'utf-8-bom', 'windows-1252']);
    expect(parseManifest(Buffer.from(`\ufeff${text}`, 'utf16le')).problems[0]!.message).toMatch(/UTF-16/);
    expect(parseManifest(Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0])).problems[0]!.message).toMatch(/not a text file/);
    expect(decodeCsv(Buffer.alloc(0))).toEqual({ problem: 'The file is empty.' });
  });

  it('reports every bad row with its line, and a missing column by name', () => {
    const m = parseManifest(Buffer.from('Batch Name,Number of Ballots\nA,10\nA,5\nB,-3\nC,\n,4\nGrand Total,19\nD,2.5\n'));
    expect(m.problems.map((p) => [p.line, p.column ?? null])).toEqual([[3, 'Batch Name'], [4, 'Number of Ballots'], [5, 'Number of Ballots'], [6, 'Batch Name'], [7, null], [8, 'Number of Ballots']]);
    expect(parseManifest(Buffer.from('Batch,Ballots\nA,1\n')).problems.map((p) => p.column)).toEqual(['Batch Name', 'Number of Ballots']);
    // The same batch name under two tabulators is two batches.
    expect(parseManifest(Buffer.from('Tabulator,Batch Name,Number of Ballots\nT1,A,1\nT2,A,1\n')).problems).toEqual([]);
  });

  it('reads whole numbers as spreadsheets write them, and nothing else', () => {
    expect(['12', ' 12 ', '1,234', '1,234,567'].map(wholeNumber)).toEqual([12, 12, 1234, 1234567]);
    expect(['', '1.5', '-1', '1,23', 'ten', '1e3'].map(wholeNumber)).toEqual([null, null, null, null, null, null]);
    fc.assert(fc.property(fc.nat(), (n) => {
      expect(wholeNumber(n.toLocaleString('en-US'))).toBe(n);
    }));
  });
});

describe('batch tallies', () => {
  it('reads votes per choice, names shared choices by contest, and checks every row', () => {
    const shared = [{ name: 'Council', choices: ['Kim', 'Lee'] }, { name: 'School Board', choices: ['Kim', 'Ray'] }];
    const ok = parseTallies(Buffer.from('Batch Name,Number of Ballots,Council: Kim,Lee,School Board: Kim,Ray\nP1,100,60,40,50,45\n'), shared);
    expect(ok.problems).toEqual([]);
    expect(ok.rows[0]).toMatchObject({ batch: 'P1', ballots: 100, votes: { Council: { Kim: 60, Lee: 40 }, 'School Board': { Kim: 50, Ray: 45 } } });
    const bad = parseTallies(Buffer.from('Batch Name,Council: Kim,Lee,School Board: Kim,Ray\nP1,60,x,1,1\nTotal,1,1,1,1\nP1,1,1,1,1\n'), shared);
    expect(bad.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(parseTallies(Buffer.from('Batch Name,Kim,Lee\nP1,1,1\n'), shared).problems[0]!.message).toMatch(/Name it "Council: Kim"/);
  });
});

describe('cast vote records', () => {
  it('reads the plain layout: 1, 0, or empty when the contest is not on the ballot', () => {
    const r = parseCvrs(Buffer.from('Tabulator,Batch Name,Ballot Position,Alice Adams,Bob Brown,Yes,No\nT1,B1,1,1,0,,\nT1,B1,2,0,1,1,0\nT1,B1,2,0,1,1,0\nT1,B1,3,1,,0,0\n'), contests);
    expect(r.rows.map((x) => [x.position, x.votes])).toEqual([[1, { Governor: { 'Alice Adams': 1, 'Bob Brown': 0 } }], [2, { Governor: { 'Alice Adams': 0, 'Bob Brown': 1 }, 'Measure A': { Yes: 1, No: 0 } }]]);
    expect(r.problems.map((p) => p.line)).toEqual([4, 5]);
  });

  it("reads Dominion's CVR export as it comes out of the election management system", () => {
    const dominion = [
      'November General Election,5.10.11.24,,,,,,,,,',
      ',,,,,,,Governor (Vote For=1),Governor (Vote For=1),Measure A (Vote For=1),Measure A (Vote For=1)',
      ',,,,,,,Alice Adams,Bob Brown,Yes,No',
      'CvrNumber,TabulatorNum,BatchId,RecordId,ImprintedId,CountingGroup,BallotType,DEM,REP,,',
      '1,="5",="12",="1",5-12-1,Election Day,Ballot 1,1,0,0,1',
      '2,="5",="12",="2",5-12-2,Election Day,Ballot 1,0,1,,',
      '3,="5",="12",="3",5-12-3,Election Day,Ballot 1,1,,1,0',
      '4,="5",="12",="1",5-12-1,Election Day,Ballot 1,1,0,0,1',
    ].join('\r\n');
    const r = parseCvrs(Buffer.from(dominion), contests);
    expect(r.rows).toEqual([
      { tabulator: '5', batch: '12', position: 1, votes: { Governor: { 'Alice Adams': 1, 'Bob Brown': 0 }, 'Measure A': { Yes: 0, No: 1 } }, line: 5 },
      { tabulator: '5', batch: '12', position: 2, votes: { Governor: { 'Alice Adams': 0, 'Bob Brown': 1 } }, line: 6 },
    ]);
    expect(r.problems.map((p) => p.line)).toEqual([7, 8]);
    const renamed = parseCvrs(Buffer.from(dominion.replace('Alice Adams', 'A. Adams')), contests);
    expect(renamed.problems[0]!.message).toMatch(/no column for Alice Adams in Governor/);
  });
});
