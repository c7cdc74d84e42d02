// Checks against services that misbehave: endless redirects, a redirect out of the approved targets, a page
// that never ends, one that never answers, a refused port, an untrusted certificate, a DNS server that stays
// silent. Each gives a clear state and message within the check's timeout, with memory bounded by the body cap.
import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type MonitorSpec } from '../src/monitoring/probes.js';
import { DnsClient } from '../src/scanning/dns-client.js';
import { parseScope } from '../src/scanning/scope.js';
import { makeCert, startCountingServer, startDnsServer } from './scan-fixtures.js';

const HOST = '127.0.6.100';
const scope = parseScope('127.0.6.100/30,*.county.test');
const spec = (over: Partial<MonitorSpec>): MonitorSpec => ({ id: 'm', kind: 'http', target: `http://${HOST}/`, intervalMs: 10_000, timeoutMs: 2000, scope, ...over });

describe('checks of misbehaving services', () => {
  const closers: Array<() => Promise<unknown>> = [];
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let outside: Awaited<ReturnType<typeof startCountingServer>>;
  const ctx = () => ({ dns: new DnsClient([{ host: dns.address, port: dns.port }], 500) });

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/loop') return void res.writeHead(302, { Location: '/loop' }).end();
      if (req.url === '/away') return void res.writeHead(302, { Location: 'http://127.0.6.120/' }).end();
      if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const write = () => { while (res.write(chunk)); };
        res.on('drain', write);
        write();
        return;
      }
      if (req.url === '/silent') return; // never answers
      res.end('<html><title>ok</title></html>');
    });
    await new Promise<void>((r) => server.listen(80, HOST, () => r()));
    closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
    const self = await makeCert({ cn: 'self.county.test', ips: [HOST] });
    const tls = https.createServer({ key: self.key, cert: self.cert }, (_q, r) => r.end('ok'));
    await new Promise<void>((r) => tls.listen(443, HOST, () => r()));
    closers.push(() => new Promise((r) => { tls.closeAllConnections(); tls.close(r); }));
    dns = await startDnsServer({ 'www.county.test': { A: [HOST] } }, { silent: new Set(['slow.county.test']) });
    closers.push(() => dns.close());
    outside = await startCountingServer('127.0.6.120', 80);
    closers.push(() => outside.close());
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('answers each misbehaviour with a clear state, in bounded time', { timeout: 30_000 }, async () => {
    const timed = async (s: MonitorSpec) => {
      const t0 = Date.now();
      const r = await probe(s, ctx());
      return { ...r, took: Date.now() - t0 };
    };
    expect(await timed(spec({}))).toMatchObject({ status: 'up', httpStatus: 200 });
    expect(await timed(spec({ target: `http://${HOST}/loop` }))).toMatchObject({ status: 'down', message: expect.stringContaining('more than 5 redirects') });
    const away = await timed(spec({ target: `http://${HOST}/away` }));
    expect(away).toMatchObject({ status: 'down', message: expect.stringContaining('127.0.6.120') });
    expect(outside.connections()).toBe(0);
    const endless = await timed(spec({ target: `http://${HOST}/endless` }));
    expect(endless).toMatchObject({ status: 'up', message: expect.stringContaining('larger than 1 MiB') });
    expect(endless.took).toBeLessThan(5000);
    const silent = await timed(spec({ target: `http://${HOST}/silent` }));
    expect(silent).toMatchObject({ status: 'down', message: expect.stringContaining('no complete answer within') });
    expect(silent.took).toBeLessThan(4000);
    expect(await timed(spec({ kind: 'tcp', target: `${HOST}:9` }))).toMatchObject({ status: 'down', message: expect.stringContaining('ECONNREFUSED') });
    expect(await timed(spec({ kind: 'tls', target: `${HOST}:443`, tls: { warnDays: 14 } }))).toMatchObject({ status: 'down', message: expect.stringContaining('not trusted') });
    const slowDns = await timed(spec({ kind: 'dns', target: 'slow.county.test', dns: { records: { A: [HOST] } } }));
    expect(slowDns).toMatchObject({ status: 'down', message: expect.stringContaining('no answer from') });
    expect(slowDns.took).toBeLessThan(4000);
    expect(await timed(spec({ kind: 'dns', target: 'www.county.test', dns: { records: { A: [HOST] } } }))).toMatchObject({ status: 'up' });
    expect(await timed(spec({ target: 'http://gone.county.test/' }))).toMatchObject({ status: 'down', message: expect.stringContaining('gone.county.test') });
  });
});
