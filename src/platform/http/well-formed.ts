// Text the database cannot hold is refused at the door. JSON may escape half of a character (\ud800) with no
// other half, and JSON or a query string may carry the NUL character (\u0000): PostgreSQL refuses both (the
// first inside JSON, and every change is audited with its details as JSON; the second in any text), and neither
// is anything a person wrote. A request that has any, in its JSON body, its query string or its path, is
// refused as a whole with where the first one is, before any route runs. Bundle uploads opt out for their body
// (route config `textCheckedPerObject`): their objects are checked one by one (intel/stix/validate.ts) and the
// others of the bundle still stored. Bytes that are not UTF-8 never get this far: they are read as U+FFFD.
import type { FastifyInstance } from 'fastify';
import { storable } from '../text/storable.js';
import { invalidField } from './errors.js';

const WHY = {
  nul: 'text must not contain the NUL character (\\u0000)',
  half: 'text must be valid Unicode; it has an escaped half of a character (\\ud800 to \\udfff) without its other half',
} as const;

const problemOf = (s: string): keyof typeof WHY | null => (s.includes('\u0000') ? 'nul' : s.isWellFormed() ? null : 'half');

/**
 * The JSON pointer of the first string or property name in `value` that the database cannot store, and why;
 * null when there is none.
 */
export function firstUnstorable(value: unknown, prefix = ''): { at: string; why: string } | null {
  // Walked with a stack of its own: a body nested a hundred thousand levels deep is still only a body.
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      const p = problemOf(v);
      if (p) return { at, why: WHY[p] };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i -= 1) stack.push([v[i], `${at}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const k = keys[i]!;
        const here = `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        const p = problemOf(k);
        if (p) return { at: here, why: `property names: ${WHY[p]}` };
        stack.push([(v as Record<string, unknown>)[k], here]);
      }
    }
  }
  return null;
}

/** Only what a JSON parser made: files come as bytes, logs as streams. */
const isParsedJson = (body: unknown): boolean => Array.isArray(body) || (body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype);

export function wellFormedText(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const perObject = (request.routeOptions.config as { textCheckedPerObject?: boolean } | undefined)?.textCheckedPerObject;
    const found =
      // Named as the schema checks name fields (body/title, querystring/q, params/id).
      firstUnstorable(request.params, 'params') ??
      firstUnstorable(request.query, 'querystring') ??
      (!perObject && isParsedJson(request.body) ? firstUnstorable(request.body, 'body') : null);
    if (!found) return done();
    // The pointer is made printable, so that the answer can always be written.
    const field = storable(found.at);
    done(invalidField(field, `${field}: ${found.why}.`));
  });
}
