// The password policy (NIST SP 800-63B): length first, a bundled list of common passwords, no composition rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPassword, describePasswordProblem, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.js';

describe('password policy', () => {
  it('measures length in characters after Unicode normalisation', () => {
    expect(checkPassword('short words')).toBe('too-short');
    expect(checkPassword('élection sûre')).toBeNull(); // 13 characters, some outside ASCII
    expect(checkPassword('🗳️🗳️🗳️🗳️🗳️🗳️')).not.toBe('too-long');
    expect(checkPassword('x'.repeat(MAX_PASSWORD_LENGTH + 1))).toBe('too-long');
  });

  it('refuses passwords from the common list, whatever their case', () => {
    for (const p of ['password1234', 'PASSWORD1234', 'qwertyuiop123']) expect(checkPassword(p), p).toBe('common');
  });

  it('refuses repeated and sequential patterns and the email name', () => {
    expect(checkPassword('abababababab')).toBe('repetitive');
    for (const p of ['abcdefghijklm', '1234567890123', 'zyxwvutsrqponm', '2024202420242024', 'asdfghjklasdfg']) expect(checkPassword(p), p).toBe('repetitive');
    expect(checkPassword('county clerk jsmith 2026', { email: 'jsmith@county.example.gov' })).toBe('contains-email');
  });

  it('needs no composition rules: long unrelated words pass', () => {
    for (const p of ['granite lantern orbit meadow', 'correct horse battery staple', 'ballots are counted by hand']) expect(checkPassword(p), p).toBeNull();
  });

  it('explains every problem in plain words', () => {
    for (const problem of ['too-short', 'too-long', 'common', 'repetitive', 'contains-email'] as const) expect(describePasswordProblem(problem).length).toBeGreaterThan(10);
    expect(describePasswordProblem('too-short')).toContain(String(MIN_PASSWORD_LENGTH));
  });

  it('accepts any long enough random password that is not a pattern', () => {
    fc.assert(
      fc.property(fc.string({ minLength: MIN_PASSWORD_LENGTH + 4, maxLength: 64, unit: 'grapheme-ascii' }), (p) => {
        const r = checkPassword(p);
        return r === null || r === 'repetitive' || r === 'common';
      }),
      { numRuns: 500 },
    );
  });
});
