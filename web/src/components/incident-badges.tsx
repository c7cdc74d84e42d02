// Small labels for incidents: severity (colour and word, never colour alone) and an SLA timer in plain words.
import { relativeMinutes, type Severity, type SlaClock } from '../incidents-api.js';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`sev sev--${severity}`}>{severity[0]!.toUpperCase() + severity.slice(1)}</span>;
}

export function SlaBadge({ clock, what }: { clock: SlaClock; what: 'triage' | 'resolve' }) {
  const text =
    clock.state === 'breached' ? `${what} overdue ${relativeMinutes(clock.minutesLeft).replace(' ago', '')}` :
    clock.state === 'met' ? `${what} on time` :
    `${what} due ${relativeMinutes(clock.minutesLeft)}`;
  return <span className={`sla sla--${clock.state}`} title={`Due ${new Date(clock.dueAt).toLocaleString()}`}>{text}</span>;
}
