// The TCP port scan: a connect() to each common port of an address, with a bounded wait, and the banner a
// service sends first (SSH, FTP, SMTP, databases). Every connection goes through the scan's guard, so no
// packet leaves for an address the scope does not allow.
import type { Guard } from './guard.js';

export interface PortService {
  readonly port: number;
  readonly service: string;
  /** Risky when exposed to the internet: the check that says so. */
  readonly risk?: 'service-rdp' | 'service-smb' | 'service-telnet' | 'service-ftp' | 'service-database' | 'service-remote-admin';
  readonly tls?: boolean;
  readonly http?: boolean;
  /** The client speaks first (HTTP, TLS): no banner is waited for. */
  readonly clientFirst?: boolean;
}

const P = (port: number, service: string, extra: Omit<PortService, 'port' | 'service'> = {}): PortService => ({ port, service, ...(extra.tls || extra.http ? { clientFirst: true } : {}), ...extra });

/** The common ports scanned by default: what offices expose, and what they should not. */
export const COMMON_PORTS: readonly PortService[] = [
  P(21, 'ftp', { risk: 'service-ftp' }),
  P(22, 'ssh'),
  P(23, 'telnet', { risk: 'service-telnet' }),
  P(25, 'smtp'),
  P(53, 'domain'),
  P(80, 'http', { http: true }),
  P(110, 'pop3'),
  P(111, 'rpcbind', { risk: 'service-remote-admin' }),
  P(135, 'msrpc', { risk: 'service-smb' }),
  P(139, 'netbios-ssn', { risk: 'service-smb' }),
  P(143, 'imap'),
  P(389, 'ldap', { risk: 'service-remote-admin' }),
  P(443, 'https', { tls: true, http: true }),
  P(445, 'microsoft-ds', { risk: 'service-smb' }),
  P(465, 'smtps', { tls: true }),
  P(587, 'submission'),
  P(636, 'ldaps', { tls: true }),
  P(993, 'imaps', { tls: true }),
  P(995, 'pop3s', { tls: true }),
  P(1433, 'ms-sql-s', { risk: 'service-database' }),
  P(1521, 'oracle', { risk: 'service-database' }),
  P(1723, 'pptp'),
  P(2049, 'nfs', { risk: 'service-smb' }),
  P(2375, 'docker', { risk: 'service-remote-admin' }),
  P(2376, 'docker-tls', { risk: 'service-remote-admin', tls: true }),
  P(3306, 'mysql', { risk: 'service-database' }),
  P(3389, 'ms-wbt-server', { risk: 'service-rdp' }),
  P(4443, 'https-alt', { tls: true, http: true }),
  P(5432, 'postgresql', { risk: 'service-database' }),
  P(5900, 'vnc', { risk: 'service-remote-admin' }),
  P(5984, 'couchdb', { risk: 'service-database' }),
  P(5985, 'wsman', { risk: 'service-remote-admin' }),
  P(5986, 'wsmans', { risk: 'service-remote-admin', tls: true }),
  P(6379, 'redis', { risk: 'service-database' }),
  P(6443, 'kubernetes-api', { risk: 'service-remote-admin', tls: true }),
  P(7001, 'weblogic', { http: true }),
  P(8000, 'http-alt', { http: true }),
  P(8009, 'ajp13', { risk: 'service-remote-admin' }),
  P(8080, 'http-proxy', { http: true }),
  P(8081, 'http-alt', { http: true }),
  P(8291, 'winbox', { risk: 'service-remote-admin' }),
  P(8443, 'https-alt', { tls: true, http: true }),
  P(8888, 'http-alt', { http: true }),
  P(9200, 'elasticsearch', { risk: 'service-database' }),
  P(9443, 'https-alt', { tls: true, http: true }),
  P(10000, 'webmin', { risk: 'service-remote-admin' }),
  P(10250, 'kubelet', { risk: 'service-remote-admin', tls: true }),
  P(11211, 'memcached', { risk: 'service-database' }),
  P(27017, 'mongodb', { risk: 'service-database' }),
];

export const serviceOf = (port: number): PortService => COMMON_PORTS.find((p) => p.port === port) ?? { port, service: 'unknown' };

export type PortState = 'open' | 'closed' | 'filtered';

export interface PortResult {
  readonly port: number;
  readonly state: PortState;
  readonly service: string;
  /** The first line(s) the service sent unprompted, printable characters only. */
  readonly banner?: string;
}

export interface PortScanOptions {
  readonly connectTimeoutMs: number;
  readonly bannerMs: number;
}

/** Printable text of a banner: control characters dropped, at most 200 characters. */
export function printable(buf: Buffer): string {
  return buf.toString('latin1').replace(/[^\x20-\x7e\r\n]/g, '').split(/\r?\n/).filter(Boolean).slice(0, 3).join(' | ').slice(0, 200);
}

/** Connects to one port: open (with any banner within bannerMs), closed (refused) or filtered (no answer). */
export async function probePort(guard: Guard, address: string, port: number, options: PortScanOptions): Promise<PortResult> {
  const service = serviceOf(port).service;
  await guard.permit(address);
  return new Promise((resolve) => {
    const socket = guard.connect(address, port);
    let banner = Buffer.alloc(0);
    let opened = false;
    let settled = false;
    const done = (state: PortState) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = banner.length ? printable(banner) : '';
      resolve({ port, state, service, ...(text ? { banner: text } : {}) });
    };
    let timer = setTimeout(() => done('filtered'), options.connectTimeoutMs);
    socket.on('connect', () => {
      opened = true;
      clearTimeout(timer);
      if (serviceOf(port).clientFirst) return done('open');
      timer = setTimeout(() => done('open'), options.bannerMs);
    });
    socket.on('data', (chunk: Buffer) => {
      banner = Buffer.concat([banner, chunk]).subarray(0, 1024);
      // A full line is enough to identify the service.
      if (banner.includes(10) || banner.length >= 1024) done('open');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => done(opened ? 'open' : e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'closed' : 'filtered'));
    socket.on('close', () => done(opened ? 'open' : 'closed'));
  });
}

/** Runs tasks with at most `limit` at once, keeping their order in the result. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
