// The demo community's places are the real ones: every state, DC and the five inhabited territories, with
// Census FIPS codes, and counties that belong to their state.
import { describe, expect, it } from 'vitest';
import { DEMO_STATES } from './community-data.js';

describe('demo community data', () => {
  it('has the 50 states, DC and the five inhabited territories', () => {
    expect(DEMO_STATES).toHaveLength(56);
    expect(DEMO_STATES.filter((s) => s.type === 'territory').map((s) => s.code).sort()).toEqual(['AS', 'GU', 'MP', 'PR', 'VI']);
    expect(new Set(DEMO_STATES.map((s) => s.code)).size).toBe(56);
    expect(DEMO_STATES.find((s) => s.code === 'DC')?.fips).toBe('11');
  });

  it('uses two-digit state and five-digit county FIPS codes, each county inside its state', () => {
    const seen = new Set<string>();
    for (const s of DEMO_STATES) {
      expect(s.fips).toMatch(/^\d{2}$/);
      for (const c of s.counties) {
        expect(c.fips, c.name).toMatch(/^\d{5}$/);
        expect(c.fips.startsWith(s.fips), `${c.name} in ${s.name}`).toBe(true);
        expect(seen.has(c.fips)).toBe(false);
        seen.add(c.fips);
      }
    }
    expect(DEMO_STATES.find((s) => s.code === 'GA')?.counties.map((c) => `${c.name} ${c.fips}`)).toContain('Fulton County 13121');
    expect(DEMO_STATES.find((s) => s.code === 'AZ')?.counties[0]).toEqual({ name: 'Maricopa County', fips: '04013' });
  });
});
