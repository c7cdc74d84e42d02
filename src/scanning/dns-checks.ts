// Email and DNS hygiene of a domain: SPF, DMARC, the mail servers and whether they offer STARTTLS, DNSSEC and
// CAA. Mail servers are contacted only when the scope allows their addresses, like everything else.
import { finding, type Finding } from './checks.js';
import type { DnsClient } from './dns-client.js';
import type { Guard } from './guard.js';
import { printable } from './ports.js';
import { detectSoftware, type DetectedSoftware } from './software.js';

export interface MailServer {
  readonly exchange: string;
  readonly preference: number;
  readonly address?: string;
  readonly starttls?: boolean;
  readonly banner?: string;
  readonly note?: string;
}

export interface DomainResult {
  readonly domain: string;
  readonly spf: string | null;
  readonly dmarc: string | null;
  readonly mx: readonly MailServer[];
  readonly dnssec: { signed: boolean; validated: boolean } | null;
  readonly caa: readonly string[];
  readonly findings: Finding[];
  readonly software: DetectedSoftware[];
  readonly notes: string[];
}

export type AddressCheck = (host: string) => Promise<{ address: string } | { refused: string }>;

/** Judges an SPF record: null when it is strong enough, or what is wrong. */
export function spfWeakness(record: string): string | null {
  const terms = record.trim().split(/\s+/).slice(1);
  const all = terms.find((t) => /^[+?~-]?all$/i.test(t));
  if (!all) return terms.some((t) => /^redirect=/i.test(t)) ? null : 'it has no "all" rule, so any server may send as the domain';
  if (/^\+?all$/i.test(all)) return `it ends with "${all}", which lets any server send as the domain`;
  if (/^\?all$/i.test(all)) return 'it ends with "?all" (neutral), which does not stop anyone sending as the domain';
  return null;
}

/** The DMARC policy (p=) of a record, lower case, or null. */
export function dmarcPolicy(record: string): string | null {
  const m = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(record);
  return m ? m[1]!.toLowerCase() : null;
}

