// The words of incident reporting: what can be affected, what happened, what an analyst concludes. One list
// each, with plain labels; the API, the OpenAPI document, the forms and the exports all read these.

export const COMPONENTS = {
  'voter-registration': { label: 'Voter registration system', criticality: 'critical' },
  'online-registration-portal': { label: 'Online voter registration portal', criticality: 'high' },
  'e-pollbook': { label: 'E-pollbook', criticality: 'critical' },
  'ballot-marking-device': { label: 'Ballot marking device', criticality: 'critical' },
  'scanner-tabulator': { label: 'Scanner or tabulator', criticality: 'critical' },
  'election-management-system': { label: 'Election management system', criticality: 'critical' },
  'election-night-results-site': { label: 'Election-night results site', criticality: 'high' },
  email: { label: 'Email', criticality: 'moderate' },
  website: { label: 'Office website', criticality: 'moderate' },
  network: { label: 'Office network', criticality: 'high' },
  facility: { label: 'Facility or polling place', criticality: 'high' },
} as const satisfies Record<string, { label: string; criticality: Criticality }>;
export type Component = keyof typeof COMPONENTS;
export const COMPONENT_IDS = Object.keys(COMPONENTS) as Component[];

export const CRITICALITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const CATEGORIES = {
  'weather-flooding': { label: 'Weather or flooding', kind: 'operational' },
  'power-outage': { label: 'Power outage', kind: 'operational' },
  'equipment-malfunction': { label: 'Equipment malfunction', kind: 'operational' },
  'software-error': { label: 'Software error', kind: 'operational' },
  'human-error': { label: 'Human error', kind: 'operational' },
  'supply-shortage': { label: 'Supply shortage (ballots, paper)', kind: 'operational' },
  'facility-access': { label: 'Facility access', kind: 'operational' },
  staffing: { label: 'Staffing', kind: 'operational' },
  phishing: { label: 'Phishing', kind: 'nefarious' },
  'account-compromise': { label: 'Account compromise', kind: 'nefarious' },
  'malware-ransomware': { label: 'Malware or ransomware', kind: 'nefarious' },
  ddos: { label: 'Denial of service (DDoS)', kind: 'nefarious' },
  'unauthorized-access': { label: 'Unauthorized access', kind: 'nefarious' },
  'website-defacement': { label: 'Website defacement', kind: 'nefarious' },
  'data-exposure': { label: 'Data exposure', kind: 'nefarious' },
  insider: { label: 'Insider threat', kind: 'nefarious' },
  disinformation: { label: 'Disinformation', kind: 'nefarious' },
  'physical-threat': { label: 'Physical threat or voter intimidation', kind: 'nefarious' },
} as const satisfies Record<string, { label: string; kind: CategoryKind }>;
export type Category = keyof typeof CATEGORIES;
export const CATEGORY_IDS = Object.keys(CATEGORIES) as Category[];
export type CategoryKind = 'operational' | 'nefarious';

/** How bad the symptom is, as the reporter sees it (the columns of the severity table). */
export const SYMPTOMS = {
  observed: 'Noticed something, no effect yet',
  degraded: 'Slow, partly working or some locations affected',
  unavailable: 'Not working or not reachable',
  compromised: 'Data or results may be altered, exposed or destroyed',
} as const;
export type Symptom = keyof typeof SYMPTOMS;
export const SYMPTOM_IDS = Object.keys(SYMPTOMS) as Symptom[];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ASSESSMENTS = {
  operational: 'Operational: no sign of malicious intent',
  suspicious: 'Suspicious: may be malicious, not confirmed',
  'confirmed-malicious': 'Confirmed malicious',
  unfounded: 'Unfounded: nothing happened or a false report',
} as const;
export type Assessment = keyof typeof ASSESSMENTS;
export const ASSESSMENT_IDS = Object.keys(ASSESSMENTS) as Assessment[];

export const STATUSES = ['new', 'triaged', 'investigating', 'contained', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const PRIORITIES = ['p1', 'p2', 'p3', 'p4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where a report came from: the web form, a machine client, or an analyst logging a hotline call. */
export const CHANNELS = ['web', 'api', 'hotline'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The escalation ladder: a county's state, then the operations center, then federal partners. */
export const ESCALATION_LEVELS = ['state', 'operations-center', 'federal'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export function categoryKind(c: Category): CategoryKind {
  return CATEGORIES[c].kind;
}

/** Open means someone still has to act. */
export function isOpen(s: Status): boolean {
  return s !== 'resolved' && s !== 'closed';
}
