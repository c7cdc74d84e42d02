// The text Python's str() gives a ballot id. Rivest's consistent sampler (and Arlo with it) hashes `str(id)`, and
// for Arlo's ids — ((county, tabulator, batch), position) tuples — that is the repr of a nested tuple: strings in
// quotes with Python's escapes, None for a missing tabulator. Getting one quote or escape wrong changes every
// ticket, so this follows CPython's unicode_repr rule for rule.

export type PyValue = string | number | null | readonly PyValue[];

// Python's str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs, except the ASCII space.
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** repr(s) for a Python str. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || ch === ' ') out += ch;
    else if (NOT_PRINTABLE.test(ch)) {
      out += code < 0x100 ? `\\x${hex(code, 2)}` : code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

/** repr() of a value inside a tuple (strings quoted). */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('only integers have a fixed Python text form here');
    return String(value);
  }
  if (typeof value === 'string') return pyStrRepr(value);
  if (value.length === 1) return `(${pyRepr(value[0]!)},)`;
  return `(${value.map(pyRepr).join(', ')})`;
}

/** str() of an id: a str is itself, anything else its repr. */
export function pyStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
