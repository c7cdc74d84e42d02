// A recursive-descent parser for the full STIX 2.1 patterning grammar (STIX 2.1 section 9): observation
// expressions joined by AND, OR and FOLLOWEDBY (that precedence, tightest first), qualifiers WITHIN, REPEATS
// and START/STOP, comparison expressions with every operator, NOT, EXISTS, sets and typed literals.
// Errors say what was expected and where, e.g. "expected ']' to close the observation at character 42".
import type { CompareOp, Comparison, Literal, ObjectPath, Observation, ParseResult, PathStep, Qualifier } from './ast.js';
import { LexError, tokenize, type Token } from './lex.js';

class ParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const ORDER_OPS = new Set(['<', '<=', '>', '>=']);

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the pattern' : `"${t.text}"`;
}

function decodeBase64(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'base64'));
}

function decodeHex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

class Parser {
  private i = 0;
  private observations = 0;
  private qualifiers = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }
  private isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'punct' && t.text === text;
  }
  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }
  private expectPunct(text: string, why: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw new ParseError(`expected "${text}" ${why}, found ${describe(t)}`, t.offset);
    return t;
  }
  private expectKeyword(text: string, why: string): Token {
    const t = this.next();
    if (t.kind !== 'keyword' || t.text !== text) throw new ParseError(`expected ${text} ${why}, found ${describe(t)}`, t.offset);
    return t;
  }

  parsePattern(): Observation {
    if (this.peek().kind === 'eof') throw new ParseError('the pattern is empty; write an observation such as [ipv4-addr:value = \'198.51.100.3\']', 0);
    const expr = this.followedBy();
    const t = this.peek();
    if (t.kind !== 'eof') throw new ParseError(`unexpected ${describe(t)} after a complete pattern; join observations with AND, OR or FOLLOWEDBY`, t.offset);
    return expr;
  }

  private followedBy(): Observation {
    let left = this.obsOr();
    while (this.isKeyword('FOLLOWEDBY')) {
      this.next();
      left = { kind: 'followedby', left, right: this.obsOr() };
    }
    return left;
  }
  private obsOr(): Observation {
    const terms = [this.obsAnd()];
    while (this.isKeyword('OR')) {
      this.next();
      terms.push(this.obsAnd());
    }
    return balanced('or', terms);
  }
  private obsAnd(): Observation {
    const terms = [this.qualified()];
    while (this.isKeyword('AND')) {
      this.next();
      terms.push(this.qualified());
    }
    return balanced('and', terms);
  }
  private qualified(): Observation {
    let inner = this.observation();
    for (;;) {
      const at = this.peek().offset;
      const q = this.qualifier();
      if (!q) return inner;
      if (++this.qualifiers > MAX_QUALIFIERS) throw new ParseError(`a pattern may have at most ${MAX_QUALIFIERS} qualifiers (WITHIN, REPEATS, START … STOP)`, at);
      inner = { kind: 'qualified', inner, qualifier: q };
    }
  }
  private qualifier(): Qualifier | null {
    const t = this.peek();
    if (t.kind !== 'keyword') return null;
    if (t.text === 'WITHIN') {
      this.next();
      const n = this.next();
      if ((n.kind !== 'int' && n.kind !== 'float') || (n.value as number) <= 0) throw new ParseError(`WITHIN needs a positive number of seconds, found ${describe(n)}`, n.offset);
      this.expectKeyword('SECONDS', 'after WITHIN and a number');
      return { kind: 'within', seconds: n.value as number };
    }
    if (t.text === 'REPEATS') {
      this.next();
      const n = this.next();
      if (n.kind !== 'int' || (n.value as number) <= 0) throw new ParseError(`REPEATS needs a positive whole number, found ${describe(n)}`, n.offset);
      this.expectKeyword('TIMES', 'after REPEATS and a number');
      return { kind: 'repeats', times: n.value as number };
    }
    if (t.text === 'START') {
      this.next();
      const a = this.next();
      if (a.kind !== 'timestamp') throw new ParseError(`START needs a timestamp such as t'2026-11-03T00:00:00Z', found ${describe(a)}`, a.offset);
      this.expectKeyword('STOP', 'after START and its timestamp');
      const b = this.next();
      if (b.kind !== 'timestamp') throw new ParseError(`STOP needs a timestamp, found ${describe(b)}`, b.offset);
      if ((b.value as string) <= (a.value as string) && Date.parse(b.value as string) <= Date.parse(a.value as string)) {
        throw new ParseError('STOP must be later than START', b.offset);
      }
      return { kind: 'startstop', start: a.value as string, stop: b.value as string };
    }
    return null;
  }
  private observation(): Observation {
    const t = this.peek();
    if (this.isPunct('[')) {
      if (++this.observations > MAX_OBSERVATIONS) throw new ParseError(`a pattern may have at most ${MAX_OBSERVATIONS} observations in square brackets; split it into several indicators`, t.offset);
      this.next();
      if (this.isPunct(']')) throw new ParseError('an observation [ ] must hold at least one comparison', this.peek().offset);
      const comparison = this.compOr();
      this.expectPunct(']', `to close the observation opened at character ${t.offset + 1}`);
      return { kind: 'observation', comparison };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.followedBy();
      this.expectPunct(')', `to close the group opened at character ${t.offset + 1}`);
      return inner;
    }
    throw new ParseError(`expected an observation in square brackets, such as [domain-name:value = 'example.com'], found ${describe(t)}`, t.offset);
  }

  private compOr(): Comparison {
    const terms = [this.compAnd()];
    while (this.isKeyword('OR')) {
      this.next();
      terms.push(this.compAnd());
    }
    return balanced('or', terms);
  }
  private compAnd(): Comparison {
    const terms = [this.propTest()];
    while (this.isKeyword('AND')) {
      this.next();
      terms.push(this.propTest());
    }
    return balanced('and', terms);
  }
  private propTest(): Comparison {
    if (this.isPunct('(')) {
      const open = this.next();
      const inner = this.compOr();
      this.expectPunct(')', `to close the group opened at character ${open.offset + 1}`);
      return inner;
    }
    if (this.isKeyword('EXISTS')) {
      this.next();
      return { kind: 'exists', path: this.objectPath() };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.next();
      negated = true;
    }
    const opTok = this.next();
    let op: CompareOp;
    if (opTok.kind === 'op') op = opTok.text as CompareOp;
    else if (opTok.kind === 'keyword' && ['IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(opTok.text)) op = opTok.text as CompareOp;
    else throw new ParseError(`expected a comparison operator (=, !=, <, >, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after the object path, found ${describe(opTok)}`, opTok.offset);
    if (op === 'IN') return { kind: 'test', path, op, negated, value: this.setLiteral() };
    const lit = this.literal();
    if (ORDER_OPS.has(op) && lit.kind === 'bool') throw new ParseError(`${op} cannot compare with true or false`, opTok.offset);
    if (['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(op) && lit.kind !== 'string') throw new ParseError(`${op} needs a quoted string`, opTok.offset);
    if (op === 'MATCHES') {
      try {
        new RegExp(lit.value as string, 's');
      } catch {
        throw new ParseError(`the regular expression after MATCHES is not valid`, opTok.offset);
      }
    }
    return { kind: 'test', path, op, negated, value: lit };
  }
  private setLiteral(): Literal[] {
    const open = this.expectPunct('(', 'to open the set after IN');
    const items: Literal[] = [];
    if (this.isPunct(')')) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.literal());
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(')', `to close the set opened at character ${open.offset + 1}`);
      return items;
    }
  }
  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value as string };
      case 'int':
        return { kind: 'int', value: t.value as number };
      case 'float':
        return { kind: 'float', value: t.value as number };
      case 'bool':
        return { kind: 'bool', value: t.value as boolean };
      case 'timestamp':
        return { kind: 'timestamp', value: t.value as string };
      case 'binary':
        return { kind: 'binary', value: decodeBase64(t.value as string) };
      case 'hex':
        return { kind: 'hex', value: decodeHex(t.value as string) };
      default:
        throw new ParseError(`expected a value (a quoted string, number, true/false, t'…', b'…' or h'…'), found ${describe(t)}`, t.offset);
    }
  }
  private objectPath(): ObjectPath {
    const typeTok = this.next();
    if (typeTok.kind !== 'ident') throw new ParseError(`expected an object path such as file:hashes.'SHA-256', found ${describe(typeTok)}`, typeTok.offset);
    if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$/.test(typeTok.text)) throw new ParseError(`"${typeTok.text}" is not an object type (lower case letters, digits and hyphens)`, typeTok.offset);
    const colon = this.next();
    if (colon.kind !== 'punct' || colon.text !== ':') throw new ParseError(`expected ":" after the object type "${typeTok.text}", found ${describe(colon)}`, colon.offset);
    const steps: PathStep[] = [this.propertyName('a property name after ":"')];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        steps.push(this.propertyName('a property name after "."'));
      } else if (this.isPunct('[') && (this.peek(1).kind === 'int' || (this.peek(1).kind === 'punct' && this.peek(1).text === '*'))) {
        this.next();
        const idx = this.next();
        steps.push(idx.kind === 'int' ? { kind: 'index', index: idx.value as number } : { kind: 'any' });
        this.expectPunct(']', 'to close the list index');
      } else return { objectType: typeTok.text, steps };
    }
  }
  private propertyName(what: string): PathStep {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'prop', name: t.value as string };
    if (t.kind === 'ident' && !t.text.includes('-')) return { kind: 'prop', name: t.text };
    if (t.kind === 'ident') throw new ParseError(`property names with hyphens must be quoted ('${t.text}')`, t.offset);
    throw new ParseError(`expected ${what}, found ${describe(t)}`, t.offset);
  }
}

