// The hygiene scan of a list of targets inside an authorised scope: every target is checked against the scope
// before a packet is sent (an error for the whole scan), then each host is resolved (its addresses and CNAME
// chain checked again), port-scanned, and its TLS, web, software and mail/DNS checks run — hosts in parallel,
// every wait bounded, one host's trouble never stopping the others.
import { X509Certificate } from 'node:crypto';
import { getDomain } from 'tldts';
import { CHECKS, finding, severityRank, SEVERITIES, type Finding, type Severity } from './checks.js';
import { checkDomain, type DomainResult } from './dns-checks.js';
import { DnsClient } from './dns-client.js';
import { Guard } from './guard.js';
import { checkWeb, type HttpResult } from './http-checks.js';
import { COMMON_PORTS, pool, probePort, serviceOf, type PortResult } from './ports.js';
import { allowAddress, describeScope, expandRange, normaliseAddress, parseTarget, ScopeError, targetInScope, type Scope, type Target } from './scope.js';
import { detectSoftware, vulnerabilityFindings, type DetectedSoftware, type VulnLookup } from './software.js';
import { describeCertificate, fetchCertificate, verifyChain, weakKey, weakSignature, type CertificateInfo } from './tls-cert.js';
import { brokenBecause, hexCode, suiteName, withoutForwardSecrecy } from './tls-ciphers.js';
import { clientHello, enumerateTls, sendHello, type Protocol, type ProtocolResult } from './tls-probe.js';

export interface ScanOptions {
  readonly ports?: readonly number[];
  readonly connectTimeoutMs?: number;
  readonly bannerMs?: number;
  readonly tlsTimeoutMs?: number;
  readonly httpTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** Hosts scanned at once. */
  readonly hostConcurrency?: number;
  /** New connections per second for the whole scan (0: no limit). */
  readonly ratePerSecond?: number;
  readonly dns?: DnsClient;
  /** Extra certificate authorities to trust (PEM), for offices with a private authority. */
  readonly ca?: readonly string[];
  readonly vulnLookup?: VulnLookup;
  readonly smtpPort?: number;
  /** Enumerate every accepted cipher suite (true) or only the protocols (false). */
  readonly ciphers?: boolean;
  readonly emailDns?: boolean;
  readonly now?: Date;
  readonly onHost?: (done: number, total: number) => void;
}

export interface TlsReport {
  readonly port: number;
  readonly protocols: ReadonlyArray<{ protocol: Protocol; offered: boolean; ciphers: Array<{ code: string; name: string }> }>;
  readonly certificate: CertificateInfo | null;
  readonly error?: string;
}

export interface HostReport {
  readonly target: string;
  readonly host: string;
  readonly addresses: ReadonlyArray<{ address: string; scanned: boolean; reason?: string }>;
  readonly cnameChain: readonly string[];
  readonly ports: readonly PortResult[];
  readonly tls: readonly TlsReport[];
  readonly web: ReadonlyArray<{ port: number; tls: boolean; status: number; url: string; title: string | null }>;
  readonly software: readonly DetectedSoftware[];
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
  readonly durationMs: number;
}

