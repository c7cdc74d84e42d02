// The demo's threat intelligence, made through the same services people and TAXII clients use: a community
// collection and a state collection with indicators, a malware family they point to, a report, a sighting
// shared back, and a reviewed, published advisory that names the indicators.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../platform/context.js';
import { SYSTEM } from '../access/actor.js';
import { actorFor } from './demo-incidents.js';
import { createCollection } from '../intel/collections-service.js';
import { addObjects } from '../intel/store-service.js';
import { indicatorFor, type ValueType } from '../intel/indicator-values.js';
import { TLP2_MARKINGS } from '../intel/stix/markings.js';
import { recordSighting } from '../intel/feedback-service.js';
import { createAdvisory, publishAdvisory, respondToAdvisory, submitAdvisory } from '../advisories/service.js';

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

export async function loadDemoIntel(ctx: AppContext): Promise<{ objects: number; advisories: number }> {
  const analyst = await actorFor(ctx, 'analyst@eoc.demo');
  const reviewer = await actorFor(ctx, 'admin@eoc.demo');
  const gaAnalyst = await actorFor(ctx, 'analyst@ga.demo');
  const clerk = await actorFor(ctx, 'clerk@fulton-county.ga.demo');
  if (!analyst || !reviewer || !gaAnalyst) return { objects: 0, advisories: 0 };
  const community = await createCollection(ctx, SYSTEM, { title: 'Election threat indicators', description: 'Indicators from the operations center for every member.', readers: 'all', writers: [analyst.orgId], defaultTlp: 'GREEN' });
  const georgia = await createCollection(ctx, SYSTEM, { title: 'Georgia state indicators', readers: [gaAnalyst.orgId, analyst.orgId], writers: [gaAnalyst.orgId], defaultTlp: 'AMBER' });

  const list: Array<[ValueType, string, string, number, number]> = [
    ['domain', 'ga-sos-voterupdate.example', 'Look-alike of the Secretary of State site in the SMS campaign', 85, 4],
    ['url', 'https://ga-sos-voterupdate.example/verify', 'Credential page asking clerks to "re-verify" pollbook passwords', 85, 4],
    ['email', 'it-support@ga-elections-help.example', 'Sender of the pollbook password phishing wave', 80, 6],
    ['ipv4', '198.51.100.23', 'Scanning election-night results sites', 70, 12],
    ['ipv4', '203.0.113.0/24', 'DDoS botnet range seen against results sites', 60, 25],
    ['sha256', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'Dropper attached to fake ballot-design emails', 90, 3],
  ];
  const now = new Date().toISOString();
  const indicators: Array<Record<string, unknown> & { id: string }> = list.map(([type, value, description, confidence, age]) => ({ ...indicatorFor({ type, value, scope: community.id, description, confidence, now }), valid_from: daysAgo(age) }) as unknown as Record<string, unknown> & { id: string });
  const malware = { type: 'malware', spec_version: '2.1', id: `malware--${randomUUID()}`, created: now, modified: now, name: 'BallotLure', description: 'Downloader spread as ballot-design proofs to county election offices.', malware_types: ['downloader'], is_family: true };
  const rel = { type: 'relationship', spec_version: '2.1', id: `relationship--${randomUUID()}`, created: now, modified: now, relationship_type: 'indicates', source_ref: indicators[5]!.id, target_ref: malware.id };
  const report = { type: 'report', spec_version: '2.1', id: `report--${randomUUID()}`, created: now, modified: now, name: 'Pollbook password phishing, October wave', published: now, report_types: ['threat-report'], object_refs: [indicators[0]!.id, indicators[1]!.id, indicators[2]!.id] };
  const stored = await addObjects(ctx, analyst, community, { objects: [...indicators, malware, rel, report] });
  const gaOnly = indicatorFor({ type: 'ipv4', value: '192.0.2.77', scope: georgia.id, description: 'Brute force against the Georgia voter-registration portal', confidence: 75, now, markingRefs: [TLP2_MARKINGS.AMBER] });
  const gaStored = await addObjects(ctx, gaAnalyst, georgia, { objects: [gaOnly] });
  if (clerk) await recordSighting(ctx, clerk, indicators[2]!.id as string, { count: 3, lastSeen: daysAgo(1).replace(/\.\d+Z$/, 'Z'), shareName: true, note: 'Three clerks received it; none clicked.' });

  const advisory = await createAdvisory(ctx, analyst, {
    title: 'Pollbook password phishing against county election offices',
    summary: 'Since last week, county election staff in several states received emails and text messages that look like they come from their Secretary of State. They ask staff to **re-verify their e-pollbook password** on a look-alike site.',
    actions: '1. Tell staff: the state never asks for pollbook passwords by email or text.\n2. Block the domain and sender listed below on your mail gateway.\n3. If someone entered a password, change it now and report an incident.',
    components: ['email', 'e-pollbook'],
    severity: 'high',
    tlp: 'GREEN',
    recipients: { orgs: [gaAnalyst.orgId], users: [] },
    stixRefs: [indicators[0]!.id as string, indicators[1]!.id as string, indicators[2]!.id as string],
  });
  await submitAdvisory(ctx, analyst, advisory.id);
  await publishAdvisory(ctx, reviewer, advisory.id);
  if (clerk) await respondToAdvisory(ctx, clerk, advisory.id, 'affected', 'Three staff received the email; nobody clicked.');
  await respondToAdvisory(ctx, gaAnalyst, advisory.id, 'acknowledged', null);
  return { objects: stored.successes.length + gaStored.successes.length, advisories: 1 };
}
