// How much to trust an indicator today: its producer's confidence, decayed with age at a half-life that
// depends on what it observes (addresses change hands in weeks, file hashes stay true for years), zero once
// it is past valid_until or revoked. Pure functions; the store and the views call them.

/** Half-lives in days by the first object type of the pattern. */
export const HALF_LIFE_DAYS: Readonly<Record<string, number>> = {
  'ipv4-addr': 30,
  'ipv6-addr': 30,
  'url': 60,
  'domain-name': 90,
  'email-addr': 90,
  'email-message': 90,
  'network-traffic': 30,
  'file': 365,
  'x509-certificate': 365,
};
export const DEFAULT_HALF_LIFE_DAYS = 180;
/** STIX leaves confidence optional; an indicator without one is taken as "moderate". */
export const UNKNOWN_CONFIDENCE = 50;

export type IndicatorState = 'active' | 'not-yet-valid' | 'expired' | 'revoked';

export function stateOf(i: { revoked: boolean; validFrom: Date | null; validUntil: Date | null }, now: Date): IndicatorState {
  if (i.revoked) return 'revoked';
  if (i.validUntil && i.validUntil <= now) return 'expired';
  if (i.validFrom && i.validFrom > now) return 'not-yet-valid';
  return 'active';
}

export function observedTypeOf(pattern: string | null): string | null {
  const m = pattern ? /\[\s*\(*\s*([a-z0-9-]+):/.exec(pattern) : null;
  return m ? m[1]! : null;
}

/** Confidence today (0–100). */
export function currentConfidence(i: { confidence: number | null; revoked: boolean; validFrom: Date | null; validUntil: Date | null; pattern: string | null }, now: Date): number {
  if (stateOf(i, now) !== 'active') return 0;
  const base = i.confidence ?? UNKNOWN_CONFIDENCE;
  if (!i.validFrom) return base;
  const ageDays = Math.max(0, (now.getTime() - i.validFrom.getTime()) / 86_400_000);
  const half = HALF_LIFE_DAYS[observedTypeOf(i.pattern) ?? ''] ?? DEFAULT_HALF_LIFE_DAYS;
  return Math.round(base * 0.5 ** (ageDays / half));
}
