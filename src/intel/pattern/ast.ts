// The syntax tree of a STIX 2.1 pattern (STIX 2.1 section 9). Written by hand: no maintained JavaScript
// library implements the STIX patterning grammar.

export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'binary'; readonly value: Uint8Array }
  | { readonly kind: 'hex'; readonly value: Uint8Array }
  | { readonly kind: 'timestamp'; readonly value: string };

/** One step of an object path after the first: a property name, a list index, or every list element. */
export type PathStep = { readonly kind: 'prop'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'any' };

export interface ObjectPath {
  readonly objectType: string;
  readonly steps: readonly PathStep[];
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type Comparison =
  | { readonly kind: 'and' | 'or'; readonly left: Comparison; readonly right: Comparison }
  | { readonly kind: 'test'; readonly path: ObjectPath; readonly op: CompareOp; readonly negated: boolean; readonly value: Literal | readonly Literal[] }
  | { readonly kind: 'exists'; readonly path: ObjectPath };

export type Qualifier =
  | { readonly kind: 'within'; readonly seconds: number }
  | { readonly kind: 'repeats'; readonly times: number }
  | { readonly kind: 'startstop'; readonly start: string; readonly stop: string };

export type Observation =
  | { readonly kind: 'observation'; readonly comparison: Comparison }
  | { readonly kind: 'and' | 'or' | 'followedby'; readonly left: Observation; readonly right: Observation }
  | { readonly kind: 'qualified'; readonly inner: Observation; readonly qualifier: Qualifier };

export interface PatternError {
  readonly message: string;
  /** Zero-based character offset in the pattern where the problem was found. */
  readonly offset: number;
}

export type ParseResult = { readonly ok: true; readonly pattern: Observation } | { readonly ok: false; readonly error: PatternError };