/**
 * Terms joined by AND (or by OR) as a tree of depth log2(n) rather than n: both are associative, so the pattern
 * means the same, and a list of thousands of hashes is evaluated and printed without running out of stack.
 * Halves are split with the larger first, so that two and three terms read as written: (a AND b) AND c.
 */
function balanced<T extends Observation | Comparison>(kind: 'and' | 'or', terms: readonly T[], from = 0, to = terms.length): T {
  if (to - from === 1) return terms[from]!;
  const mid = from + Math.ceil((to - from) / 2);
  return { kind, left: balanced(kind, terms, from, mid), right: balanced(kind, terms, mid, to) } as unknown as T;
}

/**
 * Observations ([…]) and qualifiers a pattern may have. Each observation and qualifier is a step of evaluation
 * that joins what the steps before it found, and FOLLOWEDBY and qualifiers cannot be rebalanced as AND and OR
 * are: real patterns have a handful.
 */
const MAX_OBSERVATIONS = 100;
const MAX_QUALIFIERS = 100;

export function parsePattern(src: string): ParseResult {
  if (src.length > 100_000) return { ok: false, error: { message: 'the pattern is longer than 100,000 characters', offset: 0 } };
  try {
    const tokens = tokenize(src);
    return { ok: true, pattern: new Parser(tokens).parsePattern() };
  } catch (error) {
    if (error instanceof ParseError || error instanceof LexError) return { ok: false, error: { message: error.message, offset: error.offset } };
    if (error instanceof RangeError) return { ok: false, error: { message: 'the pattern is nested too deeply', offset: 0 } };
    throw error;
  }
}