/** Talks SMTP to one mail server: the greeting, EHLO and whether STARTTLS is offered. */
async function smtpProbe(guard: Guard, address: string, port: number, timeoutMs: number): Promise<{ banner: string; starttls: boolean } | { error: string }> {
  await guard.permit(address);
  return new Promise((resolve) => {
    const socket = guard.connect(address, port);
    let text = '';
    let stage: 'greeting' | 'ehlo' = 'greeting';
    let banner = '';
    let settled = false;
    const done = (v: { banner: string; starttls: boolean } | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.end('QUIT\r\n');
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done({ error: `no SMTP answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (e) => done({ error: e.message }));
    socket.on('close', () => done({ error: 'the mail server closed the connection' }));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.length > 16_384) return done({ error: 'the mail server sent too much' });
      // A reply is complete at a line whose code is followed by a space ("250 ok"), not a dash.
      const lines = text.split('\r\n');
      if (!lines.slice(0, -1).some((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l))) return;
      if (stage === 'greeting') {
        banner = printable(Buffer.from(text, 'latin1'));
        if (!/^220/.test(text)) return done({ error: `the mail server greeted with "${banner}"` });
        stage = 'ehlo';
        text = '';
        socket.write('EHLO scanner.invalid\r\n');
      } else {
        done({ banner, starttls: /^250[ -]STARTTLS\b/im.test(text) });
      }
    });
  });
}

export async function checkDomain(domain: string, dns: DnsClient, guard: Guard, allow: AddressCheck, options: { smtpPort: number; timeoutMs: number }): Promise<DomainResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const software: DetectedSoftware[] = [];
  const where = { host: domain };
  const safe = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      notes.push(`${what}: ${(error as Error).message}`);
      return fallback;
    }
  };
  const [txt, dmarcTxt, mxRows, dnskey, ds, caa] = await Promise.all([
    safe(`TXT ${domain}`, () => dns.txt(domain), null),
    safe(`TXT _dmarc.${domain}`, () => dns.txt(`_dmarc.${domain}`), null),
    safe(`MX ${domain}`, () => dns.records<{ preference: number; exchange: string }>(domain, 'MX'), null),
    safe(`DNSKEY ${domain}`, () => dns.query(domain, 'DNSKEY', { dnssec: true }), null),
    safe(`DS ${domain}`, () => dns.query(domain, 'DS', { dnssec: true }), null),
    safe(`CAA ${domain}`, () => dns.records<{ tag: string; value: string }>(domain, 'CAA'), null),
  ]);

  const spf = txt?.find((t) => /^v=spf1(\s|$)/i.test(t)) ?? null;
  if (txt && !spf) findings.push(finding('email-spf-missing', where, `${domain} publishes no TXT record starting "v=spf1".`));
  if (spf) {
    const weak = spfWeakness(spf);
    if (weak) findings.push(finding('email-spf-weak', where, `The SPF record "${spf}": ${weak}.`));
  }
  const dmarc = dmarcTxt?.find((t) => /^v=DMARC1/i.test(t)) ?? null;
  if (dmarcTxt && !dmarc) findings.push(finding('email-dmarc-missing', where, `_dmarc.${domain} publishes no "v=DMARC1" record.`));
  if (dmarc) {
    const policy = dmarcPolicy(dmarc);
    if (!policy || policy === 'none') findings.push(finding('email-dmarc-weak', where, `The DMARC record "${dmarc}" has policy ${policy ? `p=${policy}` : 'missing'}: spoofed mail is reported, not stopped.`));
  }

  const mx: MailServer[] = [];
  for (const row of [...(mxRows ?? [])].sort((a, b) => a.preference - b.preference).slice(0, 5)) {
    const exchange = row.exchange.toLowerCase().replace(/\.$/, '');
    if (!exchange) continue; // a null MX ("."): the domain takes no mail
    const verdict = await allow(exchange);
    if ('refused' in verdict) {
      mx.push({ exchange, preference: row.preference, note: verdict.refused });
      notes.push(`Mail server ${exchange}: ${verdict.refused}`);
      continue;
    }
    const probe = await smtpProbe(guard, verdict.address, options.smtpPort, options.timeoutMs);
    if ('error' in probe) {
      mx.push({ exchange, preference: row.preference, address: verdict.address, note: probe.error });
      notes.push(`Mail server ${exchange} (${verdict.address}): ${probe.error}`);
      continue;
    }
    mx.push({ exchange, preference: row.preference, address: verdict.address, starttls: probe.starttls, banner: probe.banner });
    software.push(...detectSoftware(probe.banner, `SMTP greeting of ${exchange}`, options.smtpPort));
    if (!probe.starttls) findings.push(finding('email-starttls-missing', { host: domain, address: verdict.address, port: options.smtpPort, subject: exchange }, `${exchange} (${verdict.address}) answered EHLO without offering STARTTLS.`));
  }

  let dnssec: DomainResult['dnssec'] = null;
  if (dnskey && ds) {
    const signed = dnskey.answers.some((a) => a.type === 'DNSKEY') && ds.answers.some((a) => a.type === 'DS');
    dnssec = { signed, validated: dnskey.authentic };
    if (!signed) findings.push(finding('dns-dnssec-missing', where, `${domain} has ${dnskey.answers.some((a) => a.type === 'DNSKEY') ? 'DNSKEY records but no DS record at its parent' : 'no DNSKEY records'}: its answers are not signed.`));
  }
  if (caa && !caa.length) findings.push(finding('dns-caa-missing', where, `${domain} publishes no CAA record.`));

  return { domain, spf, dmarc, mx, dnssec, caa: (caa ?? []).map((c) => `${c.tag} ${c.value}`), findings, software, notes };
}
