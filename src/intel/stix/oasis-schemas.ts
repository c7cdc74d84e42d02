// The OASIS STIX 2.1 JSON schemas, applied when the operator points EOC_STIX_SCHEMA_DIR at them (the
// `schemas/` folder of oasis-open/cti-stix2-json-schemas). They are not shipped with the platform; the
// validator written from the specification (validate.ts) always runs, and this one adds the standard's own
// checks on top. The schemas refer to each other by relative $ref, resolved against their $id.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { StixError } from './validate.js';

// ajv-formats is CommonJS with a default export; under NodeNext its namespace is what import gives.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

export interface OasisValidator {
  /** Errors for one object; an object whose type has no schema (custom x- types) gets none. */
  validate(object: Record<string, unknown>): StixError[];
  readonly types: readonly string[];
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []));
}

/** Keywords that constrain only values of one JSON type (the others pass them by definition). */
const KEYWORDS_OF: Record<string, readonly string[]> = {
  array: ['minItems', 'maxItems', 'uniqueItems', 'items'],
  object: ['minProperties', 'maxProperties'],
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  boolean: [],
};
const ANNOTATIONS = new Set(['title', 'description']);

/**
 * The same schema with each `anyOf` of plain type alternatives (the custom-property and dictionary rules:
 * "an array of at least one item, or a string, an integer, a boolean, a number or an object") written as one
 * list of types with the alternatives' own keywords beside it, which accepts exactly the same values: each
 * such keyword constrains values of its own type only, and no two alternatives constrain the same type. The
 * validator checks every property of every object against that rule, and an `anyOf` builds an error for each
 * alternative it tries and drops: about half the time the schemas took on ATT&CK's relationships.
 */
export function withTypeUnions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withTypeUnions);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = withTypeUnions(v);
  const union = typeUnionOf(out.anyOf);
  if (!union || 'type' in out || Object.keys(union).some((k) => k in out)) return out;
  delete out.anyOf;
  return { ...out, ...union };
}

function typeUnionOf(anyOf: unknown): Record<string, unknown> | null {
  if (!Array.isArray(anyOf) || anyOf.length < 2) return null;
  const types: string[] = [];
  const keywords: Record<string, unknown> = {};
  const constrained = new Set<string>();
  for (const branch of anyOf) {
    if (!branch || typeof branch !== 'object' || Array.isArray(branch)) return null;
    const { type, ...rest } = branch as Record<string, unknown>;
    if (typeof type !== 'string' || !(type in KEYWORDS_OF) || types.includes(type)) return null;
    types.push(type);
    for (const [k, v] of Object.entries(rest)) {
      if (ANNOTATIONS.has(k)) continue;
      if (!KEYWORDS_OF[type]!.includes(k) || k in keywords) return null;
      keywords[k] = v;
      constrained.add(type);
    }
  }
  // Integers are numbers: a constraint on either would reach the other.
  if (types.includes('integer') && types.includes('number') && (constrained.has('integer') || constrained.has('number'))) return null;
  return { type: types, ...keywords };
}

/**
 * Texts up to this long have their answers remembered (identifiers, property names, short values), this many
 * over all the patterns (the schemas have about 120): a worker keeps a few megabytes at most.
 */
const REMEMBERED_LENGTH = 128;
const REMEMBERED = 20_000;
const rememberedAnswers: Array<Map<string, boolean>> = [];
let remembered = 0;

function remember(answers: Map<string, boolean>, text: string, answer: boolean): void {
  if (remembered >= REMEMBERED) {
    for (const a of rememberedAnswers) a.clear();
    remembered = 0;
  }
  answers.set(text, answer);
  remembered += 1;
}

/**
 * The schemas' patterns as regular expressions, tested faster in two ways that give the same answers:
 * - a quick test in front of those that can only match a text ending in a fixed run of letters, digits and
 *   underscores: the custom-property rules `^[a-z][a-z0-9_]{0,245}_bin$` and `..._hex$` are tried on every
 *   property name of every object, and a name that does not end with `_bin` cannot match (a tenth of the time
 *   the schemas took on ATT&CK). Only patterns without alternatives or escapes qualify (there the run before
 *   the final `$` is plain text);
 * - the answers for short texts remembered: every object tries the property-name rule on the same few dozen
 *   names, and the identifier rule (which backtracks over the whole identifier) on the same author, markings
 *   and techniques.
 */
export function schemaPattern(source: string, flags: string): { test(text: string): boolean; toString(): string } {
  const re = new RegExp(source, flags);
  const ending = /[\\|]/.test(source) ? null : (/([A-Za-z0-9_]+)\$$/.exec(source)?.[1] ?? null);
  if (ending) return { test: (text) => text.endsWith(ending) && re.test(text), toString: () => re.toString() };
  const answers = new Map<string, boolean>();
  rememberedAnswers.push(answers);
  return {
    test: (text) => {
      if (text.length > REMEMBERED_LENGTH) return re.test(text);
      let answer = answers.get(text);
      if (answer === undefined) {
        answer = re.test(text);
        remember(answers, text, answer);
      }
      return answer;
    },
    toString: () => re.toString(),
  };
}
schemaPattern.code = 'schemaPattern';

const cache = new Map<string, OasisValidator>();

export function loadOasisSchemas(dir: string): OasisValidator {
  const hit = cache.get(dir);
  if (hit) return hit;
  const files = filesUnder(dir);
  if (!files.some((f) => f.endsWith(path.join('sdos', 'indicator.json')))) throw new Error(`EOC_STIX_SCHEMA_DIR (${dir}) does not hold the STIX 2.1 schemas (no sdos/indicator.json).`);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false, code: { regExp: schemaPattern } });
  addFormats(ajv);
  // Internationalised host names (domain-name values) are not checked by ajv-formats; the store accepts them.
  ajv.addFormat('idn-hostname', /^[^\s/]{1,253}$/u);
  const byType = new Map<string, ValidateFunction>();
  const schemas = files.map((f) => withTypeUnions(JSON.parse(fs.readFileSync(f, 'utf8'))) as { $id: string; title?: string });
  for (const s of schemas) ajv.addSchema(s);
  for (const [i, f] of files.entries()) {
    const folder = path.basename(path.dirname(f));
    const name = path.basename(f, '.json');
    const isObjectSchema = ['sdos', 'sros', 'observables'].includes(folder) || ['marking-definition', 'language-content', 'extension-definition'].includes(name);
    if (isObjectSchema) byType.set(name, ajv.getSchema(schemas[i]!.$id)!);
  }
  const validator: OasisValidator = {
    types: [...byType.keys()].sort(),
    validate(object) {
      const fn = typeof object.type === 'string' ? byType.get(object.type) : undefined;
      if (!fn || fn(object)) return [];
      return (fn.errors ?? []).slice(0, 10).map((e) => ({ path: e.instancePath || '/', message: `${e.message ?? 'is not valid'} (OASIS schema ${e.schemaPath.split('/').slice(-2).join('/')})` }));
    },
  };
  cache.set(dir, validator);
  return validator;
}
