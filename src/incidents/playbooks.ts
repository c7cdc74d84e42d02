// Playbook templates: the tasks an analyst starts from for a kind of incident. Applying one copies its tasks
// into the case, where they can be edited, reordered, added to or removed like any other task.
import type { Category, Component } from './taxonomy.js';

export interface Playbook {
  readonly id: string;
  readonly title: string;
  /** Suggested for these categories (and, where given, only these components). */
  readonly categories: readonly Category[];
  readonly components?: readonly Component[];
  readonly tasks: readonly string[];
}

export const PLAYBOOKS: readonly Playbook[] = [
  {
    id: 'results-site-down',
    title: 'Results site down',
    categories: ['ddos', 'software-error', 'equipment-malfunction', 'power-outage', 'website-defacement'],
    components: ['election-night-results-site', 'website'],
    tasks: [
      'Confirm the outage from outside the office network (another provider, a phone)',
      'Call the hosting provider or CDN and open a ticket; note the ticket number',
      'Check for DDoS indicators: traffic volume, sources, provider alerts',
      'Publish results through the backup channel (press release, social media, state site)',
      'Tell the public and the media where results are available',
      'Verify published results match the official tabulation once the site is back',
      'Record the timeline and what would have prevented the outage',
    ],
  },
  {
    id: 'phishing-reported',
    title: 'Phishing reported',
    categories: ['phishing', 'account-compromise'],
    tasks: [
      'Get the original message with headers (attach as .eml or text)',
      'Find everyone who received it; remove it from their mailboxes',
      'Ask who clicked or entered credentials; reset those passwords and sessions at once',
      'Block the sender, links and domains at the mail gateway and web proxy',
      'Check sign-in logs of affected accounts for unusual locations or MFA changes',
      'Share the indicators with the community (advisory or indicator, TLP as appropriate)',
      'Remind staff how to report suspicious mail',
    ],
  },
  {
    id: 'equipment-failure-polling-place',
    title: 'Equipment failure at a polling place',
    categories: ['equipment-malfunction', 'software-error', 'human-error'],
    components: ['e-pollbook', 'ballot-marking-device', 'scanner-tabulator', 'facility'],
    tasks: [
      'Confirm voting continues: paper pollbooks, emergency ballots or backup devices in use',
      'Record the device serial numbers and seal numbers; keep chain of custody',
      'Send a technician or swap the device from the reserve',
      'Log how many voters were affected and for how long',
      'Tell the state election office if voting was interrupted',
      'Quarantine the failed device for post-election inspection',
    ],
  },
  {
    id: 'power-or-facility',
    title: 'Power cut or facility problem',
    categories: ['power-outage', 'weather-flooding', 'facility-access'],
    components: ['facility'],
    tasks: [
      'Check that voters can still vote (battery backup, emergency ballots, lighting)',
      'Decide whether to relocate; post signs and tell voters where to go',
      'Ask the state or court about extending hours if voting was interrupted',
      'Tell the public through the website and social media',
      'Record the times the polling place was unable to serve voters',
    ],
  },
  {
    id: 'ransomware',
    title: 'Malware or ransomware',
    categories: ['malware-ransomware', 'unauthorized-access', 'insider', 'data-exposure'],
    tasks: [
      'Isolate affected machines from the network; do not power them off',
      'Identify affected systems and whether voter registration, EMS or pollbooks are reachable from them',
      'Preserve logs and images for investigation',
      'Call the state and the operations center; consider federal partners and law enforcement',
      'Decide on fallback procedures (paper pollbooks, provisional ballots)',
      'Restore from known-good backups after the cause is removed',
      'Assess whether any voter data was exposed and what notice is required',
    ],
  },
  {
    id: 'disinformation',
    title: 'Disinformation about voting',
    categories: ['disinformation'],
    tasks: [
      'Capture the post or message (screenshots, links, time)',
      'Confirm what is true with the office responsible',
      'Publish a correction on the rumor-vs-reality page and official channels',
      'Report the content to the platform',
      'Alert poll workers and the call center so they answer consistently',
    ],
  },
  {
    id: 'physical-threat',
    title: 'Physical threat or voter intimidation',
    categories: ['physical-threat'],
    tasks: [
      'Make sure people are safe; call local law enforcement when there is danger',
      'Record who, what, where and when; collect witness names',
      'Tell the state election office and the operations center',
      'Decide whether the polling place needs to move or extra staff',
      'Follow up with the affected poll workers and voters',
    ],
  },
  {
    id: 'supplies-staffing',
    title: 'Supplies or staffing short',
    categories: ['supply-shortage', 'staffing'],
    tasks: [
      'Find out how much is missing and how long it will last',
      'Send reserve supplies or standby poll workers',
      'Tell voters about any delay; keep lines moving',
      'Record the cause for the after-action review',
    ],
  },
];

/** The playbooks that fit an incident: matching category first, then any matching component. */
export function suggestedPlaybooks(category: Category, component: Component): Playbook[] {
  const fits = (p: Playbook) => p.categories.includes(category) && (!p.components || p.components.includes(component));
  const byCategory = (p: Playbook) => p.categories.includes(category);
  return [...PLAYBOOKS.filter(fits), ...PLAYBOOKS.filter((p) => !fits(p) && byCategory(p))];
}

export function playbookById(id: string): Playbook | undefined {
  return PLAYBOOKS.find((p) => p.id === id);
}
