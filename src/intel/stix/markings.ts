// TLP marking definitions of STIX 2.1 and how they map onto the sharing policy. The TLP 2.0 ids are the
// official ones published with the FIRST TLP 2.0 extension; the TLP 1.0 ids are those of the STIX 2.1
// specification (section 7.2.1.4), read as their TLP 2.0 equivalents (WHITE is CLEAR).
import type { Tlp } from '../../platform/db/columns.js';

export const TLP2_MARKINGS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

const TLP1_MARKINGS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR',
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const BY_ID: ReadonlyMap<string, Tlp> = new Map<string, Tlp>([
  ...Object.entries(TLP2_MARKINGS).map(([tlp, id]) => [id, tlp as Tlp] as const),
  ...Object.entries(TLP1_MARKINGS),
]);

const ORDER: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/**
 * The TLP an object's `object_marking_refs` give it: the most restrictive TLP marking among them, or null
 * when none is a TLP marking (the caller then applies the collection's or the form's default).
 */
export function tlpOfMarkings(refs: readonly string[] | undefined): Tlp | null {
  let found: Tlp | null = null;
  for (const ref of refs ?? []) {
    const tlp = BY_ID.get(ref);
    if (tlp && (found === null || ORDER.indexOf(tlp) > ORDER.indexOf(found))) found = tlp;
  }
  return found;
}

export function isTlpMarkingId(id: string): boolean {
  return BY_ID.has(id);
}

/** The marking-definition objects of TLP 2.0, as the FIRST extension publishes them (for exports). */
export function tlp2MarkingDefinition(tlp: Tlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKINGS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp}`,
    extensions: {
      'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() },
    },
  };
}