export interface ScanReport {
  readonly scope: string;
  readonly targets: readonly string[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly hosts: readonly HostReport[];
  /** Mail and DNS of each registered domain scanned, with its own findings. */
  readonly domains: readonly DomainResult[];
  /** Addresses of target ranges that answered on no port. */
  readonly silentAddresses: number;
  readonly findings: readonly Finding[];
  readonly summary: Record<Severity, number>;
  readonly methodology: { ports: number[]; connections: number; dnsServers: string; checks: number };
}

/** Checks every target against the scope; throws a ScopeError naming the first one outside it. */
export function planTargets(scope: Scope, targets: readonly string[]): Target[] {
  if (!targets.length) throw new ScopeError('', 'Name at least one target to scan.');
  return targets.map((text) => {
    const t = parseTarget(text);
    if (!targetInScope(scope, t)) throw new ScopeError(text, `${text} is outside the authorised scope (${describeScope(scope)}); nothing was scanned.`);
    return t;
  });
}

const DEFAULTS = { connectTimeoutMs: 1500, bannerMs: 500, tlsTimeoutMs: 4000, httpTimeoutMs: 6000, maxBodyBytes: 256 * 1024, hostConcurrency: 32, smtpPort: 25 };

export async function runScan(scope: Scope, targetTexts: readonly string[], options: ScanOptions = {}): Promise<ScanReport> {
  const plan = planTargets(scope, targetTexts);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & ScanOptions;
  const started = Date.now();
  const dns = o.dns ?? new DnsClient();
  const guard = new Guard(o.ratePerSecond ?? 0);
  const ports = [...new Set(o.ports ?? COMMON_PORTS.map((p) => p.port))].sort((a, b) => a - b);

  // Hosts: names as given; ranges expanded to their addresses.
  const jobs: Array<{ target: string; host: string; fromRange: boolean }> = [];
  for (const t of plan) {
    if (t.kind === 'host') jobs.push({ target: t.text, host: t.name, fromRange: false });
    else for (const address of expandRange(t)) jobs.push({ target: t.text, host: address, fromRange: true });
  }

  // One answer per name for the whole scan, so every check of a host talks to the same address (a name that
  // changes its answer mid-scan — DNS rebinding — cannot move the scan elsewhere).
  const resolved = new Map<string, Promise<{ addresses: string[]; chain: string[] } | { error: string }>>();
  const resolve = (name: string) => {
    let r = resolved.get(name);
    if (!r) {
      r = dns.resolveHost(name).catch((e: Error) => ({ error: e.message }));
      resolved.set(name, r);
    }
    return r;
  };
  const allowHost = async (name: string): Promise<{ address: string } | { refused: string }> => {
    const r = await resolve(name);
    if ('error' in r) return { refused: `${name} could not be resolved: ${r.error}` };
    if (!r.addresses.length) return { refused: `${name} has no address.` };
    let reason = '';
    for (const address of r.addresses) {
      const verdict = allowAddress(scope, r.chain, address);
      if (verdict.allowed) {
        guard.allow(address);
        return { address };
      }
      reason = verdict.reason;
    }
    return { refused: reason };
  };

  const domains = new Map<string, Promise<DomainResult>>();
  let done = 0;
  const hosts = await pool(jobs, o.hostConcurrency, async (job) => {
    const report = await scanHost(job.host, job.target, job.fromRange);
    done += 1;
    o.onHost?.(done, jobs.length);
    return report;
  });

  async function scanHost(host: string, target: string, fromRange: boolean): Promise<HostReport | null> {
    const t0 = Date.now();
    const findings: Finding[] = [];
    const notes: string[] = [];
    const addresses: Array<{ address: string; scanned: boolean; reason?: string }> = [];
    let chain: string[] = [host];
    let address: string | null = null;
    if (normaliseAddress(host)) {
      guard.allow(host);
      address = host;
      addresses.push({ address: host, scanned: true });
    } else {
      const r = await resolve(host);
      if ('error' in r) {
        findings.push(finding('host-unreachable', { host }, `${host} could not be resolved: ${r.error}`));
      } else {
        chain = r.chain;
        if (!r.addresses.length) findings.push(finding('host-unreachable', { host }, `${host} has no IPv4 or IPv6 address.`));
        for (const a of r.addresses) {
          const verdict = allowAddress(scope, r.chain, a);
          if (!verdict.allowed) {
            addresses.push({ address: a, scanned: false, reason: verdict.reason });
            findings.push(finding('scope-not-contacted', { host, address: a, subject: a }, `${r.chain.length > 1 ? `${host} is an alias (CNAME) of ${r.chain.slice(1).join(' → ')}. ` : ''}${verdict.reason}`));
          } else if (!address) {
            guard.allow(a);
            address = a;
            addresses.push({ address: a, scanned: true });
          } else {
            addresses.push({ address: a, scanned: false, reason: `only the first allowed address (${address}) is scanned` });
          }
        }
      }
    }
    const empty = { target, host, addresses, cnameChain: chain, ports: [], tls: [], web: [], software: [], notes };
    if (!address) return { ...empty, findings, durationMs: Date.now() - t0 };
    const scannedAddress: string = address;

    const portResults = await pool(ports, 64, (p) => probePort(guard, scannedAddress, p, { connectTimeoutMs: o.connectTimeoutMs, bannerMs: o.bannerMs }));
    const open = portResults.filter((p) => p.state === 'open');
    if (fromRange && !portResults.some((p) => p.state !== 'filtered')) return null;
    if (!open.length && !portResults.some((p) => p.state === 'closed')) findings.push(finding('host-unreachable', { host, address: scannedAddress }, `No answer on any of ${ports.length} ports within ${o.connectTimeoutMs} ms.`));

    const software: DetectedSoftware[] = [];
    const where = (port?: number) => ({ host, address: scannedAddress, ...(port !== undefined ? { port } : {}) });
    for (const p of open) {
      const risk = serviceOf(p.port).risk;
      if (risk) findings.push(finding(risk, where(p.port), `Port ${p.port} (${p.service}) is open${p.banner ? `; it answered "${p.banner}"` : ''}.`));
      if (p.banner) software.push(...detectSoftware(p.banner, `banner on port ${p.port}`, p.port));
    }

    // TLS on every open port that did not speak first (a service that greets is not waiting for a ClientHello).
    const serverName = normaliseAddress(host) ? undefined : host;
    const tlsPorts = (
      await Promise.all(
        open
          .filter((p) => !p.banner && mayBeTls(p.port))
          .map(async (p) => {
            const first = await sendHello(guard, scannedAddress, p.port, clientHello('TLSv1.2', [0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0x009c, 0x002f, 0x0035, 0x000a, 0xc013, 0xc014], serverName), o.tlsTimeoutMs);
            const tls13 = first.outcome === 'accepted' || first.outcome === 'refused' ? first : await sendHello(guard, scannedAddress, p.port, clientHello('TLSv1.3', [0x1301, 0x1302, 0x1303], serverName), o.tlsTimeoutMs);
            return tls13.outcome === 'accepted' || (tls13.outcome === 'refused' && tls13.alert !== null) ? p.port : null;
          }),
      )
    ).filter((p): p is number => p !== null);

    const tls = await Promise.all(tlsPorts.map((port) => tlsReport(scannedAddress, port, serverName)));
    for (const r of tls) findings.push(...tlsFindings(r, where(r.port), serverName));

    // Web checks on open ports that answer HTTP, with TLS where the port speaks it.
    const webPorts = open.filter((p) => !p.banner && (tlsPorts.includes(p.port) || serviceOf(p.port).http || serviceOf(p.port).service === 'unknown'));
    const hasHttps = webPorts.some((p) => tlsPorts.includes(p.port));
    const web: Array<{ port: number; tls: boolean; result: HttpResult }> = [];
    for (const p of webPorts) {
      const isTls = tlsPorts.includes(p.port);
      const result = await checkWeb(guard, { host, address: scannedAddress, port: p.port, tls: isTls }, { timeoutMs: o.httpTimeoutMs, maxBodyBytes: o.maxBodyBytes, userAgent: USER_AGENT, judgeHeaders: isTls || !hasHttps }, allowHost);
      if (result.landing) web.push({ port: p.port, tls: isTls, result });
      findings.push(...result.findings);
      notes.push(...result.notes);
      software.push(...result.software);
    }
    const plainWeb = web.filter((w) => !w.tls);
    if (plainWeb.length && !hasHttps) findings.push(finding('http-no-https', where(plainWeb[0]!.port), `The site answers on port ${plainWeb.map((w) => w.port).join(', ')} over plain HTTP and no port serves it over HTTPS.`));
    else for (const w of plainWeb.filter((x) => x.port === 80)) if (w.result.redirectsToHttps === false) findings.push(finding('http-not-redirected', where(w.port), `http://${host}/ answered ${w.result.landing?.status ?? '?'} instead of redirecting to https://.`));

    // Mail and DNS of the host's registered domain, once per domain per scan (findings of the domain itself).
    if (serverName && o.emailDns !== false) {
      const domain = getDomain(serverName, { allowPrivateDomains: true }) ?? serverName;
      if (!domains.has(domain)) domains.set(domain, domainScan(domain));
      await domains.get(domain);
    }

    if (o.vulnLookup && software.length) findings.push(...(await vulnerabilityFindings(host, scannedAddress, software, o.vulnLookup)));
    return {
      ...empty,
      ports: portResults.filter((p) => p.state === 'open'),
      tls,
      web: web.map((w) => ({ port: w.port, tls: w.tls, status: w.result.landing!.status, url: w.result.landing!.url, title: w.result.landing!.title })),
      software,
      findings: findings.sort((a, b) => severityRank(a.severity) - severityRank(b.severity)),
      durationMs: Date.now() - t0,
    };
  }

  async function domainScan(domain: string): Promise<DomainResult> {
    const r = await checkDomain(domain, dns, guard, allowHost, { smtpPort: o.smtpPort, timeoutMs: o.connectTimeoutMs * 2 });
    if (!o.vulnLookup || !r.software.length) return r;
    const mx = r.mx.find((m) => m.address);
    return { ...r, findings: [...r.findings, ...(await vulnerabilityFindings(domain, mx?.address ?? '', r.software, o.vulnLookup))] };
  }

  async function tlsReport(address: string, port: number, serverName: string | undefined): Promise<TlsReport> {
    const [enumeration, fetched] = await Promise.all([
      enumerateTls(guard, address, port, serverName, { timeoutMs: o.tlsTimeoutMs, ciphers: o.ciphers !== false }),
      fetchCertificate(guard, address, port, serverName, { timeoutMs: o.tlsTimeoutMs, ...(o.ca ? { ca: o.ca } : {}), ...(o.now ? { now: o.now } : {}) }),
    ]);
    let cert = fetched;
    // No handshake with the local TLS library (SSL 3.0, 3DES only): the certificate is read from the raw answer.
    const legacy = enumeration.protocols.find((p) => p.offered && p.protocol !== 'TLSv1.3');
    if ('error' in cert && legacy) {
      const answer = await sendHello(guard, address, port, clientHello(legacy.protocol, legacy.ciphers, serverName), o.tlsTimeoutMs, true);
      const chain = answer.outcome === 'accepted' ? (answer.certificates ?? []).flatMap((der) => { try { return [new X509Certificate(der)]; } catch { return []; } }) : [];
      if (chain[0]) cert = describeCertificate(chain[0], serverName, { trustError: verifyChain(chain, o.ca), now: o.now, protocol: legacy.protocol });
    }
    return {
      port,
      protocols: enumeration.protocols.map((p: ProtocolResult) => ({ protocol: p.protocol, offered: p.offered, ciphers: p.ciphers.map((c) => ({ code: hexCode(c), name: suiteName(c) })) })),
      certificate: 'error' in cert ? null : cert,
      ...('error' in cert ? { error: cert.error } : {}),
    };
  }

  const live = hosts.filter((h): h is HostReport => h !== null);
  const domainResults = await Promise.all(domains.values());
  const all = [...live.flatMap((h) => h.findings), ...domainResults.flatMap((d) => d.findings)];
  const summary = Object.fromEntries(SEVERITIES.map((s) => [s, all.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  return {
    scope: describeScope(scope),
    targets: targetTexts,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    hosts: live,
    domains: domainResults,
    silentAddresses: hosts.filter((h) => h === null).length,
    findings: all,
    summary,
    methodology: { ports, connections: guard.connections, dnsServers: dns.serverList, checks: Object.keys(CHECKS).length },
  };
}

/** Ports whose usual service has its own way into TLS (RDP, databases) or none are not sent a bare ClientHello. */
function mayBeTls(port: number): boolean {
  const s = serviceOf(port);
  return Boolean(s.tls || s.http || s.service === 'unknown');
}

export const USER_AGENT = 'ElectionOpsCenter-HygieneScan/1 (authorised scan; contact your operations center)';

/** What a TLS port's protocols, suites and certificate say, as findings. */
export function tlsFindings(r: TlsReport, where: { host: string; address: string; port?: number }, serverName: string | undefined): Finding[] {
  const out: Finding[] = [];
  const at = { ...where, port: r.port };
  const offered = (p: Protocol) => r.protocols.find((x) => x.protocol === p)?.offered ?? false;
  if (offered('SSLv3')) out.push(finding('tls-sslv3', at, `Port ${r.port} completed a ServerHello for SSL 3.0.`));
  if (offered('TLSv1.0')) out.push(finding('tls-tls10', at, `Port ${r.port} accepts TLS 1.0.`));
  if (offered('TLSv1.1')) out.push(finding('tls-tls11', at, `Port ${r.port} accepts TLS 1.1.`));
  if (r.protocols.some((p) => p.offered) && !offered('TLSv1.2') && !offered('TLSv1.3')) out.push(finding('tls-no-modern-protocol', at, `Port ${r.port} offers only ${r.protocols.filter((p) => p.offered).map((p) => p.protocol).join(', ')}.`));
  const suites = new Map<string, Set<string>>();
  for (const p of r.protocols) for (const c of p.ciphers) suites.set(c.name, (suites.get(c.name) ?? new Set()).add(p.protocol));
  const broken = [...suites.keys()].filter((n) => brokenBecause(n));
  if (broken.length) out.push(finding('tls-weak-cipher', at, `Port ${r.port} accepts ${broken.map((n) => `${n} (${brokenBecause(n)})`).join(', ')}.`));
  const noPfs = [...suites.keys()].filter((n) => !brokenBecause(n) && withoutForwardSecrecy(n));
  if (noPfs.length) out.push(finding('tls-no-forward-secrecy', at, `Port ${r.port} accepts ${noPfs.join(', ')}.`));
  const c = r.certificate;
  if (c) {
    if (c.daysLeft < 0) out.push(finding('tls-cert-expired', at, `The certificate for ${c.subject} expired on ${c.validTo.slice(0, 10)} (${-c.daysLeft} days ago).`));
    else if (c.daysLeft <= 30) out.push(finding('tls-cert-expiring', at, `The certificate for ${c.subject} expires on ${c.validTo.slice(0, 10)}, in ${c.daysLeft} days.`));
    if (c.selfSigned) out.push(finding('tls-cert-self-signed', at, `The certificate is issued by itself (${c.issuer}).`));
    else if (c.trustError && c.trustError !== 'CERT_HAS_EXPIRED' && c.trustError !== 'CERT_NOT_YET_VALID') out.push(finding('tls-cert-untrusted', at, `The certificate chain (issuer ${c.issuer}) is not trusted: ${c.trustError}.`));
    if (serverName && c.nameError) out.push(finding('tls-cert-hostname-mismatch', at, `${c.nameError}.`.replace(/\.\.$/, '.')));
    if (weakKey(c.keyType, c.keyBits)) out.push(finding('tls-weak-key', at, `The certificate key is ${c.keyType.toUpperCase()} ${c.keyBits} bits.`));
    if (weakSignature(c.signatureAlgorithm)) out.push(finding('tls-weak-signature', at, `The certificate is signed with ${c.signatureAlgorithm}.`));
  }
  return out;
}
