// Writes a pattern tree back as STIX pattern text, in a canonical spacing (used to show patterns and by the
// round-trip property test of the parser).
import type { Comparison, Literal, ObjectPath, Observation } from './ast.js';
import { KEYWORDS } from './lex.js';

const quote = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

export function formatLiteral(l: Literal): string {
  switch (l.kind) {
    case 'string':
      return quote(l.value);
    case 'int':
      return String(l.value);
    case 'float':
      return Number.isInteger(l.value) ? `${l.value}.0` : String(l.value);
    case 'bool':
      return String(l.value);
    case 'timestamp':
      return `t'${l.value}'`;
    case 'binary':
      return `b'${Buffer.from(l.value).toString('base64')}'`;
    case 'hex':
      return `h'${Buffer.from(l.value).toString('hex')}'`;
  }
}

export function formatPath(p: ObjectPath): string {
  let out = `${p.objectType}:`;
  p.steps.forEach((s, i) => {
    if (s.kind === 'prop') out += `${i === 0 ? '' : '.'}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name) && !KEYWORDS.has(s.name) && s.name !== 'true' && s.name !== 'false' ? s.name : quote(s.name)}`;
    else out += s.kind === 'any' ? '[*]' : `[${s.index}]`;
  });
  return out;
}

export function formatComparison(c: Comparison): string {
  switch (c.kind) {
    case 'and':
    case 'or':
      return `(${formatComparison(c.left)} ${c.kind.toUpperCase()} ${formatComparison(c.right)})`;
    case 'exists':
      return `EXISTS ${formatPath(c.path)}`;
    case 'test': {
      const value = Array.isArray(c.value) ? `(${(c.value as Literal[]).map(formatLiteral).join(', ')})` : formatLiteral(c.value as Literal);
      return `${formatPath(c.path)} ${c.negated ? 'NOT ' : ''}${c.op} ${value}`;
    }
  }
}

export function formatPattern(o: Observation): string {
  switch (o.kind) {
    case 'observation':
      return `[${formatComparison(o.comparison)}]`;
    case 'and':
    case 'or':
    case 'followedby':
      return `(${formatPattern(o.left)} ${o.kind.toUpperCase()} ${formatPattern(o.right)})`;
    case 'qualified': {
      const q = o.qualifier;
      const text = q.kind === 'within' ? `WITHIN ${Number.isInteger(q.seconds) ? q.seconds : q.seconds} SECONDS` : q.kind === 'repeats' ? `REPEATS ${q.times} TIMES` : `START t'${q.start}' STOP t'${q.stop}'`;
      return `${formatPattern(o.inner)} ${text}`;
    }
  }
}
