// The tokens of the STIX 2.1 patterning grammar (STIX 2.1 section 9 and its ANTLR grammar, STIXPattern.g4).
export type TokenKind =
  | 'ident' // object type or property name (letters, digits, underscore, hyphen)
  | 'string'
  | 'int'
  | 'float'
  | 'binary'
  | 'hex'
  | 'timestamp'
  | 'bool'
  | 'keyword'
  | 'op'
  | 'punct'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Decoded value for literals. */
  readonly value?: string | number | boolean;
  readonly offset: number;
}

export const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'FOLLOWEDBY', 'LIKE', 'MATCHES', 'ISSUPERSET', 'ISSUBSET', 'EXISTS', 'IN', 'START', 'STOP', 'SECONDS', 'WITHIN', 'REPEATS', 'TIMES']);

export class LexError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const TIMESTAMP = /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Reads a quoted string starting at `start` (the opening quote); returns the decoded text and the end offset. */
function readQuoted(src: string, start: number): { text: string; end: number } {
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1];
      if (next !== '\\' && next !== "'") throw new LexError(`only \\\\ and \\' are escapes in a STIX string; found "\\${next ?? ''}"`, i);
      out += next;
      i += 2;
      continue;
    }
    if (ch === "'") return { text: out, end: i + 1 };
    out += ch;
    i += 1;
  }
  throw new LexError('a string is not closed with a quote', start);
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const start = i;
    // Typed literals: b'…' (base64), h'…' (hex), t'…' (timestamp).
    if ((ch === 'b' || ch === 'h' || ch === 't') && src[i + 1] === "'") {
      const { text, end } = readQuoted(src, i + 1);
      if (ch === 't') {
        if (!TIMESTAMP.test(text)) throw new LexError(`t'${text}' is not a UTC timestamp like t'2026-11-03T08:00:00Z'`, start);
        tokens.push({ kind: 'timestamp', text: src.slice(start, end), value: text, offset: start });
      } else if (ch === 'b') {
        if (!BASE64.test(text)) throw new LexError(`b'…' must hold base64`, start);
        tokens.push({ kind: 'binary', text: src.slice(start, end), value: text, offset: start });
      } else {
        if (!HEX.test(text)) throw new LexError(`h'…' must hold an even number of hexadecimal digits`, start);
        tokens.push({ kind: 'hex', text: src.slice(start, end), value: text, offset: start });
      }
      i = end;
      continue;
    }
    if (ch === "'") {
      const { text, end } = readQuoted(src, i);
      tokens.push({ kind: 'string', text: src.slice(start, end), value: text, offset: start });
      i = end;
      continue;
    }
    const num = /^[+-]?(\d+(\.\d*)?|\.\d+)/.exec(src.slice(i, i + 64));
    if (num && (/[\d.]/.test(ch) || ((ch === '-' || ch === '+') && /[\d.]/.test(src[i + 1] ?? '')))) {
      const text = num[0];
      const isFloat = text.includes('.');
      if (!isFloat && /^[+-]?0\d/.test(text)) throw new LexError(`integers have no leading zeros ("${text}")`, start);
      tokens.push({ kind: isFloat ? 'float' : 'int', text, value: Number(text), offset: start });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))![0];
      // A trailing hyphen belongs to nothing in the grammar; keep identifiers well formed.
      if (KEYWORDS.has(word)) tokens.push({ kind: 'keyword', text: word, offset: start });
      else if (word === 'true' || word === 'false') tokens.push({ kind: 'bool', text: word, value: word === 'true', offset: start });
      else tokens.push({ kind: 'ident', text: word, offset: start });
      i += word.length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<>', '<=', '>='].includes(two)) {
      tokens.push({ kind: 'op', text: two === '==' ? '=' : two === '<>' ? '!=' : two, offset: start });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, offset: start });
      i += 1;
      continue;
    }
    if ('[]():.,*'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, offset: start });
      i += 1;
      continue;
    }
    throw new LexError(`unexpected character "${ch}"`, start);
  }
  tokens.push({ kind: 'eof', text: '', offset: src.length });
  return tokens;
}
