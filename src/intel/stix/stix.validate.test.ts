// STIX 2.1 validation against the OASIS schemas and examples in ../shared/data: the examples and the ATT&CK
// bundles pass both our validator and the standard's schemas, and over mutated objects our validator never
// accepts what the OASIS schemas refuse. Errors name the property and say what to change.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadOasisSchemas, schemaPattern, withTypeUnions } from './oasis-schemas.js';
import { isIdentifier, isStixTimestamp, validateStix } from './validate.js';
import { tlpOfMarkings, TLP2_MARKINGS } from './markings.js';
import { sharedData } from '../../../test/shared-data.js';

const objectsOf = (name: string) => (JSON.parse(fs.readFileSync(sharedData(name), 'utf8')) as { objects: Array<Record<string, unknown>> }).objects;
const oasis = loadOasisSchemas(sharedData('stix2.1-schemas', 'schemas'));
const FIXTURES = ['stix2.1-examples/apt1.json', 'stix2.1-examples/poisonivy.json', 'attack/ics-attack-18.1.json', 'attack/mobile-attack-17.1.json'];
const all = FIXTURES.flatMap(objectsOf);

describe('STIX 2.1 validation', () => {
  it.each(FIXTURES)('accepts every object of %s, as the OASIS schemas do', (name) => {
    for (const o of objectsOf(name)) {
      expect(oasis.validate(o), `${o.id as string} (OASIS)`).toEqual([]);
      const ours = validateStix(o);
      expect(ours.ok ? [] : ours.errors, o.id as string).toEqual([]);
    }
  });

  it('checks timestamps to the calendar (leap years), whatever was seen before', () => {
    for (const ok of ['2024-02-29T00:00:00Z', '2000-02-29T12:00:00.123Z', '2026-12-31T23:59:60Z', '2026-11-01T00:00:00.000Z']) expect(isStixTimestamp(ok), ok).toBe(true);
    for (const bad of ['2026-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01 00:00:00Z', '2026-11-01T00:00:00+01:00']) expect(isStixTimestamp(bad), bad).toBe(false);
    expect(isStixTimestamp('2026-11-01T00:00:00.000Z')).toBe(true); // remembered
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => isStixTimestamp(d.toISOString())));
  });

  it('checks identifiers and property names the same way the first time and every time after', () => {
    const id = 'identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5';
    for (let round = 0; round < 2; round += 1) {
      expect(isIdentifier(id)).toBe(true);
      expect(isIdentifier(id, ['identity'])).toBe(true);
      // Remembered as valid, but still of its own type only.
      expect(isIdentifier(id, ['marking-definition'])).toBe(false);
      for (const bad of ['identity--C78CB6E5-0C4B-4611-8297-D1B8B55E40B5', 'identity-c78cb6e5-0c4b-4611-8297-d1b8b55e40b5', 'Identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5', '--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5', 'identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b']) expect(isIdentifier(bad), bad).toBe(false);
      const o = { ...all.find((x) => x.type === 'attack-pattern')!, Bad_Name: 1, ok_name: 2 };
      const v = validateStix(o);
      expect(v.ok ? [] : v.errors.map((e) => e.path)).toEqual(['/Bad_Name']);
    }
    // Many identifiers, more than are remembered at once: each still checked.
    fc.assert(fc.property(fc.uuid(), fc.constantFrom('indicator', 'malware', 'x-custom'), (uuid, type) => isIdentifier(`${type}--${uuid}`) === /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid)), { numRuns: 12_000, seed: 7 });
  });

  it('has a schema for every STIX 2.1 object type it knows', () => {
    expect(oasis.types).toHaveLength(42);
  });

  const mutations: Array<[string, (o: Record<string, unknown>) => Record<string, unknown>]> = [
    ['drop type', ({ type: _t, ...o }) => o],
    ['drop id', ({ id: _i, ...o }) => o],
    ['drop created', ({ created: _c, ...o }) => o],
    ['drop spec_version', ({ spec_version: _s, ...o }) => o],
    ['drop name', ({ name: _n, ...o }) => o],
    ['drop pattern', ({ pattern: _p, ...o }) => o],
    ['drop source_ref', ({ source_ref: _s, ...o }) => o],
    ['drop relationship_type', ({ relationship_type: _r, ...o }) => o],
    ['drop is_family', ({ is_family: _f, ...o }) => o],
    ['drop object_refs', ({ object_refs: _r, ...o }) => o],
    ['bad created', (o) => ({ ...o, created: '2020-13-01T00:00:00Z' })],
    ['seconds only', (o) => ({ ...o, modified: '2020-01-01T00:00:00Z' })],
    ['local time', (o) => ({ ...o, created: '2020-01-01T00:00:00.000+02:00' })],
    ['id of another type', (o) => ({ ...o, id: `tool--${String(o.id).split('--')[1]}` })],
    ['id without uuid', (o) => ({ ...o, id: `${String(o.type)}--1234` })],
    ['spec 2.2', (o) => ({ ...o, spec_version: '2.2' })],
    ['confidence 101', (o) => ({ ...o, confidence: 101 })],
    ['confidence 1.5', (o) => ({ ...o, confidence: 1.5 })],
    ['empty labels', (o) => ({ ...o, labels: [] })],
    ['labels not strings', (o) => ({ ...o, labels: [1] })],
    ['revoked string', (o) => ({ ...o, revoked: 'yes' })],
    ['created_by_ref tool', (o) => ({ ...o, created_by_ref: 'tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' })],
    ['marking not a marking', (o) => ({ ...o, object_marking_refs: ['identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'] })],
    ['external reference without source', (o) => ({ ...o, external_references: [{ url: 'https://example.com' }] })],
    ['upper-case property', (o) => ({ ...o, Name: 'x' })],
    ['type upper case', (o) => ({ ...o, type: 'Indicator' })],
    ['unknown type', (o) => ({ ...o, type: 'ballot-box', id: `ballot-box--${String(o.id).split('--')[1]}` })],
    ['modified before created', (o) => ({ ...o, created: '2030-01-01T00:00:00.000Z' })],
  ];

  it('never accepts an object the OASIS schemas refuse (mutations of the fixtures)', () => {
    let refusedByOasis = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.integer({ min: 0, max: mutations.length - 1 }), (oi, mi) => {
        const [what, mutate] = mutations[mi]!;
        const mutated = mutate(structuredClone(all[oi]!));
        const standard = oasis.validate(mutated);
        const ours = validateStix(mutated);
        if (standard.length) {
          refusedByOasis += 1;
          expect(ours.ok, `${what} on ${String(all[oi]!.id)}: OASIS says ${JSON.stringify(standard[0])}`).toBe(false);
        }
        if (!ours.ok) for (const e of ours.errors) expect(e.message.length).toBeGreaterThan(5);
      }),
      { numRuns: 3000, seed: 2026 },
    );
    expect(refusedByOasis).toBeGreaterThan(1000);
  });

  it('explains what is wrong, property by property', () => {
    const r = validateStix({ type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', pattern_type: 'stix', pattern: "[ipv4-addr:value = '1.2.3.4'", valid_from: '2026-01-01T00:00:00Z', valid_until: '2025-01-01T00:00:00Z', confidence: 300 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { path: '/confidence', message: 'confidence must be a whole number from 0 to 100' },
      { path: '/valid_until', message: 'valid_until must be later than valid_from' },
      { path: '/pattern', message: 'the STIX pattern does not parse: expected "]" to close the observation opened at character 1, found the end of the pattern (at character 29)' },
    ]);
  });

  it('checks custom properties and dictionaries as the unmodified OASIS rules do, written as one list of types', () => {
    const file = (name: string) => JSON.parse(fs.readFileSync(sharedData('stix2.1-schemas', 'schemas', 'common', name), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    // The two rules as published, and as the validator takes them.
    const rules = ['properties.json', 'dictionary.json'].map((name) => {
      const { $id: _id, $schema: _s, ...rule } = file(name);
      const patterns = rule.patternProperties as Record<string, unknown>;
      const key = Object.keys(patterns).find((k) => JSON.stringify(patterns[k]).includes('anyOf'))!;
      const original = patterns[key] as Record<string, unknown>;
      const rewritten = withTypeUnions(original) as Record<string, unknown>;
      expect(rewritten.anyOf, name).toBeUndefined();
      return [ajv.compile(original), ajv.compile(rewritten)] as const;
    });
    // A rule that no single list of types can say stays as it is.
    const mixed = { anyOf: [{ type: 'integer', minimum: 3 }, { type: 'number' }] };
    expect(withTypeUnions(mixed)).toEqual(mixed);
    const odd = { anyOf: [{ type: 'string', minItems: 1 }, { type: 'array' }] };
    expect(withTypeUnions(odd)).toEqual(odd);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.constant([]), fc.constant({}), fc.constant(null), fc.double()), (value) => {
        for (const [original, rewritten] of rules) expect(rewritten(value)).toBe(original(value));
      }),
      { numRuns: 2000, seed: 2026 },
    );
  });

  it('tests the schemas\' patterns exactly as the regular expressions they are', () => {
    // Every pattern of the schemas (`pattern` values and patternProperties names), found by walking them.
    const patterns = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k === 'pattern' && typeof x === 'string') patterns.add(x);
        if (k === 'patternProperties' && x && typeof x === 'object') for (const p of Object.keys(x)) patterns.add(p);
        walk(x);
      }
    };
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : e.name.endsWith('.json') ? [`${dir}/${e.name}`] : []));
    for (const f of files(sharedData('stix2.1-schemas', 'schemas'))) walk(JSON.parse(fs.readFileSync(f, 'utf8')));
    const list = [...patterns];
    expect(list).toContain('^[a-z][a-z0-9_]{0,245}_hex$');
    // And some whose ending must not be taken for plain text.
    list.push('\\cJ$', '^a|b_hex$', '[a-z_]$', '^x_hex+$', '\\d_hex$', '^(ab|c_hex)$');
    const pieces = fc.constantFrom('a', 'z', 'x_', '_', '0', '9', '-', '_hex', '_bin', 'hex', 'id', 'CAPEC-1', 'CVE-2024-1234', 'T12:00:00.000Z', '=', '/', 'A', '.', '[0]', ' ', 'é');
    const texts = fc.oneof(fc.string({ maxLength: 20 }), fc.array(pieces, { maxLength: 8 }).map((a) => a.join('')));
    // One of each, as the validator keeps them: answers remembered from earlier texts must not leak into later ones.
    const quick = list.map((p) => [p, schemaPattern(p, ''), new RegExp(p)] as const);
    fc.assert(
      fc.property(texts, (text) => {
        for (const [p, fast, plain] of quick) {
          const answer = fast.test(text);
          if (answer !== plain.test(text) || answer !== fast.test(text)) expect(answer, `${p} on ${JSON.stringify(text)}`).toBe(!answer);
        }
      }),
      { numRuns: 3000, seed: 2026 },
    );
    // More short texts than are remembered at once, each asked twice, and a long one.
    const [, identifier, plainIdentifier] = quick.find(([p]) => p.startsWith('^[a-z][a-z0-9-]+[a-z0-9]--'))!;
    for (let i = 0; i < 25_000; i += 1) {
      const text = i % 3 ? `attack-pattern--${crypto.randomUUID()}` : `attack-pattern--${i}`;
      expect(identifier.test(text) === plainIdentifier.test(text) && identifier.test(text) === plainIdentifier.test(text)).toBe(true);
    }
    expect(identifier.test(`${'a'.repeat(300)}--${crypto.randomUUID()}`)).toBe(true);
  });

  it('maps TLP 2.0 and TLP 1.0 markings onto the policy, the most restrictive winning', () => {
    expect(tlpOfMarkings([TLP2_MARKINGS.GREEN])).toBe('GREEN');
    expect(tlpOfMarkings(['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'])).toBe('CLEAR');
    expect(tlpOfMarkings(['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', TLP2_MARKINGS['AMBER+STRICT']])).toBe('AMBER+STRICT');
    expect(tlpOfMarkings(['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', TLP2_MARKINGS.RED])).toBe('RED');
    expect(tlpOfMarkings(['marking-definition--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f'])).toBeNull();
    expect(tlpOfMarkings(undefined)).toBeNull();
  });
});
