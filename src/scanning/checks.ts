// Every check the hygiene scanner makes, in one table: a stable id, a severity, a title and a fix written for
// a small office without a security team. Findings name a check by its id; reports, tracking across scans and
// the documentation (docs/scanning-checks.md, generated from this table) all read it from here.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type CheckArea = 'services' | 'tls' | 'http' | 'email-dns' | 'software' | 'scope';

export interface CheckDefinition {
  readonly area: CheckArea;
  readonly severity: Severity;
  readonly title: string;
  readonly fix: string;
}

export const CHECKS = {
  // Services exposed to the internet.
  'service-rdp': { area: 'services', severity: 'high', title: 'Remote Desktop (RDP) is reachable from the internet', fix: 'Close port 3389 at the firewall. Staff who work remotely should connect through the VPN first; ransomware crews scan for open RDP every day.' },
  'service-smb': { area: 'services', severity: 'high', title: 'Windows file sharing (SMB/NetBIOS) is reachable from the internet', fix: 'Block ports 139 and 445 at the firewall for all internet traffic. File shares should only be reachable inside the office network or over the VPN.' },
  'service-telnet': { area: 'services', severity: 'high', title: 'Telnet is reachable from the internet', fix: 'Turn Telnet off on the device (it sends passwords unencrypted) and block port 23. Use SSH from inside the network for remote administration.' },
  'service-ftp': { area: 'services', severity: 'medium', title: 'FTP is reachable from the internet', fix: 'FTP sends passwords and files unencrypted. Replace it with SFTP or HTTPS uploads, then close port 21.' },
  'service-database': { area: 'services', severity: 'high', title: 'A database server is reachable from the internet', fix: 'Databases should never answer the internet. Block the database port at the firewall and allow only the application servers that need it.' },
  'service-remote-admin': { area: 'services', severity: 'high', title: 'A remote management interface is reachable from the internet', fix: 'Remote control and management services (VNC, WinRM, Docker, Webmin and the like) must not be open to the internet. Close the port and reach them over the VPN only.' },
  // TLS.
  'tls-sslv3': { area: 'tls', severity: 'high', title: 'The server still accepts SSL 3.0', fix: 'Turn off SSL 3.0 in the web server or load balancer settings (it is broken by the POODLE attack). Allow TLS 1.2 and TLS 1.3 only.' },
  'tls-tls10': { area: 'tls', severity: 'medium', title: 'The server still accepts TLS 1.0', fix: 'Turn off TLS 1.0 in the server settings; it has been retired (RFC 8996). Allow TLS 1.2 and TLS 1.3 only.' },
  'tls-tls11': { area: 'tls', severity: 'medium', title: 'The server still accepts TLS 1.1', fix: 'Turn off TLS 1.1 in the server settings; it has been retired (RFC 8996). Allow TLS 1.2 and TLS 1.3 only.' },
  'tls-no-modern-protocol': { area: 'tls', severity: 'high', title: 'The server offers neither TLS 1.2 nor TLS 1.3', fix: 'Update the server software or its TLS settings so that it offers TLS 1.2 and TLS 1.3; current browsers will soon refuse to connect.' },
  'tls-weak-cipher': { area: 'tls', severity: 'high', title: 'The server accepts broken ciphers', fix: 'Remove NULL, anonymous, export, RC4, DES, 3DES and MD5 cipher suites from the server configuration. Your hosting provider can apply a "modern" or "intermediate" TLS profile.' },
  'tls-no-forward-secrecy': { area: 'tls', severity: 'low', title: 'The server accepts ciphers without forward secrecy', fix: 'Prefer ECDHE cipher suites and remove the plain "RSA" key-exchange suites, so that recorded traffic cannot be decrypted later if the key leaks.' },
  'tls-cert-expired': { area: 'tls', severity: 'critical', title: 'The certificate has expired', fix: 'Renew the certificate now and install it on the server. Visitors see a security warning until then. Automate renewal (for example with ACME) so it cannot lapse again.' },
  'tls-cert-expiring': { area: 'tls', severity: 'medium', title: 'The certificate expires within 30 days', fix: 'Renew the certificate before it expires, and check the renewal reminder goes to a shared mailbox rather than one person.' },
  'tls-cert-self-signed': { area: 'tls', severity: 'high', title: 'The certificate is self-signed', fix: 'Replace it with a certificate from a public certificate authority (free ones exist). Visitors cannot tell a self-signed certificate from an attacker’s.' },
  'tls-cert-untrusted': { area: 'tls', severity: 'high', title: 'The certificate chain is not trusted', fix: 'Install the full certificate chain (the intermediate certificates) your authority provides, or replace a certificate from an untrusted issuer.' },
  'tls-cert-hostname-mismatch': { area: 'tls', severity: 'high', title: 'The certificate does not match the site name', fix: 'Issue a certificate that lists this host name, and install it on the server answering for it.' },
  'tls-weak-key': { area: 'tls', severity: 'high', title: 'The certificate key is too weak', fix: 'Issue a new certificate with an RSA key of at least 2048 bits or an ECDSA P-256 key.' },
  'tls-weak-signature': { area: 'tls', severity: 'medium', title: 'The certificate is signed with SHA-1 or MD5', fix: 'Reissue the certificate with a SHA-256 signature.' },
  // Web.
  'http-no-https': { area: 'http', severity: 'high', title: 'The site is served without HTTPS', fix: 'Install a certificate and serve the site over HTTPS, then redirect every HTTP request to HTTPS. Election information must not be changeable in transit.' },
  'http-not-redirected': { area: 'http', severity: 'medium', title: 'HTTP is not redirected to HTTPS', fix: 'Configure the web server to answer every http:// request with a permanent redirect (301) to the same https:// address.' },
  'http-hsts-missing': { area: 'http', severity: 'medium', title: 'HSTS is not set', fix: 'Add the header "Strict-Transport-Security: max-age=31536000; includeSubDomains" to HTTPS responses, so browsers never fall back to HTTP.' },
  'http-hsts-short': { area: 'http', severity: 'low', title: 'HSTS lasts less than a year', fix: 'Raise the Strict-Transport-Security max-age to at least 31536000 (one year).' },
  'http-csp-missing': { area: 'http', severity: 'low', title: 'No Content-Security-Policy', fix: 'Add a Content-Security-Policy header that lists where scripts may come from. It limits the damage of an injected script on your pages.' },
  'http-frame-options-missing': { area: 'http', severity: 'low', title: 'Pages may be framed by other sites', fix: 'Add "X-Frame-Options: DENY" (or a Content-Security-Policy frame-ancestors rule) so other sites cannot embed your pages to trick visitors.' },
  'http-content-type-options-missing': { area: 'http', severity: 'low', title: 'X-Content-Type-Options is not set', fix: 'Add the header "X-Content-Type-Options: nosniff".' },
  'http-referrer-policy-missing': { area: 'http', severity: 'low', title: 'No Referrer-Policy', fix: 'Add the header "Referrer-Policy: strict-origin-when-cross-origin" so full addresses of your pages are not sent to other sites.' },
  'http-cookie-flags': { area: 'http', severity: 'medium', title: 'Cookies are set without Secure, HttpOnly or SameSite', fix: 'Set every session cookie with the Secure, HttpOnly and SameSite attributes (your web application or server has a setting for this).' },
  'http-version-disclosure': { area: 'http', severity: 'low', title: 'The server tells its software version', fix: 'Hide version numbers from the Server and X-Powered-By headers (for example "ServerTokens Prod" in Apache, "server_tokens off" in nginx). Attackers use them to pick exploits.' },
  'http-directory-listing': { area: 'http', severity: 'medium', title: 'A folder listing is shown', fix: 'Turn off directory listing in the web server ("Options -Indexes" in Apache, "autoindex off" in nginx) and check that nothing private sits in that folder.' },
  'http-admin-exposed': { area: 'http', severity: 'medium', title: 'An administration or login page is reachable from the internet', fix: 'Restrict administration pages to the office network or the VPN, and require multi-factor sign-in on any that must stay public.' },
  // Email and DNS.
  'email-spf-missing': { area: 'email-dns', severity: 'medium', title: 'No SPF record', fix: 'Publish a TXT record "v=spf1 ... -all" listing the services allowed to send your mail, so others cannot send mail in your office’s name.' },
  'email-spf-weak': { area: 'email-dns', severity: 'medium', title: 'The SPF record lets anyone send as the domain', fix: 'End the SPF record with "-all" (or "~all" while testing) instead of "+all", "?all" or nothing.' },
  'email-dmarc-missing': { area: 'email-dns', severity: 'medium', title: 'No DMARC record', fix: 'Publish a TXT record at _dmarc.<your domain>: start with "v=DMARC1; p=none; rua=mailto:…", then move to p=quarantine or p=reject. Federal guidance (BOD 18-01) requires p=reject.' },
  'email-dmarc-weak': { area: 'email-dns', severity: 'low', title: 'DMARC only monitors (p=none)', fix: 'Once reports show your own mail passes, change the DMARC policy to p=quarantine and then p=reject so spoofed mail is stopped.' },
  'email-starttls-missing': { area: 'email-dns', severity: 'medium', title: 'A mail server does not offer STARTTLS', fix: 'Enable STARTTLS with a valid certificate on the mail server so mail to your office is encrypted in transit.' },
  'dns-dnssec-missing': { area: 'email-dns', severity: 'low', title: 'The domain is not signed with DNSSEC', fix: 'Turn on DNSSEC signing at your DNS host (for .gov, the registrar can help). It stops forged answers that send voters to the wrong site.' },
  'dns-caa-missing': { area: 'email-dns', severity: 'low', title: 'No CAA record', fix: 'Publish a CAA record naming the certificate authorities you use, so no other authority issues certificates for your domain.' },
  // Known vulnerable software.
  'vuln-kev': { area: 'software', severity: 'critical', title: 'Software with a known exploited vulnerability', fix: 'Apply the vendor’s update now: CISA lists this vulnerability as exploited in the wild. If you cannot update today, take the service off the internet until you can.' },
  'vuln-cve': { area: 'software', severity: 'high', title: 'Software with a known vulnerability', fix: 'Update the software to a version the vendor lists as fixed.' },
  // What the scanner did not do, and why.
  'scope-not-contacted': { area: 'scope', severity: 'info', title: 'An address outside the authorised scope was not contacted', fix: 'Nothing to fix if this is expected. If the address belongs to you, ask the operations center to add it to the scope.' },
  'host-unreachable': { area: 'scope', severity: 'info', title: 'The host did not answer', fix: 'Check that the host name is right and the host is online; nothing was tested on it.' },
} as const satisfies Record<string, CheckDefinition>;

export type CheckId = keyof typeof CHECKS;
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

export interface Finding {
  readonly check: CheckId;
  readonly severity: Severity;
  readonly title: string;
  /** The host name or address scanned. */
  readonly host: string;
  readonly address?: string;
  readonly port?: number;
  /** What the finding is about, when a check can find several on one port (a CVE id, a cookie name). */
  readonly subject?: string;
  /** What the scanner saw, in words. */
  readonly evidence: string;
  readonly fix: string;
}

export function finding(check: CheckId, where: { host: string; address?: string; port?: number; subject?: string }, evidence: string, severity?: Severity): Finding {
  const def: CheckDefinition = CHECKS[check];
  return {
    check,
    severity: severity ?? def.severity,
    title: def.title,
    host: where.host,
    ...(where.address ? { address: where.address } : {}),
    ...(where.port !== undefined ? { port: where.port } : {}),
    ...(where.subject ? { subject: where.subject } : {}),
    evidence,
    fix: def.fix,
  };
}

/** The identity of a finding across scans: the same check on the same host, port and subject. */
export function findingKey(f: Pick<Finding, 'check' | 'host' | 'port' | 'subject'>): string {
  return [f.check, f.host, f.port ?? '', f.subject ?? ''].join('|');
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
