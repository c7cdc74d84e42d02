// Indicator decay and state: the half-life by observed type, expiry, revocation, and never above the producer's confidence.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currentConfidence, stateOf } from './lifecycle.js';

const day = 86_400_000;
const now = new Date('2026-11-03T12:00:00Z');
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);

describe('indicator lifecycle', () => {
  it('halves an IP address in 30 days and a file hash in a year', () => {
    const ip = { confidence: 80, revoked: false, validFrom: at(30), validUntil: null, pattern: "[ipv4-addr:value = '198.51.100.7']" };
    expect(currentConfidence(ip, now)).toBe(40);
    expect(currentConfidence({ ...ip, validFrom: at(60) }, now)).toBe(20);
    expect(currentConfidence({ ...ip, pattern: "[file:hashes.'SHA-256' = 'ab']" }, now)).toBe(76); // 80 × 0.5^(30/365)
    expect(currentConfidence({ ...ip, confidence: null, validFrom: at(0) }, now)).toBe(50);
  });

  it('is zero once expired, revoked or not yet valid', () => {
    const base = { confidence: 90, revoked: false, validFrom: at(1), validUntil: at(-1), pattern: "[domain-name:value = 'x.example']" };
    expect(stateOf(base, now)).toBe('active');
    expect(stateOf({ ...base, validUntil: at(0) }, now)).toBe('expired');
    expect(stateOf({ ...base, revoked: true }, now)).toBe('revoked');
    expect(stateOf({ ...base, validFrom: at(-2) }, now)).toBe('not-yet-valid');
    expect(currentConfidence({ ...base, revoked: true }, now)).toBe(0);
  });

  it('never rises with age nor exceeds the producer\'s confidence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 500 }), fc.constantFrom('ipv4-addr:value', 'url:value', 'file:name', 'mutex:name'), (c, age, more, path) => {
        const i = { confidence: c, revoked: false, validFrom: at(age), validUntil: null, pattern: `[${path} = 'x']` };
        const older = { ...i, validFrom: at(age + more) };
        expect(currentConfidence(i, now)).toBeLessThanOrEqual(c);
        expect(currentConfidence(older, now)).toBeLessThanOrEqual(currentConfidence(i, now));
      }),
    );
  });
});
