// Types of the incidents API as the UI uses them, and the taxonomy (labels, playbooks), loaded once.
import { get, type Tlp } from './api.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Status = 'new' | 'triaged' | 'investigating' | 'contained' | 'resolved' | 'closed';
export type Assessment = 'operational' | 'suspicious' | 'confirmed-malicious' | 'unfounded';
export type SlaState = 'met' | 'ok' | 'due-soon' | 'breached';

export interface SlaClock {
  readonly state: SlaState;
  readonly dueAt: string;
  readonly minutesLeft: number;
}

export interface IncidentSummary {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly excerpt: string;
  readonly category: string;
  readonly component: string;
  readonly kind: 'operational' | 'nefarious';
  readonly symptom: string;
  readonly status: Status;
  readonly open: boolean;
  readonly assessment: Assessment | null;
  readonly severity: Severity;
  readonly priority: string | null;
  readonly assignee: { id: string; name: string | null } | null;
  readonly jurisdiction: { id: string; name: string };
  readonly stateCode: string | null;
  readonly countyFips: string | null;
  readonly location: string | null;
  readonly votingAffected: boolean;
  readonly countingAffected: boolean;
  readonly occurredAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly tlp: Tlp;
  readonly recipients: { orgs: string[]; users: string[] };
  readonly ownerOrg: string;
  readonly ownerName: string;
  readonly electionDay: boolean;
  readonly escalationLevel: string | null;
  readonly merged: boolean;
  readonly sla: { triage: SlaClock; resolve: SlaClock };
}

export interface Incident extends IncidentSummary {
  readonly description: string;
  readonly descriptionHtml: string;
  readonly address: string | null;
  readonly channel: 'web' | 'api' | 'hotline';
  readonly reporter: { name: string | null; contact: string | null };
  readonly assessmentRationale: string | null;
  readonly computedSeverity: Severity;
  readonly severityReasons: string[];
  readonly triagedAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly mergedInto: { id: string | null; ref: string | null; title: string | null } | null;
  readonly duplicates: { id: string; ref: string; title: string; status: Status }[];
  readonly links: { id: string; ref: string; title: string; status: Status; severity: Severity }[];
  readonly timeline: { id: string; at: string; actorName: string; kind: string; text: string }[];
  readonly tasks: { id: string; title: string; position: number; playbook: string | null; done: boolean; doneAt: string | null }[];
  readonly attachments: { id: string; filename: string; contentType: string; size: number; sha256: string; createdAt: string }[];
  readonly permissions: { work: boolean; note: boolean; attach: boolean; changeSharing: boolean; escalate: boolean };
  readonly nextStatuses: Status[];
  readonly playbooks: { id: string; title: string; tasks: number }[];
}

export interface Taxonomy {
  readonly categories: { id: string; label: string; kind: 'operational' | 'nefarious' }[];
  readonly components: { id: string; label: string; criticality: string }[];
  readonly symptoms: { id: string; label: string }[];
  readonly assessments: { id: Assessment; label: string }[];
  readonly statuses: Status[];
  readonly severities: Severity[];
  readonly priorities: string[];
  readonly escalationLevels: string[];
  readonly attachmentTypes: { type: string; extensions: string[] }[];
  readonly attachmentLimitBytes: number;
}

export interface Countdown {
  readonly today: string;
  readonly next: { id: string; name: string; day: string; daysLeft: number } | null;
  readonly daysLeft: number | null;
  readonly electionDay: boolean;
}

export interface Board {
  readonly generatedAt: string;
  readonly countdown: Countdown;
  readonly totals: { open: number; operational: number; nefarious: number; unassessed: number; breached: number; votingAffected: number; bySeverity: Record<Severity, number> };
  readonly states: { stateCode: string; open: number; worst: Severity | null; breached: number; nefarious: number }[];
  readonly counties: { countyFips: string; name: string | null; open: number; worst: Severity | null; breached: number; nefarious: number }[];
  readonly series: { hour: string; operational: number; nefarious: number }[];
  readonly breaches: IncidentSummary[];
  readonly feed: IncidentSummary[];
}

let taxonomy: Promise<Taxonomy> | null = null;
export function loadTaxonomy(): Promise<Taxonomy> {
  taxonomy ??= get<Taxonomy>('/api/v1/incidents/taxonomy').catch((e: unknown) => {
    taxonomy = null;
    throw e;
  });
  return taxonomy;
}

export const label = (list: readonly { id: string; label: string }[], id: string | null | undefined) => list.find((x) => x.id === id)?.label ?? id ?? '';

export const SEVERITY_COLORS: Record<Severity, string> = { low: '#97d4ea', medium: '#ffbe2e', high: '#e66f0e', critical: '#b50909' };

export const STATUS_LABELS: Record<Status, string> = { new: 'New', triaged: 'Triaged', investigating: 'Investigating', contained: 'Contained', resolved: 'Resolved', closed: 'Closed' };

export const INCIDENT_EVENTS = ['incident.reported', 'incident.updated', 'incident.status-changed', 'incident.assigned', 'incident.note-added', 'incident.merged', 'incident.unmerged', 'incident.escalated', 'incident.sharing-changed'] as const;

/** "in 12 min", "3 h 5 min ago" */
export function relativeMinutes(minutes: number): string {
  const abs = Math.abs(minutes);
  if (abs === 0) return 'just now';
  const text = abs < 60 ? `${abs} min` : abs < 48 * 60 ? `${Math.floor(abs / 60)} h ${abs % 60} min` : `${Math.round(abs / 1440)} days`;
  return minutes >= 0 ? `in ${text}` : `${text} ago`;
}

/** The state two-letter code → FIPS, for the map. */
export const STATE_FIPS: Record<string, string> = {
  AL: '01', AK: '02', AZ: '04', AR: '05', CA: '06', CO: '08', CT: '09', DE: '10', DC: '11', FL: '12', GA: '13', HI: '15', ID: '16', IL: '17', IN: '18', IA: '19', KS: '20', KY: '21', LA: '22', ME: '23', MD: '24', MA: '25', MI: '26', MN: '27', MS: '28', MO: '29', MT: '30', NE: '31', NV: '32', NH: '33', NJ: '34', NM: '35', NY: '36', NC: '37', ND: '38', OH: '39', OK: '40', OR: '41', PA: '42', RI: '44', SC: '45', SD: '46', TN: '47', TX: '48', UT: '49', VT: '50', VA: '51', WA: '53', WV: '54', WI: '55', WY: '56', AS: '60', GU: '66', MP: '69', PR: '72', VI: '78',
};
