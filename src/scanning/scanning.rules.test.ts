// The scanner's pure rules: the scope (property-tested against integer arithmetic), what a ServerHello and a
// Certificate message say, SPF and DMARC verdicts, finding states across scans, deadlines, pacing and windows.
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKS, finding } from './checks.js';
import { renderScanChecksDoc } from './docs.js';
import { dmarcPolicy, spfWeakness } from './dns-checks.js';
import { addressInScope, allowAddress, expandRange, parseScope, parseTarget, ScopeError, targetInScope } from './scope.js';
import { certificatesOf, clientHello, parseServerHello } from './tls-probe.js';
import { dueDate, insideWindow, rescanHours, track } from './tracking.js';

const ipv4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

describe('the scan scope', () => {
  it('reads host names, wildcards, addresses and ranges, and refuses the rest with the entry named', () => {
    const scope = parseScope('results.county.gov, *.vote.county.gov 203.0.113.0/28,2001:db8::1');
    expect(scope.entries.map((e) => e.kind)).toEqual(['host', 'host', 'range', 'range']);
    expect(() => parseScope(['results site'])).toThrow('results site is not a host name');
    for (const [bad, message] of [
      ['10.0.0.0/8', 'too large a range'],
      ['2001:db8::/64', 'too large a range'],
      ['*.gov', 'too wide'],
      ['results_site.gov', 'is not a host name'],
      ['127.1', 'is not a host name'],
      ['', 'empty'],
    ] as const) {
      expect(() => parseScope(bad), bad).toThrow(ScopeError);
      expect(() => parseScope(bad), bad).toThrow(message);
    }
  });

  it('holds an address exactly when it lies in a listed range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 16, max: 32 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (net, prefix, probe) => {
        const scope = parseScope(`${ipv4(net)}/${prefix}`);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        expect(addressInScope(scope, ipv4(probe))).toBe(((probe & mask) >>> 0) === ((net & mask) >>> 0));
      }),
    );
  });

  it('takes a target range only when a scope range covers all of it', () => {
    const scope = parseScope('198.51.100.0/24,results.county.gov,*.county.gov');
    expect(targetInScope(scope, parseTarget('198.51.100.16/28'))).toBe(true);
    expect(targetInScope(scope, parseTarget('198.51.100.0/23'))).toBe(false);
    expect(targetInScope(scope, parseTarget('198.51.101.1'))).toBe(false);
    expect(targetInScope(scope, parseTarget('mail.county.gov'))).toBe(true);
    expect(targetInScope(scope, parseTarget('county.gov.evil.example'))).toBe(false);
    expect(() => parseTarget('198.51.100.0/19')).toThrow('too large a range to scan at once');
    expect(expandRange(parseTarget('198.51.100.0/30') as never)).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(expandRange(parseTarget('198.51.100.7/32') as never)).toEqual(['198.51.100.7']);
    expect(expandRange(parseTarget('198.51.100.0/24') as never)).toHaveLength(254);
  });

  it('follows a name to a public address, never to a private one or through a name outside the scope', () => {
    const scope = parseScope('results.county.gov,10.1.0.0/16');
    expect(allowAddress(scope, ['results.county.gov'], '52.20.1.9')).toEqual({ allowed: true });
    expect(allowAddress(scope, ['results.county.gov'], '10.1.2.3')).toEqual({ allowed: true });
    expect(allowAddress(scope, ['results.county.gov'], '127.0.0.1')).toMatchObject({ allowed: false, reason: expect.stringContaining('loopback') });
    expect(allowAddress(scope, ['results.county.gov'], '192.168.1.1')).toMatchObject({ allowed: false, reason: expect.stringContaining('private') });
    expect(allowAddress(scope, ['results.county.gov', 'cdn.other.net'], '52.20.1.9')).toMatchObject({ allowed: false, reason: expect.stringContaining('cdn.other.net') });
    expect(allowAddress(scope, ['results.county.gov'], '::ffff:10.1.2.3')).toEqual({ allowed: true });
  });
});

describe('TLS answers', () => {
  const serverHello = (version: number, cipher: number, extensions: Buffer = Buffer.alloc(0), random = Buffer.alloc(32, 1)) => {
    const body = Buffer.concat([Buffer.from([version >> 8, version & 255]), random, Buffer.from([0, cipher >> 8, cipher & 255, 0]), extensions.length ? Buffer.concat([Buffer.from([extensions.length >> 8, extensions.length & 255]), extensions]) : Buffer.alloc(0)]);
    return Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 255]), body]);
  };

  it('reads the version and suite a server picked, TLS 1.3 from supported_versions, and a HelloRetryRequest', () => {
    expect(parseServerHello(serverHello(0x0301, 0x000a))).toMatchObject({ outcome: 'accepted', protocol: 'TLSv1.0', cipher: 0x000a, retry: false });
    const tls13 = serverHello(0x0303, 0x1301, Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]));
    expect(parseServerHello(tls13)).toMatchObject({ protocol: 'TLSv1.3', cipher: 0x1301 });
    const hrr = serverHello(0x0303, 0x1302, Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]), Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));
    expect(parseServerHello(hrr)).toMatchObject({ retry: true, protocol: 'TLSv1.3' });
    expect(parseServerHello(serverHello(0x0303, 0xc02f).subarray(0, 20))).toBeNull();
    expect(parseServerHello(Buffer.from([11, 0, 0, 0]))).toMatchObject({ outcome: 'error' });
  });

  it('builds a ClientHello offering one version and the suites asked', () => {
    const hello = clientHello('TLSv1.1', [0x002f, 0x0035], 'results.county.gov');
    expect(hello[0]).toBe(22);
    expect(hello.readUInt16BE(9)).toBe(0x0302);
    expect(hello.readUInt16BE(44)).toBe(4);
    expect(hello.includes(Buffer.from('results.county.gov'))).toBe(true);
    const ssl3 = clientHello('SSLv3', [0x000a]);
    expect(ssl3.readUInt16BE(1)).toBe(0x0300);
    // No extensions in an SSL 3.0 hello, and the renegotiation SCSV instead.
    expect(ssl3.length).toBe(5 + 4 + 2 + 32 + 1 + 2 + 4 + 2);
  });

  it('takes the certificates out of a Certificate message, leaf first', () => {
    const a = Buffer.from('leaf-der');
    const b = Buffer.from('intermediate-der');
    const list = Buffer.concat([Buffer.from([0, 0, a.length]), a, Buffer.from([0, 0, b.length]), b]);
    const body = Buffer.concat([Buffer.from([0, 0, list.length]), list]);
    expect(certificatesOf(body).map((c) => c.toString())).toEqual(['leaf-der', 'intermediate-der']);
    expect(certificatesOf(body.subarray(0, 8)).length).toBe(0);
  });
});

