// NIST SP 800-63B password rules: length first (12 to 256 code points after NFKC), no composition rules,
// refuse passwords from a list of common ones, trivially repetitive ones, and ones containing the email name.
import { dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
export type PasswordProblem = 'too-short' | 'too-long' | 'common' | 'repetitive' | 'contains-email';

// About 49,000 passwords seen most often in breaches (the zxcvbn-ts common list), lower-cased.
let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as readonly string[]).map((p) => p.toLowerCase()));
  return common;
}

// Runs people type instead of choosing: digits, the alphabet and keyboard rows, forwards or backwards, wrapping.
const RUNS = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p'].map((r) => r.repeat(Math.ceil(300 / r.length)));

function isRepetitive(p: string): boolean {
  const lower = p.toLowerCase();
  const chars = [...lower];
  if (new Set(chars).size <= 2) return true;
  // A short unit repeated ("abcabcabcabc", "2024202420242024").
  if (/^(.{1,6}?)\1{2,}.{0,6}$/su.test(lower)) return true;
  const reversed = chars.reverse().join('');
  return RUNS.some((run) => run.includes(lower) || run.includes(reversed));
}

export function checkPassword(password: string, context: { email?: string; name?: string } = {}): PasswordProblem | null {
  const normalised = password.normalize('NFKC');
  const length = [...normalised].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (length > MAX_PASSWORD_LENGTH) return 'too-long';
  const lower = normalised.toLowerCase();
  if (commonPasswords().has(lower)) return 'common';
  if (isRepetitive(normalised)) return 'repetitive';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'contains-email';
  return null;
}

export function describePasswordProblem(p: PasswordProblem): string {
  switch (p) {
    case 'too-short':
      return `Use at least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong, memorable password.`;
    case 'too-long':
      return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
    case 'common':
      return 'This password is on a list of commonly used passwords that attackers try first. Choose another.';
    case 'repetitive':
      return 'This password is a repeated or sequential pattern that is easy to guess. Choose another.';
    case 'contains-email':
      return 'Do not use your email name in your password.';
  }
}
