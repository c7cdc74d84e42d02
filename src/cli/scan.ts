// `eoc scan`: a cyber hygiene scan from the command line. The scope is checked first — a target outside it
// stops the command with exit code 2 before any packet is sent — then the findings are printed, worst first,
// each with what was seen and how to fix it.
import fs from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { AppError } from '../platform/http/errors.js';
import { DnsClient, parseServer, systemServers, type Server } from '../scanning/dns-client.js';
import { planTargets, runScan, type ScanReport } from '../scanning/engine.js';
import { parseScope, ScopeError } from '../scanning/scope.js';
import type { VulnLookup } from '../scanning/software.js';
import { mergeRecords, recordsNamingVendor } from '../vulns/catalog.js';
import { parseCatalogDocument, recordsForVendor } from '../vulns/service.js';
import { jsonFiles, positiveInt, withContext, type DbFlags } from './shared.js';

/** "22,80,443,8000-8010" to port numbers. */
export function parsePorts(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || to < from) throw new InvalidArgumentError(`"${part}" is not a port or a range of ports (1-65535)`);
    for (let p = from; p <= to; p += 1) out.add(p);
  }
  if (!out.size) throw new InvalidArgumentError('name at least one port');
  return [...out];
}

function parseServers(text: string): Server[] {
  return text.split(',').map((s) => {
    const server = parseServer(s);
    if (!server) throw new InvalidArgumentError(`"${s}" is not a DNS server address (an IP, optionally with :port)`);
    return server;
  });
}

const SEVERITY_LABEL = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' } as const;

export function humanReport(r: ScanReport): string {
  const lines: string[] = [];
  const counts = (['critical', 'high', 'medium', 'low', 'info'] as const).filter((s) => r.summary[s]).map((s) => `${r.summary[s]} ${s}`);
  lines.push(`Scanned ${r.hosts.length} host${r.hosts.length === 1 ? '' : 's'} in ${(r.durationMs / 1000).toFixed(1)} s (scope: ${r.scope}) — ${counts.length ? counts.join(', ') : 'no findings'}.`);
  if (r.silentAddresses) lines.push(`${r.silentAddresses} address${r.silentAddresses === 1 ? '' : 'es'} in the target ranges answered on no port.`);
  const printFindings = (findings: ScanReport['findings']) => {
    for (const f of findings) {
      lines.push(`  ${SEVERITY_LABEL[f.severity].padEnd(8)} ${f.check}${f.port !== undefined ? ` (port ${f.port})` : ''}: ${f.title}`);
      lines.push(`           ${f.evidence}`);
      lines.push(`           Fix: ${f.fix}`);
    }
  };
  for (const h of r.hosts) {
    const scanned = h.addresses.find((a) => a.scanned)?.address;
    lines.push('');
    lines.push(`${h.host}${scanned && scanned !== h.host ? ` (${scanned})` : ''} — ${h.ports.length ? `open: ${h.ports.map((p) => `${p.port}/${p.service}`).join(', ')}` : 'no open ports'}`);
    for (const t of h.tls) {
      const offered = t.protocols.filter((p) => p.offered).map((p) => p.protocol);
      lines.push(`  TLS on ${t.port}: ${offered.length ? offered.join(', ') : 'no protocol accepted'}${t.certificate ? `; certificate for ${t.certificate.subject}, valid to ${t.certificate.validTo.slice(0, 10)}` : t.error ? `; certificate: ${t.error}` : ''}`);
    }
    printFindings(h.findings);
    for (const n of h.notes) lines.push(`  note: ${n}`);
  }
  for (const d of r.domains) {
    lines.push('');
    lines.push(`${d.domain} (mail and DNS) — SPF ${d.spf ? 'published' : 'none'}, DMARC ${d.dmarc ? 'published' : 'none'}, ${d.mx.length} mail server${d.mx.length === 1 ? '' : 's'}, DNSSEC ${d.dnssec ? (d.dnssec.signed ? 'signed' : 'not signed') : 'unknown'}`);
    printFindings(d.findings);
    for (const n of d.notes) lines.push(`  note: ${n}`);
  }
  lines.push('');
  lines.push(`Method: TCP connect scan of ${r.methodology.ports.length} ports, TLS handshakes for SSL 3.0 to TLS 1.3, web, mail and DNS checks; ${r.methodology.connections} connections; DNS via ${r.methodology.dnsServers}.`);
  return lines.join('\n');
}