describe('mail records', () => {
  it('judges SPF and DMARC as a small office needs to hear it', () => {
    expect(spfWeakness('v=spf1 include:_spf.example.com -all')).toBeNull();
    expect(spfWeakness('v=spf1 mx ~all')).toBeNull();
    expect(spfWeakness('v=spf1 redirect=_spf.example.com')).toBeNull();
    expect(spfWeakness('v=spf1 +all')).toContain('lets any server send');
    expect(spfWeakness('v=spf1 a mx ?all')).toContain('neutral');
    expect(spfWeakness('v=spf1 a mx')).toContain('no "all" rule');
    expect(dmarcPolicy('v=DMARC1; p=reject; rua=mailto:d@x.gov')).toBe('reject');
    expect(dmarcPolicy('v=DMARC1;p=None')).toBe('none');
    expect(dmarcPolicy('v=DMARC1; rua=mailto:d@x.gov')).toBeNull();
  });
});

describe('findings across scans', () => {
  const f = (check: 'service-rdp' | 'tls-tls10', host = 'a.gov') => finding(check, { host, port: check === 'service-rdp' ? 3389 : 443 }, 'seen');
  const now = new Date('2026-10-01T12:00:00Z');

  it('moves new → active → mitigated → re-detected, keeps an accepted one until it expires, and leaves unreached hosts alone', () => {
    const rdp = { key: 'rdp', finding: f('service-rdp') };
    expect(track([], [rdp], new Set(['a.gov']), now)).toEqual([{ kind: 'new', key: 'rdp', finding: rdp.finding }]);
    const existing = (status: 'new' | 'active' | 'mitigated' | 'accepted' | 're-detected', acceptedUntil: Date | null = null, host = 'a.gov') => [{ key: 'rdp', host, status, acceptedUntil }];
    expect(track(existing('new'), [rdp], new Set(['a.gov']), now)).toMatchObject([{ kind: 'seen', status: 'active', redetected: false }]);
    expect(track(existing('active'), [], new Set(['a.gov']), now)).toEqual([{ kind: 'gone', key: 'rdp' }]);
    expect(track(existing('active'), [], new Set(['b.gov']), now)).toEqual([]);
    expect(track(existing('mitigated'), [rdp], new Set(['a.gov']), now)).toMatchObject([{ kind: 'seen', status: 're-detected', redetected: true }]);
    expect(track(existing('mitigated'), [], new Set(['a.gov']), now)).toEqual([]);
    expect(track(existing('accepted', new Date('2026-12-01')), [rdp], new Set(['a.gov']), now)).toMatchObject([{ status: 'accepted' }]);
    expect(track(existing('accepted', new Date('2026-09-01')), [rdp], new Set(['a.gov']), now)).toMatchObject([{ status: 'active' }]);
  });

  it('brings deadlines forward to the eve of the election, and paces rescans by the worst finding', () => {
    const seen = new Date('2026-10-20T00:00:00Z');
    expect(dueDate('critical', seen, null).dueAt?.toISOString()).toBe('2026-11-04T00:00:00.000Z');
    expect(dueDate('high', seen, '2026-11-03')).toEqual({ dueAt: new Date('2026-11-02T00:00:00Z'), electionDay: '2026-11-03' });
    expect(dueDate('critical', seen, '2027-03-01').electionDay).toBeNull();
    expect(dueDate('low', seen, '2026-11-03').electionDay).toBeNull();
    expect(dueDate('info', seen, null).dueAt).toBeNull();
    expect([rescanHours('critical'), rescanHours('high'), rescanHours('medium'), rescanHours('low'), rescanHours(null)]).toEqual([12, 24, 96, 144, 168]);
  });

  it('keeps scans inside the window, across midnight too', () => {
    expect(insideWindow(null, 3, '14:00')).toBe(true);
    const nights = { days: [1, 2, 3, 4, 5], start: '22:00', end: '05:00' };
    expect(insideWindow(nights, 2, '23:30')).toBe(true);
    expect(insideWindow(nights, 2, '04:59')).toBe(true);
    expect(insideWindow(nights, 2, '12:00')).toBe(false);
    expect(insideWindow(nights, 0, '23:30')).toBe(false);
  });
});

describe('the check registry', () => {
  it('gives every check a plain fix and keeps docs/scanning-checks.md in step', () => {
    for (const [id, c] of Object.entries(CHECKS)) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(c.fix.length, id).toBeGreaterThan(30);
    }
    expect(fs.readFileSync(new URL('../../docs/scanning-checks.md', import.meta.url), 'utf8')).toBe(renderScanChecksDoc());
  });
});
