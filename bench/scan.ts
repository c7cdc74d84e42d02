// `npm run bench -- scan`: the hygiene scanner against Debian's testssl.sh, sslscan and nmap on the same
// loopback targets (bench/scan-targets.ts) in the same run — agreement on every TLS protocol, cipher suite,
// certificate and open-port finding the peers report, and time per host; then 256 hosts at once.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScan, type ScanReport } from '../src/scanning/engine.js';
import { COMMON_PORTS } from '../src/scanning/ports.js';
import { parseScope } from '../src/scanning/scope.js';
import { LEGACY_SUITES, TLS13_SUITES } from '../src/scanning/tls-ciphers.js';
import { root } from './server.js';

const PEERS = [
  { tool: 'testssl', pkg: 'testssl.sh' },
  { tool: 'sslscan', pkg: 'sslscan' },
  { tool: 'nmap', pkg: 'nmap' },
];
const PROFILES = ['modern', 'legacy', 'expired', 'ancient'] as const;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** What a tool reports about one TLS port: protocols offered, cipher codes per protocol, certificate verdicts. */
interface TlsView {
  protocols: Set<string>;
  ciphers: Map<string, Set<string>>;
  expired?: boolean;
  selfSigned?: boolean;
  openPorts?: Set<number>;
}

function ensurePeers(): void {
  for (const p of PEERS) {
    if (spawnSync('which', [p.tool]).status === 0) continue;
    log(`installing ${p.pkg} with apt-get`);
    execFileSync('apt-get', ['install', '-y', p.pkg], { stdio: 'ignore' });
  }
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const NAME_TO_CODE = new Map([...TLS13_SUITES, ...LEGACY_SUITES].map((s) => [s.name, `0x${s.code.toString(16).padStart(4, '0')}`]));
const normCode = (hex: string) => `0x${hex.replace(/^0?x/i, '').toLowerCase().padStart(4, '0')}`;

function oursView(report: ScanReport, port = 443): TlsView {
  const h = report.hosts[0]!;
  const t = h.tls.find((x) => x.port === port);
  const protocols = new Set((t?.protocols ?? []).filter((p) => p.offered).map((p) => p.protocol));
  const ciphers = new Map((t?.protocols ?? []).filter((p) => p.offered).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.code))]));
  const checks = new Set(h.findings.map((f) => f.check));
  return { protocols, ciphers, expired: checks.has('tls-cert-expired'), selfSigned: checks.has('tls-cert-self-signed'), openPorts: new Set(h.ports.map((p) => p.port)) };
}

const TESTSSL_PROTOCOLS: Record<string, string> = { SSLv3: 'SSLv3', TLS1: 'TLSv1.0', TLS1_1: 'TLSv1.1', TLS1_2: 'TLSv1.2', TLS1_3: 'TLSv1.3' };
const TESTSSL_CIPHER_PROTOCOL: Record<string, string> = { ssl3: 'SSLv3', tls1: 'TLSv1.0', tls1_1: 'TLSv1.1', tls1_2: 'TLSv1.2', tls1_3: 'TLSv1.3' };

function testsslView(file: string): TlsView {
  const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ id: string; finding: string }>;
  const protocols = new Set<string>();
  const ciphers = new Map<string, Set<string>>();
  let expired: boolean | undefined;
  let selfSigned: boolean | undefined;
  for (const r of rows) {
    if (TESTSSL_PROTOCOLS[r.id] && /^offered/.test(r.finding)) protocols.add(TESTSSL_PROTOCOLS[r.id]!);
    const m = /^cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/.exec(r.id);
    if (m) {
      const p = TESTSSL_CIPHER_PROTOCOL[m[1]!]!;
      if (!ciphers.has(p)) ciphers.set(p, new Set());
      ciphers.get(p)!.add(normCode(m[2]!));
    }
    if (r.id === 'cert_expirationStatus') expired = /expired/i.test(r.finding);
    if (r.id === 'cert_chain_of_trust') selfSigned = /self signed/i.test(r.finding);
  }
  return { protocols, ciphers, ...(expired !== undefined ? { expired } : {}), ...(selfSigned !== undefined ? { selfSigned } : {}) };
}

const SSLSCAN_PROTOCOLS: Record<string, string> = { 'ssl 3': 'SSLv3', 'tls 1.0': 'TLSv1.0', 'tls 1.1': 'TLSv1.1', 'tls 1.2': 'TLSv1.2', 'tls 1.3': 'TLSv1.3' };

