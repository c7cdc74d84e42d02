// Loopback scan targets for `npm run bench -- scan`, run as their own process so the scanner being measured
// does not share its event loop with them: N hosts on 127.0.8.1… (127.0.8.0/23) in four profiles that repeat.
//   0 modern   TLS 1.2/1.3, ECDHE only, trusted certificate, security headers, HTTP redirected to HTTPS
//   1 legacy   TLS 1.0–1.3 with plain-RSA suites, self-signed, no headers, Apache version shown, SSH 7.4, RDP
//   2 expired  TLS 1.2 only with DHE and ECDHE suites, an expired certificate, FTP with a banner
//   3 ancient  a hand-written server that speaks only SSL 3.0 and TLS 1.0 with 3DES (a handshake's first flight)
// Prints one line of JSON ({"addresses": [...], "ca": PEM}) when every port listens.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { legacyTlsServer, makeCert } from '../test/scan-fixtures.js';

const count = Number(process.argv[2] ?? 256);
const DAY = 86_400_000;

const PROFILES = ['modern', 'legacy', 'expired', 'ancient'] as const;
const hostAddress = (i: number) => `127.0.${8 + Math.floor((i + 1) / 256)}.${(i + 1) % 256}`;

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

const ca = await makeCert({ cn: 'Bench Certificate Authority', ca: true });
const modernCert = await makeCert({ cn: 'modern.bench.test', ips: Array.from({ length: count }, (_, i) => hostAddress(i)), issuer: ca });
const selfSigned = await makeCert({ cn: 'legacy.bench.test' });
const expired = await makeCert({ cn: 'expired.bench.test', issuer: ca, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - 3 * DAY) });
const strong = { 'Strict-Transport-Security': 'max-age=63072000', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
const page = (headers: Record<string, string>) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(req.url === '/' ? 200 : 404, { 'Content-Type': 'text/html', ...headers }).end('<html><title>County elections</title></html>');
};

for (let i = 0; i < count; i += 1) {
  const host = hostAddress(i);
  const profile = PROFILES[i % PROFILES.length];
  if (profile === 'modern') {
    await listen(https.createServer({ key: modernCert.key, cert: modernCert.cert, minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305' }, page(strong)), 443, host);
    await listen(http.createServer((req, res) => res.writeHead(301, { Location: `https://${host}${req.url}` }).end()), 80, host);
  } else if (profile === 'legacy') {
    await listen(https.createServer({ key: selfSigned.key, cert: selfSigned.cert, minVersion: 'TLSv1', ciphers: 'DEFAULT:AES128-SHA:AES256-SHA:@SECLEVEL=0' }, page({ Server: 'Apache/2.4.49 (Unix)' })), 443, host);
    await listen(http.createServer(page({})), 80, host);
    await listen(net.createServer((s) => s.on('error', () => undefined).write('SSH-2.0-OpenSSH_7.4\r\n')), 22, host);
    await listen(net.createServer((s) => s.on('error', () => undefined)), 3389, host);
  } else if (profile === 'expired') {
    await listen(https.createServer({ key: expired.key, cert: expired.cert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA' }, page(strong)), 443, host);
    await listen(net.createServer((s) => s.on('error', () => undefined).end('220 ProFTPD 1.3.5 Server\r\n')), 21, host);
  } else {
    await listen(net.createServer(legacyTlsServer(Buffer.from(selfSigned.certificate.rawData))), 443, host);
  }
}
process.stdout.write(`${JSON.stringify({ addresses: Array.from({ length: count }, (_, i) => hostAddress(i)), ca: ca.cert })}\n`);
