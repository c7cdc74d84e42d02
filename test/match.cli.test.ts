// `eoc match` as an office runs it on a machine that is not connected: STIX and CSV indicator files (with bad
// rows), a log file with matching, clean, off-format and binary lines; one JSON object per match and a summary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEoc } from './run-eoc.js';

const eoc = (args: string[]) => runEoc(args);

describe('eoc match', () => {
  it('prints each match and a summary, and counts what it could not use', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-match-'));
    const bundle = path.join(dir, 'feed.json');
    fs.writeFileSync(bundle, JSON.stringify({
      type: 'bundle',
      id: 'bundle--6b2f6f2e-0d5c-4b0e-9f3c-2f4c1f0a9b11',
      objects: [
        { type: 'indicator', spec_version: '2.1', id: 'indicator--11111111-1111-4111-8111-111111111111', created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z', pattern: "[ipv4-addr:value ISSUBSET '203.0.113.0/24']" },
        { type: 'indicator', spec_version: '2.1', id: 'indicator--22222222-2222-4222-8222-222222222222', created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z', pattern: "[domain-name:value = 'fake-results.example']" },
        { type: 'indicator', spec_version: '2.1', id: 'indicator--33333333-3333-4333-8333-333333333333', created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z', pattern: "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']" },
        { type: 'malware', spec_version: '2.1', id: 'malware--44444444-4444-4444-8444-444444444444', created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z', name: 'x', is_family: true },
      ],
    }));
    const csv = path.join(dir, 'list.csv');
    fs.writeFileSync(csv, 'type,value\nip,198.51.100[.]7\nurl,https://ballot-help.example/login\nip,999.1.1.1\ntoaster,x\n');
    const log = path.join(dir, 'access.log');
    const line = (ip: string, referer = '-') => `${ip} - - [03/Nov/2026:08:00:00 -0500] "GET /results HTTP/1.1" 200 512 "${referer}" "Mozilla/5.0"`;
    fs.writeFileSync(log, [line('10.0.0.1'), line('203.0.113.77'), line('10.0.0.2', 'https://www.fake-results.example/x'), 'truncated line from 198.51.100.7', `\u0000\u0001binary${'\u0002'.repeat(10)}`, line('198.51.100.7', 'https://ballot-help.example/login'), line('203.0.114.1')].join('\n'));

    const r = await eoc(['match', '--indicators', bundle, csv, '--log', log, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = out.pop()!.summary as Record<string, unknown>;
    expect(out).toEqual([
      { line: 2, indicator: 'indicator--11111111-1111-4111-8111-111111111111', value: '203.0.113.77', type: 'ipv4', indicatorValue: '203.0.113.0/24' },
      { line: 3, indicator: 'indicator--22222222-2222-4222-8222-222222222222', value: 'www.fake-results.example', type: 'domain', indicatorValue: 'fake-results.example' },
      { line: 4, indicator: `${csv}:2`, value: '198.51.100.7', type: 'ipv4', indicatorValue: '198.51.100.7' },
      { line: 6, indicator: `${csv}:2`, value: '198.51.100.7', type: 'ipv4', indicatorValue: '198.51.100.7' },
      { line: 6, indicator: `${csv}:3`, value: 'https://ballot-help.example/login', type: 'url', indicatorValue: 'https://ballot-help.example/login' },
    ]);
    expect(summary).toMatchObject({ lines: 7, matchedLines: 4, matches: 5, offFormatLines: 1, binaryLines: 1, indicators: { values: 4, refused: 3, notMatchable: 1 } });
    const refused = (summary.indicators as { firstRefused: Array<{ message: string }> }).firstRefused.map((x) => x.message).join('\n');
    expect(refused).toMatch(/"999.1.1.1" is not an IPv4 address/);
    expect(refused).toMatch(/unknown type "toaster"/);
    expect(refused).toMatch(/no pattern that can be matched line by line/);

    const human = await eoc(['match', '--indicators', csv, '--log', log, '--log-format', 'combined']);
    expect(human.stdout).toMatch(/^line 4: 198\.51\.100\.7 matches/m);
    expect(human.stdout).toMatch(/7 lines, 2 with a match \(3 matches\)/);
    expect(human.stdout).toMatch(/1 line not in the expected format/);
    const missing = await eoc(['match', '--indicators', csv, '--log', path.join(dir, 'nope.log')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no such file/);
    const badFormat = await eoc(['match', '--indicators', csv, '--log', log, '--log-format', 'xml']);
    expect(badFormat.code).not.toBe(0);
  });
});