function sslscanView(xml: string): TlsView {
  const protocols = new Set<string>();
  const ciphers = new Map<string, Set<string>>();
  for (const m of xml.matchAll(/<protocol type="(\w+)" version="([\d.]+)" enabled="1"/g)) {
    const p = SSLSCAN_PROTOCOLS[`${m[1]} ${m[2]}`];
    if (p) protocols.add(p);
  }
  for (const m of xml.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]* id="(0x[0-9A-Fa-f]+)"/g)) {
    const p = m[1] === 'SSLv3' ? 'SSLv3' : m[1]!;
    if (!ciphers.has(p)) ciphers.set(p, new Set());
    ciphers.get(p)!.add(normCode(m[2]!));
  }
  const expired = /<expired>true<\/expired>/.test(xml);
  const selfSigned = /<self-signed>true<\/self-signed>/.test(xml);
  return { protocols, ciphers, expired, selfSigned };
}

const NMAP_PROTOCOLS: Record<string, string> = { SSLv3: 'SSLv3', 'TLSv1.0': 'TLSv1.0', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };

function nmapView(xml: string): TlsView {
  const openPorts = new Set<number>();
  for (const m of xml.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="open"/g)) openPorts.add(Number(m[1]));
  const protocols = new Set<string>();
  const ciphers = new Map<string, Set<string>>();
  const port443 = /<port protocol="tcp" portid="443">([\s\S]*?)<\/port>/.exec(xml)?.[1] ?? '';
  for (const m of port443.matchAll(/<table key="(SSLv3|TLSv1\.[0-3])">([\s\S]*?)<elem key="cipher preference">/g)) {
    const p = NMAP_PROTOCOLS[m[1]!]!;
    protocols.add(p);
    const set = new Set<string>();
    for (const n of m[2]!.matchAll(/<elem key="name">([A-Z0-9_]+)<\/elem>/g)) set.add(NAME_TO_CODE.get(n[1]!.replace(/^TLS_AKE_WITH_/, 'TLS_')) ?? n[1]!);
    ciphers.set(p, set);
  }
  return { protocols, ciphers, openPorts };
}

function compare(ours: TlsView, peer: TlsView, peerName: string, what: { ciphers: boolean; cert: boolean; ports: boolean }): string[] {
  const out: string[] = [];
  const diff = (label: string, a: Set<string | number>, b: Set<string | number>) => {
    const onlyOurs = [...a].filter((x) => !b.has(x));
    const onlyPeer = [...b].filter((x) => !a.has(x));
    if (onlyOurs.length || onlyPeer.length) out.push(`${label}: only ours [${onlyOurs.join(' ')}], only ${peerName} [${onlyPeer.join(' ')}]`);
  };
  diff('protocols', ours.protocols, peer.protocols);
  if (what.ciphers) for (const p of new Set([...ours.ciphers.keys(), ...peer.ciphers.keys()])) diff(`${p} suites`, ours.ciphers.get(p) ?? new Set(), peer.ciphers.get(p) ?? new Set());
  if (what.cert) {
    if (peer.expired !== undefined && peer.expired !== ours.expired) out.push(`expired: ours ${ours.expired}, ${peerName} ${peer.expired}`);
    if (peer.selfSigned !== undefined && peer.selfSigned !== ours.selfSigned) out.push(`self-signed: ours ${ours.selfSigned}, ${peerName} ${peer.selfSigned}`);
  }
  if (what.ports && peer.openPorts) diff('open ports', ours.openPorts ?? new Set(), peer.openPorts);
  return out;
}

