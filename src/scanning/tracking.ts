// Findings across scans, as CISA's hygiene service tracks them: new on first sight, active while seen again,
// mitigated when a scan that reached the host no longer sees it, re-detected when it comes back, and accepted
// (a false positive or an accepted risk) until the acceptance expires. Deadlines follow the severity and are
// brought forward to the eve of the next election; the rescan interval follows the worst open finding.
import type { Finding, Severity } from './checks.js';
import type { FindingStatus } from './schema.js';

export interface Tracked {
  readonly key: string;
  readonly host: string;
  readonly status: FindingStatus;
  readonly acceptedUntil: Date | null;
}

export type Change =
  | { readonly kind: 'new'; readonly finding: Finding; readonly key: string }
  | { readonly kind: 'seen'; readonly key: string; readonly finding: Finding; readonly status: FindingStatus; readonly redetected: boolean }
  | { readonly kind: 'gone'; readonly key: string };

/** What a scan changes: findings it saw (new or again) and open findings on hosts it reached that it no longer saw. */
export function track(existing: readonly Tracked[], detected: ReadonlyArray<{ key: string; finding: Finding }>, reached: ReadonlySet<string>, now: Date): Change[] {
  const byKey = new Map(existing.map((e) => [e.key, e]));
  const seen = new Set<string>();
  const changes: Change[] = [];
  for (const { key, finding } of detected) {
    if (seen.has(key)) continue;
    seen.add(key);
    const prev = byKey.get(key);
    if (!prev) {
      changes.push({ kind: 'new', key, finding });
      continue;
    }
    let status: FindingStatus;
    switch (prev.status) {
      case 'mitigated':
        status = 're-detected';
        break;
      case 'accepted':
        status = prev.acceptedUntil && prev.acceptedUntil > now ? 'accepted' : 'active';
        break;
      case 'new':
      case 're-detected':
      case 'active':
        status = 'active';
        break;
    }
    changes.push({ kind: 'seen', key, finding, status, redetected: prev.status === 'mitigated' });
  }
  for (const e of existing) {
    if (!seen.has(e.key) && e.status !== 'mitigated' && reached.has(e.host)) changes.push({ kind: 'gone', key: e.key });
  }
  return changes;
}

/** Days to fix by severity (the federal directive's 15 and 30 days for critical and high). */
export const FIX_WITHIN_DAYS: Record<Exclude<Severity, 'info'>, number> = { critical: 15, high: 30, medium: 90, low: 180 };

/** When a finding must be fixed: its severity's deadline, or the eve of the next election if that is sooner. */
export function dueDate(severity: Severity, firstSeen: Date, electionDay: string | null): { dueAt: Date | null; electionDay: string | null } {
  if (severity === 'info') return { dueAt: null, electionDay: null };
  const byDeadline = new Date(firstSeen.getTime() + FIX_WITHIN_DAYS[severity] * 86_400_000);
  if (!electionDay || severity === 'low') return { dueAt: byDeadline, electionDay: null };
  const eve = new Date(`${electionDay}T00:00:00Z`);
  eve.setUTCDate(eve.getUTCDate() - 1);
  if (eve > firstSeen && eve < byDeadline) return { dueAt: eve, electionDay };
  return { dueAt: byDeadline, electionDay: null };
}

/** Hours until the next scan, from the worst open finding (as CISA paces its rescans). */
export function rescanHours(worst: Severity | null): number {
  switch (worst) {
    case 'critical':
      return 12;
    case 'high':
      return 24;
    case 'medium':
      return 4 * 24;
    case 'low':
      return 6 * 24;
    case 'info':
    case null:
      return 7 * 24;
  }
}

/** Whether a moment falls inside a scan window, given the local weekday and time ("HH:MM") there. */
export function insideWindow(window: { days: readonly number[]; start: string; end: string } | null, weekday: number, time: string): boolean {
  if (!window) return true;
  if (window.days.length && !window.days.includes(weekday)) return false;
  if (window.start === window.end) return true;
  return window.start < window.end ? time >= window.start && time < window.end : time >= window.start || time < window.end;
}
