// The log matcher: addresses and network edges (IPv4 and IPv6), host names and their parents (never a
// look-alike suffix), internationalised names, URLs, email addresses and hashes, each log format, lines split
// across chunks, and bad lines that are counted without stopping the scan.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IndicatorIndex, ipv4ToInt, valuesOfParsedPattern, valuesOfPattern } from './indicator-index.js';
import { LogScanner, detectFormat, type LineMatch, type LogFormat } from './log-scan.js';

function index(entries: Array<[string, Parameters<IndicatorIndex['add']>[1], string]>): IndicatorIndex {
  const ix = new IndicatorIndex();
  for (const [id, type, value] of entries) expect(ix.add(id, type, value)).toBeNull();
  ix.build();
  return ix;
}

function scan(ix: IndicatorIndex, text: string, format: LogFormat = 'auto', chunk = 1 << 16) {
  const matches: LineMatch[] = [];
  const scanner = new LogScanner(ix, format, (m) => matches.push(m));
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0; i < bytes.length; i += chunk) scanner.push(bytes.subarray(i, i + chunk));
  return { matches, stats: scanner.end() };
}

const combined = (ip: string, target = '/index.html', referer = '-') => `${ip} - - [03/Nov/2026:08:00:00 -0500] "GET ${target} HTTP/1.1" 200 512 "${referer}" "Mozilla/5.0"`;

