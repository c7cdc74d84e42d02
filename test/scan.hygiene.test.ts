// The hygiene scanner against loopback targets it must judge right: a well-run site (no findings at all), a
// neglected one (every check a true positive), an untrusted certificate about to expire, a server stuck on
// SSL 3.0 and 3DES, exposed services, ports that hang or answer garbage, and three ways out of the scope — a
// redirect, a CNAME and a DNS answer pointing elsewhere — none of which may be followed.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/scanning/dns-client.js';
import { runScan, type HostReport, type ScanReport } from '../src/scanning/engine.js';
import { parseScope } from '../src/scanning/scope.js';
import { mergeRecords, recordsNamingVendor } from '../src/vulns/catalog.js';
import { parseCatalogDocument } from '../src/vulns/service.js';
import { runEoc } from './run-eoc.js';
import { legacyTlsServer, makeCert, startCountingServer, startDnsServer, type KeyAndCert } from './scan-fixtures.js';
import { sharedData } from './shared-data.js';

const DAY = 86_400_000;
const PORTS = [21, 22, 23, 80, 443, 445, 3389, 5432, 5900, 8443];
const SCOPE = '127.0.6.0/28,*.county.test,www.good.test,soon.bare.test,rebind.county.test';
const closers: Array<() => Promise<void> | void> = [];

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const sockets = new Set<net.Socket>();
    server.on('connection', (s: net.Socket) => sockets.add(s.on('close', () => sockets.delete(s))));
    server.listen(port, host, () => {
      closers.push(() => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((r) => server.close(() => r()));
      });
      resolve();
    });
  });
}

/** A web page with the given headers; `pages` answers other paths. */
function site(headers: Record<string, string | string[]>, body: string, pages: Record<string, string> = {}) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const page = pages[req.url ?? '/'];
    if (req.url !== '/' && page === undefined) {
      res.statusCode = 404;
      return res.end('<html><title>Not found</title></html>');
    }
    res.setHeader('Content-Type', 'text/html');
    res.end(page ?? body);
  };
}