function run(cmd: string, args: string[]): Promise<{ stdout: string; seconds: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

export async function runScanBench(hosts: number): Promise<void> {
  ensurePeers();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-scan-bench-'));
  log(`starting ${hosts} loopback targets in 127.0.8.0/23`);
  const targets = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/scan-targets.ts'), String(hosts)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ ca: string; addresses: string[] }>((resolve, reject) => {
    let buf = '';
    targets.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!) as { ca: string; addresses: string[] });
    });
    targets.on('exit', (code) => reject(new Error(`the targets exited (${code})`)));
  });
  try {
    const scope = parseScope('127.0.8.0/23');
    const address = (i: number) => ready.addresses[i]!;
    const ports = COMMON_PORTS.map((p) => p.port);
    const options = { ca: [ready.ca], emailDns: false };
    const rows: string[][] = [];
    const disagreements: string[] = [];
    const perHost: Record<string, number[]> = { ours: [], testssl: [], sslscan: [], nmap: [] };
    for (let i = 0; i < PROFILES.length; i += 1) {
      const host = address(i);
      const profile = PROFILES[i]!;
      const ours = await timed(() => runScan(scope, [host], options));
      perHost.ours!.push(ours.seconds);
      const mine = oursView(ours.value);
      const ts = await run('testssl', ['--quiet', '--warnings', 'off', '--color', '0', '-p', '-E', '-S', '--jsonfile', path.join(tmp, `ts-${i}.json`), `${host}:443`]);
      perHost.testssl!.push(ts.seconds);
      const ss = await run('sslscan', ['--no-colour', '--show-certificate', '--xml=-', `${host}:443`]);
      perHost.sslscan!.push(ss.seconds);
      const nm = await run('nmap', ['-sT', '-Pn', '-n', '-p', ports.join(','), '--script', 'ssl-enum-ciphers', '-oX', '-', host]);
      perHost.nmap!.push(nm.seconds);
      for (const [name, view, what] of [
        ['testssl.sh', testsslView(path.join(tmp, `ts-${i}.json`)), { ciphers: true, cert: true, ports: false }],
        ['sslscan', sslscanView(ss.stdout), { ciphers: true, cert: true, ports: false }],
        ['nmap', nmapView(nm.stdout), { ciphers: true, cert: false, ports: true }],
      ] as const) {
        const d = compare(mine, view, name, what);
        for (const line of d) disagreements.push(`${profile} (${host}) vs ${name}: ${line}`);
        rows.push([profile, name, [...view.protocols].join(' ') || '–', String([...view.ciphers.values()].reduce((n, s) => n + s.size, 0)), d.length ? `${d.length} difference${d.length === 1 ? '' : 's'}` : 'agrees']);
      }
      rows.push([profile, 'eoc scan', [...mine.protocols].join(' ') || '–', String([...mine.ciphers.values()].reduce((n, s) => n + s.size, 0)), `${ours.value.findings.length} findings, ports ${[...(mine.openPorts ?? [])].join(',')}`]);
    }
    // A default testssl.sh run (every check it makes) on one host, for its usual time per host.
    const full = await run('testssl', ['--quiet', '--warnings', 'off', '--color', '0', '--jsonfile', path.join(tmp, 'ts-full.json'), `${address(1)}:443`]);
    log(`scanning all ${hosts} hosts`);
    const all = await timed(() => runScan(scope, ready.addresses, options));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const widths = [8, 10, 34, 8, 40];
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
    process.stdout.write(
      [
        `Hygiene scan on loopback: four target profiles (modern, legacy, expired, ancient), ${ports.length} TCP ports, TLS on 443. Node ${process.version}, ${os.cpus().length} cores.`,
        '',
        line(['profile', 'tool', 'protocols offered', 'suites', 'agreement with eoc scan']),
        ...rows.map(line),
        '',
        `Disagreements: ${disagreements.length ? `\n  ${disagreements.join('\n  ')}` : 'none'}`,
        '',
        `Time per host (mean of the four profiles): eoc scan (full hygiene scan: ${ports.length} ports, TLS protocols and suites, certificate, web checks) ${fmt(mean(perHost.ours!), 2)} s; testssl.sh -p -E -S ${fmt(mean(perHost.testssl!), 1)} s; sslscan ${fmt(mean(perHost.sslscan!), 2)} s; nmap -sT + ssl-enum-ciphers ${fmt(mean(perHost.nmap!), 1)} s.`,
        `testssl.sh with its default checks on the legacy host: ${fmt(full.seconds, 1)} s.`,
        `Ratios in this run: testssl.sh default / eoc scan ${fmt(full.seconds / mean(perHost.ours!), 0)}×; testssl.sh -p -E -S / eoc scan ${fmt(mean(perHost.testssl!) / mean(perHost.ours!), 0)}×; nmap / eoc scan ${fmt(mean(perHost.nmap!) / mean(perHost.ours!), 1)}×.`,
        `${hosts} hosts in one scan: ${fmt(all.seconds, 1)} s (${fmt(all.seconds / hosts, 3)} s per host), ${all.value.hosts.length} hosts reported, ${fmt(all.value.findings.length)} findings, ${fmt(all.value.methodology.connections)} connections; target < 30 s.`,
      ].join('\n') + '\n',
    );
  } finally {
    targets.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
