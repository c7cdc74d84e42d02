// The web checks: HTTPS enforced, security headers, cookies, version disclosure, folder listings and
// administration pages. Requests go to the address the scan resolved and checked (never a fresh lookup),
// bodies are read up to a cap, and a redirect is followed only to a host and address inside the scope.
import http from 'node:http';
import tls from 'node:tls';
import { finding, type Finding } from './checks.js';
import type { Guard } from './guard.js';
import { detectFromHeaders, type DetectedSoftware } from './software.js';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly url: string;
  /** The body was longer than the cap and only its start was read. */
  readonly truncated?: boolean;
}

export interface HttpTarget {
  readonly host: string;
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
}

/** Where a redirect may go: an allowed address for the new host, or the reason it is refused. */
export type RedirectCheck = (host: string) => Promise<{ address: string } | { refused: string }>;

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly userAgent: string;
  /** Judge security headers on this port: HTTPS ports, and plain HTTP when the site has no HTTPS at all. */
  readonly judgeHeaders?: boolean;
}

const hostHeader = (t: HttpTarget) => {
  const name = t.host.includes(':') ? `[${t.host}]` : t.host;
  return (t.tls && t.port === 443) || (!t.tls && t.port === 80) ? name : `${name}:${t.port}`;
};

/** One GET, bounded in time and size, through the guard. */
export async function request(guard: Guard, t: HttpTarget, path: string, options: HttpOptions): Promise<HttpResponse> {
  await guard.permit(t.address);
  return new Promise((resolve, reject) => {
    const url = `${t.tls ? 'https' : 'http'}://${hostHeader(t)}${path}`;
    const req = http.request({
      method: 'GET',
      path,
      headers: { Host: hostHeader(t), 'User-Agent': options.userAgent, Accept: 'text/html,*/*', Connection: 'close' },
      createConnection: () => {
        const raw = guard.connect(t.address, t.port);
        if (!t.tls) return raw;
        return tls.connect({ socket: raw, ...(/^[0-9.:]+$/.test(t.host) ? {} : { servername: t.host }), rejectUnauthorized: false, minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0' });
      },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(timer);
        res.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url, ...(size >= options.maxBodyBytes ? { truncated: true } : {}) });
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= options.maxBodyBytes) return;
        chunks.push(chunk.subarray(0, options.maxBodyBytes - size));
        size += chunk.length;
        // Enough read to judge the page; the rest (a never-ending body) is not waited for.
        if (size >= options.maxBodyBytes) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end();
  });
}

export interface HttpResult {
  readonly findings: Finding[];
  readonly software: DetectedSoftware[];
  readonly notes: string[];
  /** The page reached at / after redirects inside the scope: status and URL. */
  readonly landing?: { status: number; url: string; title: string | null };
  readonly redirectsToHttps?: boolean;
}

const ADMIN_PATHS = ['/admin/', '/administrator/', '/wp-login.php', '/wp-admin/', '/phpmyadmin/', '/manager/html', '/login', '/user/login', '/admin/login', '/webmin/'];
const PASSWORD_FIELD = /<input[^>]+type\s*=\s*["']?password/i;
const LISTING = /<title>\s*(Index of \/|Directory listing for )/i;

const header = (h: http.IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

function titleOf(body: string): string | null {
  const m = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(body);
  return m ? m[1]!.trim().replace(/\s+/g, ' ') : null;
}

/** Follows redirects from `path` within the scope (at most five); notes the ones it refused. */
async function follow(guard: Guard, start: HttpTarget, path: string, options: HttpOptions, redirect: RedirectCheck, notes: string[], refusals: Finding[]): Promise<{ res: HttpResponse; target: HttpTarget; first: HttpResponse }> {
  let target = start;
  let res = await request(guard, target, path, options);
  const first = res;
  for (let hop = 0; hop < 5 && res.status >= 300 && res.status < 400 && header(res.headers, 'location'); hop += 1) {
    let next: URL;
    try {
      next = new URL(header(res.headers, 'location')!, res.url);
    } catch {
      notes.push(`${res.url} redirects to an address that is not a URL.`);
      break;
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') break;
    const host = next.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = next.port ? Number(next.port) : next.protocol === 'https:' ? 443 : 80;
    let address = target.address;
    if (host !== target.host) {
      const verdict = await redirect(host);
      if ('refused' in verdict) {
        notes.push(`${res.url} redirects to ${next.href}, outside the authorised scope: not followed.`);
        refusals.push(finding('scope-not-contacted', { host: start.host, address: start.address, port: start.port, subject: next.host }, `${res.url} redirects to ${next.href}. ${verdict.refused}`));
        break;
      }
      address = verdict.address;
    }
    target = { host, address, port, tls: next.protocol === 'https:' };
    res = await request(guard, target, `${next.pathname}${next.search}`, options);
  }
  return { res, target, first };
}

/** Header, cookie and disclosure checks on one response of an HTTPS (or HTTP-only) site. */
export function headerFindings(t: HttpTarget, res: HttpResponse, httpsSite: boolean): Finding[] {
  const out: Finding[] = [];
  const where = { host: t.host, address: t.address, port: t.port };
  const h = res.headers;
  if (httpsSite) {
    const hsts = header(h, 'strict-transport-security');
    if (!hsts) out.push(finding('http-hsts-missing', where, `${res.url} answered without a Strict-Transport-Security header.`));
    else {
      const age = /max-age\s*=\s*"?(\d+)/i.exec(hsts);
      if (!age || Number(age[1]) < 31_536_000) out.push(finding('http-hsts-short', where, `Strict-Transport-Security is "${hsts}": max-age ${age ? `${age[1]} seconds` : 'missing'}, under one year (31536000).`));
    }
  }
  const csp = header(h, 'content-security-policy');
  if (!csp) out.push(finding('http-csp-missing', where, `${res.url} answered without a Content-Security-Policy header.`));
  if (!header(h, 'x-frame-options') && !(csp && /frame-ancestors/i.test(csp))) out.push(finding('http-frame-options-missing', where, `${res.url} sets neither X-Frame-Options nor a frame-ancestors rule.`));
  if ((header(h, 'x-content-type-options') ?? '').toLowerCase().trim() !== 'nosniff') out.push(finding('http-content-type-options-missing', where, `${res.url} does not send "X-Content-Type-Options: nosniff".`));
  if (!header(h, 'referrer-policy')) out.push(finding('http-referrer-policy-missing', where, `${res.url} answered without a Referrer-Policy header.`));
  for (const cookie of h['set-cookie'] ?? []) {
    const name = cookie.split('=')[0]!.trim();
    const flags = cookie.split(';').slice(1).map((p) => p.trim().split('=')[0]!.toLowerCase());
    const missing = [...(httpsSite && !flags.includes('secure') ? ['Secure'] : []), ...(!flags.includes('httponly') ? ['HttpOnly'] : []), ...(!flags.includes('samesite') ? ['SameSite'] : [])];
    if (missing.length) out.push(finding('http-cookie-flags', { ...where, subject: name }, `The cookie "${name}" is set without ${missing.join(', ')}.`));
  }
  const disclosed = ['server', 'x-powered-by', 'x-aspnet-version'].map((n) => [n, header(h, n)] as const).filter(([, v]) => v && /\d/.test(v));
  if (disclosed.length) out.push(finding('http-version-disclosure', where, disclosed.map(([n, v]) => `${n}: ${v}`).join('; ')));
  return out;
}

/** All web checks on one open HTTP or HTTPS port. */
export async function checkWeb(guard: Guard, t: HttpTarget, options: HttpOptions, redirect: RedirectCheck): Promise<HttpResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const software: DetectedSoftware[] = [];
  const where = { host: t.host, address: t.address, port: t.port };
  let landing: HttpResult['landing'];
  let redirectsToHttps: boolean | undefined;
  try {
    const { res, target, first } = await follow(guard, t, '/', options, redirect, notes, findings);
    software.push(...detectFromHeaders(first.headers, t.port));
    landing = { status: res.status, url: res.url, title: titleOf(res.body) };
    if (!t.tls) {
      const location = header(first.headers, 'location') ?? '';
      redirectsToHttps = first.status >= 300 && first.status < 400 && /^https:\/\//i.test(location);
    }
    // Headers are judged on this port's own answer (the landing page when it stays on the same site).
    const judged = target.host === t.host && target.tls === t.tls ? res : first;
    if (t.tls || options.judgeHeaders) findings.push(...headerFindings(t, judged, t.tls));
    if (LISTING.test(res.body) && target.host === t.host) findings.push(finding('http-directory-listing', { ...where, subject: new URL(res.url).pathname }, `${res.url} shows a folder listing ("${titleOf(res.body)}").`));
  } catch (error) {
    notes.push(`${t.tls ? 'https' : 'http'}://${hostHeader(t)}/ could not be read: ${(error as Error).message}`);
    return { findings, software, notes };
  }
  // Administration pages and folder listings at well-known paths, compared with a page that cannot exist.
  const probes = await Promise.all(
    ADMIN_PATHS.map((p) =>
      request(guard, t, p, options).then(
        (r) => ({ path: p, r }),
        () => null,
      ),
    ),
  );
  for (const probe of probes) {
    if (!probe) continue;
    const { path, r } = probe;
    const basic = r.status === 401 && /basic|digest|ntlm|negotiate/i.test(header(r.headers, 'www-authenticate') ?? '');
    if ((r.status === 200 && PASSWORD_FIELD.test(r.body)) || basic) {
      findings.push(finding('http-admin-exposed', { ...where, subject: path }, `${r.url} answers ${r.status}${basic ? ' asking for a password' : ' with a sign-in form'}${titleOf(r.body) ? ` ("${titleOf(r.body)}")` : ''}.`));
    } else if (r.status === 200 && LISTING.test(r.body)) {
      findings.push(finding('http-directory-listing', { ...where, subject: path }, `${r.url} shows a folder listing.`));
    }
  }
  return { findings, software, notes, ...(landing ? { landing } : {}), ...(redirectsToHttps !== undefined ? { redirectsToHttps } : {}) };
}