describe('hygiene scan of loopback targets', () => {
  let ca: KeyAndCert;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let outside: Awaited<ReturnType<typeof startCountingServer>>;
  let report: ScanReport;
  const host = (name: string): HostReport => {
    const h = report.hosts.find((x) => x.host === name);
    if (!h) throw new Error(`${name} is not in the report`);
    return h;
  };
  const checks = (name: string) => new Set(host(name).findings.map((f) => f.check));

  beforeAll(async () => {
    ca = await makeCert({ cn: 'Test County Certificate Authority', ca: true });
    const otherCa = await makeCert({ cn: 'Unknown Authority', ca: true });
    const good = await makeCert({ cn: 'www.good.test', dns: ['www.good.test'], ips: ['127.0.6.1'], issuer: ca });
    const bad = await makeCert({ cn: 'bad.county.test', dns: ['intranet.example'], bits: 1024, hash: 'SHA-1', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 5 * DAY) });
    const soon = await makeCert({ cn: 'soon.bare.test', dns: ['soon.bare.test'], issuer: otherCa, notAfter: new Date(Date.now() + 10 * DAY) });

    dns = await startDnsServer({
      'www.good.test': { A: ['127.0.6.1'] },
      'good.test': { TXT: [['v=spf1 ip4:127.0.6.9 -all']], MX: [{ preference: 10, exchange: 'mail.good.test' }], CAA: [{ flags: 0, tag: 'issue', value: 'letsencrypt.org' }], DNSKEY: [{ flags: 257, algorithm: 13, key: Buffer.alloc(64, 1) }], DS: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: Buffer.alloc(32, 2) }] },
      '_dmarc.good.test': { TXT: [['v=DMARC1; p=reject; rua=mailto:dmarc@good.test']] },
      'mail.good.test': { A: ['127.0.6.9'] },
      'bad.county.test': { A: ['127.0.6.2'] },
      'county.test': { TXT: [['v=spf1 +all']], MX: [{ preference: 10, exchange: 'mail.county.test' }] },
      '_dmarc.county.test': { TXT: [['v=DMARC1; p=none']] },
      'mail.county.test': { A: ['127.0.6.8'] },
      'soon.bare.test': { A: ['127.0.6.3'] },
      'bare.test': { TXT: [['google-site-verification=abc']] },
      'legacy.county.test': { A: ['127.0.6.4'] },
      'services.county.test': { A: ['127.0.6.5'] },
      'hang.county.test': { A: ['127.0.6.6'] },
      'redirect.county.test': { A: ['127.0.6.7'] },
      'elsewhere.test': { A: ['127.0.6.99'] },
      'rebind.county.test': { A: ['127.0.6.99'] },
      'alias.county.test': { CNAME: ['cdn.other.test'] },
      'cdn.other.test': { A: ['127.0.6.99'] },
    });
    closers.push(() => dns.close());
    outside = await startCountingServer('127.0.6.99', 80);
    closers.push(() => outside.close());

    // 127.0.6.1: the well-run site.
    const strong = { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin', 'Set-Cookie': 'session=1; Path=/; Secure; HttpOnly; SameSite=Lax' };
    await listen(https.createServer({ key: good.key, cert: good.cert, minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305' }, site(strong, '<html><title>Good County Elections</title></html>')), 443, '127.0.6.1');
    await listen(http.createServer((req, res) => res.writeHead(301, { Location: `https://www.good.test${req.url}` }).end()), 80, '127.0.6.1');
    const goodMail = new SMTPServer({ key: good.key, cert: good.cert, authOptional: true, logger: false });
    await listen(goodMail.server, 2525, '127.0.6.9');

    // 127.0.6.2: the neglected site.
    const weakHeaders = { Server: 'Apache/2.4.49 (Unix)', 'Set-Cookie': 'sid=abc123; Path=/' };
    await listen(
      https.createServer({ key: bad.key, cert: bad.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:AES128-SHA:@SECLEVEL=0' }, site(weakHeaders, '<html><title>Index of /</title><a href="ballots.csv">ballots.csv</a></html>', { '/admin/': '<html><title>Admin</title><form><input type="password" name="pw"></form></html>' })),
      443,
      '127.0.6.2',
    );
    await listen(http.createServer(site({}, '<html><title>Bad County</title></html>')), 80, '127.0.6.2');
    const badMail = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, logger: false });
    await listen(badMail.server, 2525, '127.0.6.8');

    // 127.0.6.3: a certificate from an unknown authority, ten days from expiry.
    await listen(https.createServer({ key: soon.key, cert: soon.cert }, site({ ...strong, 'Strict-Transport-Security': 'max-age=86400' }, '<html><title>Soon</title></html>')), 443, '127.0.6.3');

    // 127.0.6.4: SSL 3.0 and 3DES only.
    await listen(net.createServer(legacyTlsServer(Buffer.from(bad.certificate.rawData))), 443, '127.0.6.4');

    // 127.0.6.5: FTP and SSH with versions in their banners, RDP and PostgreSQL open.
    await listen(net.createServer((s) => s.on('error', () => undefined).end('220 ProFTPD 1.3.5 Server (County FTP)\r\n')), 21, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined).write('SSH-2.0-OpenSSH_7.4\r\n')), 22, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined)), 3389, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined)), 5432, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined).write('\xff\xfd\x18login: ')), 23, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined)), 445, '127.0.6.5');
    await listen(net.createServer((s) => s.on('error', () => undefined).write('RFB 003.008\n')), 5900, '127.0.6.5');

    // 127.0.6.6: a TLS port that never answers the ClientHello, and one that answers garbage.
    const held: net.Socket[] = [];
    await listen(net.createServer((s) => held.push(s.on('error', () => undefined))), 443, '127.0.6.6');
    await listen(net.createServer((s) => s.on('error', () => undefined).on('data', () => s.end(Buffer.from('\x00\xffgarbage\x13\x37'.repeat(50), 'latin1')))), 8443, '127.0.6.6');
    closers.push(() => held.forEach((s) => s.destroy()));

    // 127.0.6.7: plain HTTP that redirects outside the scope.
    await listen(http.createServer((_req, res) => res.writeHead(302, { Location: 'http://elsewhere.test/login' }).end()), 80, '127.0.6.7');

    // A CVE record written for the test (not in KEV): OpenSSH before 7.7, CVSS 5.3.
    const sshRecord = {
      dataType: 'CVE_RECORD', dataVersion: '5.1', cveMetadata: { cveId: 'CVE-2099-0001', state: 'PUBLISHED', datePublished: '2099-01-01T00:00:00Z' },
      containers: { cna: { title: 'Test: user enumeration in OpenSSH', descriptions: [{ lang: 'en', value: 'A test record.' }], affected: [{ vendor: 'OpenBSD', product: 'OpenSSH', defaultStatus: 'unaffected', versions: [{ version: '0', lessThan: '7.7', versionType: 'custom', status: 'affected' }] }], metrics: [{ cvssV3_1: { baseScore: 5.3, baseSeverity: 'MEDIUM', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', version: '3.1' } }] } },
    };
    const catalog = mergeRecords([
      ...[sharedData('kev', 'known_exploited_vulnerabilities.json'), sharedData('vulnrichment', 'CVE-2024-38475.json')].flatMap((f) => parseCatalogDocument(JSON.parse(fs.readFileSync(f, 'utf8'))).records),
      ...parseCatalogDocument(sshRecord).records,
    ]);
    report = await runScan(
      parseScope(SCOPE),
      ['www.good.test', '127.0.6.1', 'bad.county.test', 'soon.bare.test', 'legacy.county.test', 'services.county.test', 'hang.county.test', 'redirect.county.test', 'rebind.county.test', 'alias.county.test', 'gone.county.test'],
      { ports: PORTS, dns: new DnsClient([{ host: dns.address, port: dns.port }], 1000), ca: [ca.cert], smtpPort: 2525, tlsTimeoutMs: 1500, httpTimeoutMs: 2000, connectTimeoutMs: 800, vulnLookup: (vendor) => recordsNamingVendor(catalog, vendor) },
    );
  }, 60_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('finds nothing wrong with a well-run site, its mail and its DNS', () => {
    const h = host('www.good.test');
    expect(h.findings.map((f) => `${f.check}: ${f.evidence}`)).toEqual([]);
    expect(report.findings.filter((f) => f.host === 'good.test')).toEqual([]);
    // Scanned by address, the certificate is judged against the address it names.
    expect(host('127.0.6.1').findings.map((f) => `${f.check}: ${f.evidence}`)).toEqual([]);
    expect(h.ports.map((p) => p.port)).toEqual([80, 443]);
    const tls = h.tls.find((t) => t.port === 443)!;
    expect(tls.protocols.filter((p) => p.offered).map((p) => p.protocol)).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(tls.certificate?.trustError).toBeNull();
    const domain = report.domains.find((d) => d.domain === 'good.test')!;
    expect(domain.mx[0]).toMatchObject({ exchange: 'mail.good.test', address: '127.0.6.9', starttls: true });
    expect(domain.dnssec?.signed).toBe(true);
  });

  it('finds every problem of a neglected site, each with evidence and a fix', () => {
    const found = new Set([...checks('bad.county.test'), ...report.findings.filter((f) => f.host === 'county.test').map((f) => f.check)]);
    for (const id of [
      'tls-cert-expired', 'tls-cert-self-signed', 'tls-cert-hostname-mismatch', 'tls-weak-key', 'tls-weak-signature', 'tls-tls10', 'tls-tls11', 'tls-no-forward-secrecy',
      'http-hsts-missing', 'http-csp-missing', 'http-frame-options-missing', 'http-content-type-options-missing', 'http-referrer-policy-missing', 'http-cookie-flags', 'http-version-disclosure',
      'http-directory-listing', 'http-admin-exposed', 'http-not-redirected', 'vuln-kev', 'email-spf-weak', 'email-dmarc-weak', 'email-starttls-missing', 'dns-dnssec-missing', 'dns-caa-missing',
    ]) expect(found, id).toContain(id);
    // A 1024-bit key only; 3DES and the like were not accepted, and the site has HTTPS.
    expect(found).not.toContain('tls-weak-cipher');
    expect(found).not.toContain('http-no-https');
    const kev = host('bad.county.test').findings.find((f) => f.check === 'vuln-kev')!;
    expect(kev).toMatchObject({ severity: 'critical', subject: 'CVE-2024-38475', port: 443 });
    expect(kev.evidence).toContain('Apache HTTP Server 2.4.49');
    const cookie = host('bad.county.test').findings.find((f) => f.check === 'http-cookie-flags')!;
    expect(cookie.evidence).toContain('Secure, HttpOnly, SameSite');
    for (const f of host('bad.county.test').findings) expect(f.fix.length).toBeGreaterThan(20);
  });

  it('tells an untrusted, soon-expiring certificate from an expired or self-signed one', () => {
    const found = checks('soon.bare.test');
    expect(found).toContain('tls-cert-untrusted');
    expect(found).toContain('tls-cert-expiring');
    for (const id of ['tls-cert-expired', 'tls-cert-self-signed', 'tls-cert-hostname-mismatch', 'tls-weak-key', 'tls-tls10', 'http-hsts-missing']) expect(found).not.toContain(id);
    // HSTS for a day only; the well-run site's two years pass.
    expect(found).toContain('http-hsts-short');
    expect(checks('www.good.test')).not.toContain('http-hsts-short');
    // bare.test has a TXT record but neither SPF nor DMARC.
    expect(report.findings.filter((f) => f.host === 'bare.test').map((f) => f.check)).toEqual(expect.arrayContaining(['email-spf-missing', 'email-dmarc-missing']));
  });

  it('finds SSL 3.0 and 3DES that the local TLS library no longer speaks', () => {
    const h = host('legacy.county.test');
    const found = checks('legacy.county.test');
    for (const id of ['tls-sslv3', 'tls-tls10', 'tls-weak-cipher', 'tls-no-modern-protocol']) expect(found).toContain(id);
    const tls = h.tls.find((t) => t.port === 443)!;
    expect(tls.protocols.find((p) => p.protocol === 'SSLv3')?.ciphers).toEqual([{ code: '0x000a', name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' }]);
    expect(h.findings.find((f) => f.check === 'tls-weak-cipher')?.evidence).toContain('3DES');
    // No modern TLS library finishes this handshake; the certificate is read from the server's first flight.
    expect(tls.certificate).toMatchObject({ subject: 'CN=bad.county.test', selfSigned: true, keyBits: 1024 });
    for (const id of ['tls-cert-expired', 'tls-cert-self-signed', 'tls-weak-key', 'tls-weak-signature']) expect(found).toContain(id);
  });

  it('names exposed services and the software versions in their banners', () => {
    const h = host('services.county.test');
    const found = checks('services.county.test');
    expect(found).toContain('service-ftp');
    expect(found).toContain('service-rdp');
    expect(found).toContain('service-database');
    expect(found).toContain('service-telnet');
    expect(found).toContain('service-smb');
    expect(found).toContain('service-remote-admin');
    expect(checks('www.good.test')).not.toContain('service-telnet');
    expect(h.ports.map((p) => `${p.port}/${p.service}`)).toEqual(['21/ftp', '22/ssh', '23/telnet', '445/microsoft-ds', '3389/ms-wbt-server', '5432/postgresql', '5900/vnc']);
    // OpenSSH 7.4 is in the range of the (test) CVE record below; it is not in CISA's KEV catalog.
    expect(h.findings.find((f) => f.check === 'vuln-cve')).toMatchObject({ severity: 'medium', subject: 'CVE-2099-0001', port: 22 });
    expect(found).not.toContain('vuln-kev');
    expect(h.software.map((s) => `${s.product} ${s.version}`).sort()).toEqual(['OpenSSH 7.4', 'ProFTPD 1.3.5']);
    // Ports that greet are not mistaken for TLS.
    expect(h.tls).toEqual([]);
  });

  it('bounds the wait on a port that hangs mid-handshake or answers garbage, and finishes the scan', () => {
    const h = host('hang.county.test');
    expect(h.ports.map((p) => p.port)).toEqual([443, 8443]);
    expect(h.tls).toEqual([]);
    expect(h.durationMs).toBeLessThan(30_000);
    expect(report.hosts).toHaveLength(11);
    // A name that does not exist: said so, nothing else tried.
    expect(host('gone.county.test').findings.map((f) => f.check)).toEqual(['host-unreachable']);
  });

  it('never follows a redirect, a CNAME or a DNS answer outside the scope, and says so', () => {
    const redirect = host('redirect.county.test');
    expect(redirect.findings.find((f) => f.check === 'scope-not-contacted')?.evidence).toContain('elsewhere.test');
    expect(checks('redirect.county.test')).toContain('http-no-https');
    const rebind = host('rebind.county.test');
    expect(rebind.addresses).toEqual([expect.objectContaining({ address: '127.0.6.99', scanned: false })]);
    expect(rebind.findings.map((f) => f.check)).toEqual(['scope-not-contacted']);
    const alias = host('alias.county.test');
    expect(alias.cnameChain).toEqual(['alias.county.test', 'cdn.other.test']);
    expect(alias.findings[0]?.evidence).toContain('cdn.other.test is not in the authorised scope');
    expect(alias.ports).toEqual([]);
    expect(outside.connections()).toBe(0);
  });

  it('eoc scan refuses a target outside the scope with exit code 2 before sending anything', { timeout: 60_000 }, async () => {
    const refused = await runEoc(['scan', '--scope', '127.0.6.0/28', '127.0.6.99']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('127.0.6.99 is outside the authorised scope');
    expect(outside.connections()).toBe(0);
    const tooWide = await runEoc(['scan', '--scope', '10.0.0.0/8', '10.0.0.1']);
    expect(tooWide.code).toBe(2);
    expect(tooWide.stderr).toContain('too large a range');
    const garbage = await runEoc(['scan', '--scope', '127.0.6.0/28', 'not a host!']);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('is not a host name, an IP address or a CIDR range');

    const json = await runEoc(['scan', '--scope', '127.0.6.0/28', '--ports', '21,22,3389', '--json', '127.0.6.5']);
    expect(json.code).toBe(0);
    const scanned = JSON.parse(json.stdout) as ScanReport;
    expect(scanned.findings.map((f) => f.check).sort()).toEqual(['service-ftp', 'service-rdp']);
    const human = await runEoc(['scan', '--scope', '127.0.6.5', '--ports', '3389', '127.0.6.5']);
    expect(human.stdout).toContain('HIGH     service-rdp (port 3389): Remote Desktop (RDP) is reachable from the internet');
    expect(human.stdout).toContain('Fix: Close port 3389');
  });
});
