// Warming the worker's checks when it starts. V8 compiles a function to fast machine code only after it has run
// it many times, so the first bundle a fresh server receives was checked at half speed or less (the first of
// five rounds of ATT&CK bundles took 290 ms, the others 170 to 210). At start, the worker runs a few hundred
// made-up objects of the common kinds through the same checks, off the main thread, and throws the result away:
// both as objects already read (feeds) and as the bytes of a TAXII envelope, read element by element (warming
// only the first left the envelope's reading cold: the first ATT&CK round then still took 2.4 times a warm one).
import { prepareParts } from './prepare.js';
import { TLP2_MARKINGS } from './markings.js';

/** A made-up identifier of the given type; `n` keeps them apart. */
function idOf(type: string, n: number): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  return `${type}--5e1d2c3b-4a59-4c6d-8e7f-${hex}`;
}

/**
 * Objects of the kinds feeds and bundles send most (indicators, relationships, techniques, malware, groups,
 * mitigations, tools, a producer's custom objects), `count` in all.
 */
export function sampleObjects(count: number): Record<string, unknown>[] {
  const created = '2026-01-15T10:00:00.000Z';
  const modified = '2026-06-01T12:30:00.000Z';
  const author = idOf('identity', 0);
  const common = { spec_version: '2.1', created, modified, created_by_ref: author, object_marking_refs: [TLP2_MARKINGS.GREEN] };
  const out: Record<string, unknown>[] = [{ type: 'identity', spec_version: '2.1', id: author, created, modified, name: 'Warm-up', identity_class: 'organization' }];
  for (let i = 1; out.length < count; i += 1) {
    const refs = [{ source_name: 'warm-up', url: `https://example.org/technique/${i}`, external_id: `T${1000 + i}` }];
    const technique = { ...common, type: 'attack-pattern', id: idOf('attack-pattern', i), name: `Technique ${i}`, description: 'A made-up technique. '.repeat(8), kill_chain_phases: [{ kill_chain_name: 'warm-up', phase_name: 'initial-access' }], external_references: refs, x_warm_up_version: '1.0', x_warm_up_deprecated: false };
    const malware = { ...common, type: 'malware', id: idOf('malware', i), name: `Malware ${i}`, is_family: true, description: 'A made-up family.', external_references: refs, labels: ['warm-up'] };
    const group = { ...common, type: 'intrusion-set', id: idOf('intrusion-set', i), name: `Group ${i}`, aliases: [`Group ${i}`], description: 'A made-up group.' };
    const indicator = { ...common, type: 'indicator', id: idOf('indicator', i), name: `Address ${i}`, pattern_type: 'stix', pattern: `[ipv4-addr:value = '198.51.100.${i % 250}'] OR [domain-name:value = 'host${i}.example.org']`, valid_from: created, indicator_types: ['malicious-activity'], confidence: 80 };
    const uses = (source: string, target: string, n: number) => ({ ...common, type: 'relationship', id: idOf('relationship', i * 8 + n), relationship_type: 'uses', source_ref: source, target_ref: target, description: 'Made up.', x_warm_up_version: '1.0' });
    const mitigation = { ...common, type: 'course-of-action', id: idOf('course-of-action', i), name: `Mitigation ${i}`, description: 'A made-up mitigation.', external_references: refs };
    const tool = { ...common, type: 'tool', id: idOf('tool', i), name: `Tool ${i}`, description: 'A made-up tool.', x_warm_up_aliases: [`Tool ${i}`] };
    const custom = { ...common, type: 'x-warm-up-analytic', id: idOf('x-warm-up-analytic', i), name: `Analytic ${i}`, x_warm_up_platforms: ['Windows'], external_references: refs };
    out.push(technique, malware, group, indicator, mitigation, tool, custom);
    out.push(uses(group.id, technique.id, 0), uses(malware.id, technique.id, 1), uses(group.id, malware.id, 2), { ...uses(indicator.id, malware.id, 3), relationship_type: 'indicates' });
    out.push({ ...uses(mitigation.id, technique.id, 4), relationship_type: 'mitigates' }, uses(tool.id, technique.id, 5), { ...uses(custom.id, technique.id, 6), relationship_type: 'detects' });
  }
  return out.slice(0, count);
}

/**
 * Runs `rounds` batches of sample objects through the checks and the serialisation, storing nothing: each round
 * once as objects and once as an envelope's bytes.
 */
export function warmUp(schemaDir: string | null, rounds = 6): void {
  const objects = sampleObjects(400);
  const envelope = new TextEncoder().encode(JSON.stringify({ objects }));
  for (let r = 0; r < rounds; r += 1) {
    for (const input of [{ objects }, { envelope }]) prepareParts({ ...input, defaultTlp: 'GREEN', schemaDir, chunkSize: 10_000, partSize: 500, firstPartSize: 100 }, () => undefined);
  }
}
