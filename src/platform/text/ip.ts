// IP addresses as numbers: IPv4 dotted quads and IPv6 in every written form (compressed, with an embedded
// IPv4 tail). One parser for the pattern evaluator, the log matcher and the inventory.

/** IPv4 dotted quad to a number, or -1 (no allocation: this runs for every log line). */
export function ipv4ToInt(s: string, from = 0, to = s.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits += 1;
      if (part > 255 || digits > 3) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

export function ipv6ToBigInt(s: string): bigint | null {
  if (s.length < 2 || s.length > 45 || !s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = ipv4ToInt(g);
        if (v4 < 0) return null;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  let v = 0n;
  for (const g of [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]) v = (v << 16n) | BigInt(g);
  return v;
}
