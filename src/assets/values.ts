// Checking and normalising what an inventory row says: host names and domains (internationalised ones in
// punycode), addresses and networks (normalised to their network address), dates.
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { ipv6ToBigInt } from '../platform/text/ip.js';

const HOST = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z][a-z0-9-]{0,62}$/;

export function normaliseHost(raw: string): string | null {
  let v = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!v) return null;
  if (/[^\x00-\x7f]/.test(v)) v = domainToASCII(v);
  return v && HOST.test(v) && v.includes('.') ? v : null;
}

/** An address or a network as network/prefix ("10.1.2.3/24" → "10.1.2.0/24", "10.1.2.3" → "10.1.2.3/32"). */
export function normaliseRange(raw: string): string | null {
  const [ip, prefixText] = raw.trim().split('/', 2) as [string, string | undefined];
  if (net.isIPv4(ip)) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32 || (prefixText !== undefined && !/^\d{1,2}$/.test(prefixText))) return null;
    const n = ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
    const size = 2 ** (32 - prefix);
    const start = Math.floor(n / size) * size;
    return `${[start >>> 24, (start >>> 16) & 255, (start >>> 8) & 255, start & 255].join('.')}/${prefix}`;
  }
  if (net.isIPv6(ip)) {
    const prefix = prefixText === undefined ? 128 : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128) return null;
    const full = ipv6ToBigInt(ip);
    if (full === null) return null;
    const host = 128n - BigInt(prefix);
    const start = (full >> host) << host;
    return `${compressIpv6(start)}/${prefix}`;
  }
  return null;
}

function compressIpv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