interface ScanFlags extends DbFlags {
  scope: string;
  json?: boolean;
  ports?: number[];
  dns?: Server[];
  timeout?: number;
  rate?: number;
  concurrency?: number;
  ca?: string;
  catalog?: string[];
  ciphers?: boolean;
  emailDns?: boolean;
  smtpPort?: number;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('Scan hosts, addresses or ranges inside an authorised scope and print the findings')
    .argument('<targets...>', 'host names, IP addresses or CIDR ranges (each must be inside --scope)')
    .requiredOption('--scope <scope>', 'what the office authorised: a comma list of host names (or *.domain), IP addresses and CIDR ranges')
    .option('--json', 'print the full report as JSON')
    .option('--ports <list>', 'ports to scan, e.g. 22,80,443,8000-8100 (default: 49 common ports)', parsePorts)
    .option('--dns <servers>', 'DNS servers to ask, e.g. 127.0.0.1:5353 (default: the system resolvers)', parseServers)
    .option('--timeout <ms>', 'connection timeout per port in milliseconds (default 1500)', positiveInt)
    .option('--rate <n>', 'new connections per second, for the whole scan (default: no limit)', positiveInt)
    .option('--concurrency <n>', 'hosts scanned at once (default 32)', positiveInt)
    .option('--ca <file>', 'also trust the certificate authorities in this PEM file')
    .option('--catalog <path>', 'a KEV catalog or CVE JSON 5 file or folder, to name known vulnerabilities of detected versions (repeat it, or separate with commas)', (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)])
    .option('--data-dir <dir>', "use the platform's vulnerability catalog from this embedded database")
    .option('--database-url <url>', "use the platform's vulnerability catalog from this PostgreSQL database")
    .option('--no-ciphers', 'find the protocol versions only, without listing every accepted cipher suite')
    .option('--no-email-dns', 'skip the mail (SPF, DMARC, STARTTLS) and DNS (DNSSEC, CAA) checks')
    .option('--smtp-port <port>', 'port of the mail servers (default 25)', positiveInt)
    .addHelpText('after', '\nExit codes: 0 the scan ran (findings or not); 2 a target is outside the scope or the input is wrong (nothing was sent).\nExample: eoc scan --scope results.county.gov,203.0.113.0/28 results.county.gov 203.0.113.4')
    .action(async (targets: string[], flags: ScanFlags) => {
      let scope;
      try {
        scope = parseScope(flags.scope);
        planTargets(scope, targets);
      } catch (error) {
        if (error instanceof ScopeError) throw new AppError('validation-failed', error.message);
        throw error;
      }
      const ca = flags.ca ? [fs.readFileSync(flags.ca, 'utf8')] : undefined;
      const options = {
        ...(flags.ports ? { ports: flags.ports } : {}),
        dns: new DnsClient(flags.dns ?? systemServers()),
        ...(flags.timeout ? { connectTimeoutMs: flags.timeout } : {}),
        ...(flags.rate ? { ratePerSecond: flags.rate } : {}),
        ...(flags.concurrency ? { hostConcurrency: flags.concurrency } : {}),
        ...(ca ? { ca } : {}),
        ciphers: flags.ciphers !== false,
        emailDns: flags.emailDns !== false,
        ...(flags.smtpPort ? { smtpPort: flags.smtpPort } : {}),
        ...(process.stderr.isTTY && !flags.json ? { onHost: (done: number, total: number) => process.stderr.write(`\rscanned ${done} of ${total} hosts`) } : {}),
      };
      const run = async (vulnLookup?: VulnLookup) => runScan(scope, targets, { ...options, ...(vulnLookup ? { vulnLookup } : {}) });
      let report: ScanReport;
      if (flags.catalog?.length) {
        const records = mergeRecords(jsonFiles(flags.catalog).flatMap((file) => parseCatalogDocument(JSON.parse(fs.readFileSync(file, 'utf8'))).records));
        report = await run((vendor) => recordsNamingVendor(records, vendor));
      } else if (flags.dataDir || flags.databaseUrl) {
        report = await withContext(flags, (ctx) => run((vendor) => recordsForVendor(ctx, vendor)));
      } else {
        report = await run();
      }
      if (process.stderr.isTTY && !flags.json) process.stderr.write('\r\x1b[K');
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${humanReport(report)}\n`);
    });
}
