// Severity and SLA timers. Severity follows the shape of CISA's incident notification planning guide for
// election offices: how critical the affected component is × how bad the symptom is, raised when the
// election is close or voting or counting is affected right now. The SLA windows come from the severity and
// tighten on election day. Pure functions: the service stores what they return and the tests pin the table.
import { COMPONENTS, SEVERITIES, type Component, type Criticality, type Severity, type Symptom } from './taxonomy.js';

/** Rows: criticality of the component; columns: observed, degraded, unavailable, compromised. */
export const SEVERITY_TABLE: Readonly<Record<Criticality, Readonly<Record<Symptom, Severity>>>> = {
  low: { observed: 'low', degraded: 'low', unavailable: 'medium', compromised: 'medium' },
  moderate: { observed: 'low', degraded: 'medium', unavailable: 'medium', compromised: 'high' },
  high: { observed: 'medium', degraded: 'medium', unavailable: 'high', compromised: 'critical' },
  critical: { observed: 'medium', degraded: 'high', unavailable: 'critical', compromised: 'critical' },
};

/** The election is "close" from this many days before it until the canvass days after it. */
export const CLOSE_BEFORE_DAYS = 7;
export const CLOSE_AFTER_DAYS = 3;

export interface SeverityInput {
  readonly component: Component;
  readonly symptom: Symptom;
  /** Whole days from today to the next election of the jurisdiction (0 on election day, negative after it); null when none is scheduled. */
  readonly daysToElection: number | null;
  readonly votingOrCountingAffected: boolean;
}

export interface SeverityResult {
  readonly severity: Severity;
  /** Each step of the computation in words, shown next to the suggestion. */
  readonly reasons: readonly string[];
}

function raise(s: Severity, by = 1): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, SEVERITIES.indexOf(s) + by)]!;
}

export function isElectionClose(daysToElection: number | null): boolean {
  return daysToElection !== null && daysToElection <= CLOSE_BEFORE_DAYS && daysToElection >= -CLOSE_AFTER_DAYS;
}

export function computeSeverity(input: SeverityInput): SeverityResult {
  const criticality = COMPONENTS[input.component].criticality;
  let severity = SEVERITY_TABLE[criticality][input.symptom];
  const reasons = [`${COMPONENTS[input.component].label} is ${criticality} to the election; symptom "${input.symptom}" gives ${severity}.`];
  if (isElectionClose(input.daysToElection)) {
    const before = severity;
    severity = raise(severity);
    const when = input.daysToElection === 0 ? 'today is election day' : input.daysToElection! > 0 ? `the election is in ${input.daysToElection} day(s)` : 'the canvass is under way';
    if (before !== severity) reasons.push(`Raised to ${severity}: ${when}.`);
  }
  if (input.votingOrCountingAffected && SEVERITIES.indexOf(severity) < SEVERITIES.indexOf('high')) {
    severity = 'high';
    reasons.push('Raised to high: voting or counting is affected right now.');
  }
  return { severity, reasons };
}

/** Minutes allowed to triage and to resolve, by severity; election day has its own, tighter table. */
export const SLA_MINUTES: Readonly<Record<'normal' | 'election-day', Readonly<Record<Severity, { triage: number; resolve: number }>>>> = {
  normal: {
    critical: { triage: 15, resolve: 4 * 60 },
    high: { triage: 60, resolve: 24 * 60 },
    medium: { triage: 4 * 60, resolve: 3 * 24 * 60 },
    low: { triage: 24 * 60, resolve: 7 * 24 * 60 },
  },
  'election-day': {
    critical: { triage: 5, resolve: 60 },
    high: { triage: 15, resolve: 4 * 60 },
    medium: { triage: 60, resolve: 12 * 60 },
    low: { triage: 4 * 60, resolve: 48 * 60 },
  },
};

export interface SlaDue {
  readonly triageDueAt: Date;
  readonly resolveDueAt: Date;
}

export function slaDue(reportedAt: Date, severity: Severity, electionDay: boolean): SlaDue {
  const w = SLA_MINUTES[electionDay ? 'election-day' : 'normal'][severity];
  return { triageDueAt: new Date(reportedAt.getTime() + w.triage * 60_000), resolveDueAt: new Date(reportedAt.getTime() + w.resolve * 60_000) };
}

export type SlaState = 'met' | 'ok' | 'due-soon' | 'breached';

export interface SlaClock {
  readonly state: SlaState;
  readonly dueAt: string;
  /** Negative once breached. */
  readonly minutesLeft: number;
}

/**
 * Where one timer stands at `now`. Due soon = less than a quarter of the window (at least 5 minutes) left.
 * A timer that stopped (`doneAt`) is met or breached by when it stopped.
 */
export function slaClock(startedAt: Date, dueAt: Date, doneAt: Date | null, now: Date): SlaClock {
  const end = doneAt ?? now;
  const minutesLeft = Math.round((dueAt.getTime() - end.getTime()) / 60_000);
  let state: SlaState;
  if (end.getTime() > dueAt.getTime()) state = 'breached';
  else if (doneAt) state = 'met';
  else {
    const window = dueAt.getTime() - startedAt.getTime();
    const soon = Math.max(5 * 60_000, window / 4);
    state = dueAt.getTime() - now.getTime() <= soon ? 'due-soon' : 'ok';
  }
  return { state, dueAt: dueAt.toISOString(), minutesLeft };
}
