// Products and versions a service gives away in its banner or headers ("Server: Apache/2.4.49",
// "SSH-2.0-OpenSSH_7.4"), named the way CVE records name them, so the vulnerability catalog can say which
// known vulnerabilities — and which of those CISA lists as exploited — the version has.
import { assess, type VulnRecord } from '../vulns/catalog.js';
import { finding, type Finding } from './checks.js';

export interface DetectedSoftware {
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  /** Where it was read: "Server header on 443", "banner on 22". */
  readonly source: string;
  readonly port: number;
}

interface Signature {
  readonly pattern: RegExp;
  readonly vendor: string;
  readonly product: string;
}

const SIGNATURES: readonly Signature[] = [
  { pattern: /\bApache\/(\d+\.\d+\.\d+)/, vendor: 'Apache Software Foundation', product: 'Apache HTTP Server' },
  { pattern: /\bnginx\/(\d+\.\d+\.\d+)/i, vendor: 'F5', product: 'nginx' },
  { pattern: /\bMicrosoft-IIS\/(\d+\.\d+)/, vendor: 'Microsoft', product: 'Internet Information Services' },
  { pattern: /\bPHP\/(\d+\.\d+\.\d+)/, vendor: 'PHP Group', product: 'PHP' },
  { pattern: /\bOpenSSL\/(\d+\.\d+\.\d+[a-z]?)/, vendor: 'OpenSSL', product: 'OpenSSL' },
  { pattern: /\bOpenSSH_(\d+\.\d+(?:p\d+)?)/, vendor: 'OpenBSD', product: 'OpenSSH' },
  { pattern: /\bProFTPD (\d+\.\d+\.\d+[a-z]?)/, vendor: 'ProFTPD Project', product: 'ProFTPD' },
  { pattern: /\bvsFTPd (\d+\.\d+\.\d+)/i, vendor: 'vsftpd Project', product: 'vsftpd' },
  { pattern: /\bExim (\d+\.\d+(?:\.\d+)?)/, vendor: 'Exim', product: 'Exim' },
  { pattern: /\bJetty\((\d+\.\d+\.\d+)/, vendor: 'Eclipse Foundation', product: 'Jetty' },
  { pattern: /\bApache Tomcat\/(\d+\.\d+\.\d+)/, vendor: 'Apache Software Foundation', product: 'Apache Tomcat' },
  { pattern: /\blighttpd\/(\d+\.\d+\.\d+)/, vendor: 'lighttpd', product: 'lighttpd' },
];

/** Software named with a version in one banner or header value. */
export function detectSoftware(text: string, source: string, port: number): DetectedSoftware[] {
  const out: DetectedSoftware[] = [];
  for (const s of SIGNATURES) {
    const m = s.pattern.exec(text);
    if (m) out.push({ vendor: s.vendor, product: s.product, version: m[1]!, source, port });
  }
  return out;
}

/** Microsoft Exchange gives its build in X-OWA-Version. */
export function detectFromHeaders(headers: Record<string, string | string[] | undefined>, port: number): DetectedSoftware[] {
  const one = (h: string) => {
    const v = headers[h];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const out: DetectedSoftware[] = [];
  for (const h of ['server', 'x-powered-by']) {
    const v = one(h);
    if (v) out.push(...detectSoftware(v, `${h === 'server' ? 'Server' : 'X-Powered-By'} header on port ${port}`, port));
  }
  const owa = one('x-owa-version');
  if (owa && /^\d+\.\d+\.\d+/.test(owa)) out.push({ vendor: 'Microsoft', product: 'Exchange Server', version: owa.trim(), source: `X-OWA-Version header on port ${port}`, port });
  return out;
}

/** A lookup of catalog records that may concern a vendor. */
export type VulnLookup = (vendor: string) => Promise<readonly VulnRecord[]> | readonly VulnRecord[];

/** Known vulnerabilities of the detected versions: KEV entries as critical, the others by their CVSS score. */
export async function vulnerabilityFindings(host: string, address: string, software: readonly DetectedSoftware[], lookup: VulnLookup): Promise<Finding[]> {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const s of software) {
    for (const record of await lookup(s.vendor)) {
      const verdict = assess(s, record);
      if (!verdict || verdict.status !== 'affected') continue;
      const key = `${s.port}|${record.cveId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const evidence = `${s.product} ${s.version} (${s.source}) is in the affected range of ${record.cveId}${record.title ? `: ${record.title}` : ''}.`;
      if (record.kev) {
        out.push({ ...finding('vuln-kev', { host, address, port: s.port, subject: record.cveId }, `${evidence} CISA lists it as known exploited${record.kev.dateAdded ? ` since ${record.kev.dateAdded}` : ''}${record.kev.requiredAction ? `; required action: ${record.kev.requiredAction}` : ''}.`) });
      } else {
        const score = record.cvssScore ?? null;
        const severity = score === null ? 'high' : score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
        out.push(finding('vuln-cve', { host, address, port: s.port, subject: record.cveId }, `${evidence}${score !== null ? ` CVSS ${score}.` : ''}`, severity));
      }
    }
  }
  return out;
}