describe('log matching', () => {
  it('finds addresses exactly and inside networks, to the edge of each network', () => {
    const ix = index([['a', 'ipv4', '198.51.100.7'], ['net', 'ipv4', '203.0.113.0/24'], ['wide', 'ipv4', '203.0.0.0/16'], ['v6', 'ipv6', '2001:db8::/32'], ['one6', 'ipv6', '2001:db9::1']]);
    const lines = ['198.51.100.7', '198.51.100.8', '203.0.113.0', '203.0.113.255', '203.0.114.1', '203.1.0.0', '202.255.255.255', '2001:db8:ffff:ffff::1', '2001:db9:0:0:0:0:0:1', '2001:dba::1'].map((ip) => combined(ip)).join('\n');
    const { matches } = scan(ix, lines, 'combined');
    const byLine = (n: number) => matches.filter((m) => m.line === n).map((m) => m.indicator).sort();
    expect(byLine(1)).toEqual(['a']);
    expect(byLine(2)).toEqual([]);
    expect(byLine(3)).toEqual(['net', 'wide']);
    expect(byLine(4)).toEqual(['net', 'wide']);
    expect(byLine(5)).toEqual(['wide']);
    expect(byLine(6)).toEqual([]);
    expect(byLine(7)).toEqual([]);
    expect(byLine(8)).toEqual(['v6']);
    expect(byLine(9)).toEqual(['one6']);
    expect(byLine(10)).toEqual([]);
  });

  it('matches every address of a network and none outside it (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 8, max: 32 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (base, prefix, probe) => {
        const size = 2 ** (32 - prefix);
        const start = Math.floor(base / size) * size;
        const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        const ix = index([['n', 'ipv4', `${dotted(start)}/${prefix}`]]);
        const inside = probe >= start && probe <= start + size - 1;
        expect(scan(ix, combined(dotted(probe)), 'combined').matches.length).toBe(inside ? 1 : 0);
        expect(ipv4ToInt(dotted(probe))).toBe(probe);
      }),
      { numRuns: 500 },
    );
  });

  it('matches a domain and its subdomains, never a look-alike suffix or a parent', () => {
    const ix = index([['d', 'domain', 'evil.example'], ['sub', 'domain', 'login.bad.example'], ['idn', 'domain', 'bücher.example']]);
    const hosts = ['evil.example', 'WWW.Evil.Example.', 'notevil.example', 'evil.example.com', 'bad.example', 'a.login.bad.example', 'xn--bcher-kva.example'];
    const { matches } = scan(ix, hosts.map((h) => combined('192.0.2.1', '/', `https://${h}/x`)).join('\n'), 'combined');
    expect(matches.map((m) => [m.line, m.indicator])).toEqual([[1, 'd'], [2, 'd'], [6, 'sub'], [7, 'idn']]);
    expect(matches[1]!.value).toBe('evil.example');
  });

  it('reads URLs, email addresses, hashes and host names in any format', () => {
    const ix = index([
      ['u', 'url', 'hxxps://results-update[.]example/login?x=1'],
      ['e', 'email', 'IT-Support@ga-elections.example'],
      ['h', 'sha256', 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F'],
      ['d', 'domain', 'c2.example'],
      ['i', 'ipv4', '198.51.100.7'],
    ]);
    const text = [
      'Nov  3 08:00:01 mail postfix/smtpd[123]: from=<it-support@ga-elections.example> to=<clerk@county.example>',
      '2026-11-03T08:00:02Z proxy allowed url=https://RESULTS-UPDATE.example/login?x=1 client=10.0.0.5',
      'edr,alert,aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f,ballot.exe',
      '03-Nov-2026 08:00:03.123 client 10.0.0.9#53211 (www.c2.example): query: www.c2.example IN A +',
      'Nov  3 08:00:04 dnsmasq[99]: query[A] c2.example from 10.0.0.9',
      'fw,deny,tcp,10.0.0.5:51234,198.51.100.7:443',
    ].join('\r\n');
    const { matches, stats } = scan(ix, text, 'auto');
    expect(matches.map((m) => [m.line, m.indicator])).toEqual([[1, 'e'], [2, 'u'], [3, 'h'], [4, 'd'], [5, 'd'], [6, 'i']]);
    expect(stats).toMatchObject({ lines: 6, matchedLines: 6, binary: 0 });
  });

  it('counts bad lines and goes on: binary, off-format, truncated, split across chunks', () => {
    const ix = index([['i', 'ipv4', '198.51.100.7']]);
    const text = [combined('198.51.100.7'), 'garbage \u0000\u0001\u0002 198.51.100.7', 'not a web log line 198.51.100.7', combined('198.51.100.7').slice(0, 30), combined('10.1.1.1'), combined('198.51.100.7')].join('\n');
    for (const chunk of [7, 64, 1 << 16]) {
      const { matches, stats } = scan(ix, text, 'combined', chunk);
      expect(matches.map((m) => m.line)).toEqual([1, 3, 4, 6]);
      expect(stats).toMatchObject({ lines: 6, binary: 1, offFormat: 2, matchedLines: 4 });
    }
  });

  it('takes STIX indicators: simple comparisons and ORs, not patterns that need several observations', () => {
    const ix = new IndicatorIndex();
    expect(ix.addStix({ id: 'indicator--1', pattern_type: 'stix', pattern: "[ipv4-addr:value = '198.51.100.7' OR domain-name:value = 'c2.example']" })).toBe(2);
    expect(ix.addStix({ id: 'indicator--2', pattern_type: 'stix', pattern: "[network-traffic:dst_ref.value IN ('203.0.113.9', '203.0.113.10')]" })).toBe(2);
    expect(ix.addStix({ id: 'indicator--3', pattern_type: 'stix', pattern: "[file:name = 'a.exe'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.4']" })).toBe(0);
    expect(ix.addStix({ id: 'indicator--4', pattern_type: 'sigma', pattern: 'title: x' })).toBe(0);
    expect(ix.addStix({ id: 'indicator--5', pattern_type: 'stix', pattern: "[ipv4-addr:value = '198.51.100.8']", revoked: true })).toBe(0);
    ix.build();
    expect(ix.skipped).toBe(3);
    expect(scan(ix, combined('203.0.113.10'), 'combined').matches.map((m) => m.indicator)).toEqual(['indicator--2']);
  });

  it('recognises the formats', () => {
    expect(detectFormat(combined('1.2.3.4'))).toBe('combined');
    expect(detectFormat('03-Nov-2026 08:00:03.123 client 10.0.0.9#53211 (a.example): query: a.example IN A +')).toBe('dns');
    expect(detectFormat('<34>Nov  3 08:00:01 host sshd[1]: Failed password')).toBe('syslog');
    expect(detectFormat('2026-11-03,deny,tcp,10.0.0.5,198.51.100.7,443')).toBe('csv');
  });

  it('reads one-comparison patterns without the parser exactly as the parser does (property)', () => {
    const paths = ['ipv4-addr:value', 'ipv6-addr:value', 'domain-name:value', 'url:value', 'email-addr:value', "file:hashes.'SHA-256'", "file:hashes.'MD5'", 'file:name', 'process:name'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.string({ maxLength: 40 }), (path, raw) => {
        const pattern = `[${path} = '${raw.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
        expect(valuesOfPattern(pattern)).toEqual(valuesOfParsedPattern(pattern));
      }),
      { numRuns: 500 },
    );
    expect(valuesOfPattern("[domain-name:value = 'it\\'s.example']")).toEqual([{ type: 'domain', value: "it's.example" }]);
  });
});
