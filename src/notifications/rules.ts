// Which events notify whom. Each rule is set-based SQL: the people (or organisations, for webhooks) to tell
// are chosen by the sharing policy in the database, never fetched and filtered, and by their preferences.
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Tx } from '../platform/db/client.js';
import { readableBy, type ShareableColumns } from '../access/policy.js';
import type { Tlp } from '../platform/db/columns.js';

/** Notification kinds a user can tune; defaults: told in-app and by email of what is addressed to them. */
export const NOTIFICATION_KINDS = {
  'bulletin.addressed': { label: 'A bulletin sent to my organisation or to me by name', inApp: true, email: true },
  'bulletin.community': { label: 'A bulletin for the whole community (TLP:CLEAR or GREEN)', inApp: false, email: false },
  'incident.status': { label: 'Progress on incidents my office reported (status, merge, escalation)', inApp: true, email: true },
  'incident.received': { label: 'New incident reports shared with my organisation (analysts)', inApp: true, email: false },
  'incident.escalated': { label: 'Incidents escalated to my organisation (analysts)', inApp: true, email: true },
  'incident.assigned': { label: 'An incident assigned to me', inApp: true, email: true },
  'advisory.addressed': { label: 'An advisory sent to my organisation or to me by name', inApp: true, email: true },
  'advisory.community': { label: 'An advisory for the whole community (TLP:CLEAR or GREEN)', inApp: true, email: true },
  'victim.matched': { label: 'A threat touches one of my organisation\'s systems (from its inventory)', inApp: true, email: true },
  'advisory.response': { label: 'Responses to advisories my organisation published (acknowledged, affected, seen)', inApp: true, email: false },
  'audit.task': { label: 'Audits of paper ballots my office takes part in: files to upload, rounds to work, the result', inApp: true, email: true },
} as const;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;

/** Event types an organisation webhook can subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['bulletin.created', 'bulletin.shared', 'bulletin.tlp-changed', 'incident.reported', 'incident.status-changed', 'incident.escalated', 'incident.merged', 'advisory.published', 'advisory.withdrawn', 'victim.matched'] as const;

export interface SequencedEvent {
  readonly seq: number;
  readonly type: string;
  readonly recordKind: string;
  readonly recordId: string;
  readonly ownerOrg: string;
  readonly authorId: string | null;
  readonly tlp: Tlp;
  readonly recipientOrgs: string[];
  readonly recipientUsers: string[];
  readonly payload: Record<string, unknown>;
}

const NOBODY = '00000000-0000-0000-0000-000000000000';

function sharingOf(e: SequencedEvent): ShareableColumns {
  return {
    ownerOrg: sql`${e.ownerOrg}::uuid`,
    authorId: sql`${e.authorId ?? NOBODY}::uuid`,
    tlp: sql`${e.tlp}::tlp`,
    recipientOrgs: sql`${`{${e.recipientOrgs.join(',')}}`}::uuid[]`,
    recipientUsers: sql`${`{${e.recipientUsers.join(',')}}`}::uuid[]`,
  };
}

/**
 * "This user wants `kind` by `channel`": their saved choice, else the default. Written as containment so that
 * a channel that is off by default finds the users who turned it on through users_preferences_idx, instead of
 * reading every user of the community for each community-wide bulletin.
 */
const pref = (kind: NotificationKind, channel: 'inApp' | 'email') => {
  const byDefault = NOTIFICATION_KINDS[kind][channel];
  const changed = JSON.stringify({ notifications: { [kind]: { [channel]: !byDefault } } });
  return byDefault ? sql`not (u.preferences @> ${changed}::jsonb)` : sql`u.preferences @> ${changed}::jsonb`;
};

/** The users an event concerns for a kind: active, allowed by the policy, not its author. */
function audience(e: SequencedEvent, kind: NotificationKind, addressedOrgs: readonly string[]): SQL {
  const readable = readableBy(sharingOf(e), { userId: sql`u.id`, orgId: sql`u.org_id` });
  const addressed = sql`(u.org_id = any(${`{${addressedOrgs.join(',')}}`}::uuid[]) or u.id = any(${`{${e.recipientUsers.join(',')}}`}::uuid[]))`;
  const scope = kind.endsWith('.addressed') || kind === 'audit.task' ? addressed : sql`not ${addressed}`;
  return sql`from users u join orgs o on o.id = u.org_id
    where u.active and o.active and u.id <> ${e.authorId ?? NOBODY}::uuid and ${readable} and ${scope}`;
}

function bulletinTitle(e: SequencedEvent): string {
  const title = typeof e.payload.title === 'string' ? e.payload.title : 'A bulletin';
  return e.type === 'bulletin.shared' ? `Shared with you: ${title}` : title;
}

const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/** Writes in-app rows and queues emails for `who` (a `from users u … where …` clause), honouring preferences: one statement. */
async function notify(tx: Tx, e: SequencedEvent, kind: NotificationKind, who: SQL, title: string, link: string): Promise<void> {
  // The "either channel" condition lets a kind that is off by default find its few takers through the index.
  await tx.execute(sql`with who as (select u.id, ${pref(kind, 'inApp')} as in_app, ${pref(kind, 'email')} as by_email ${who} and (${pref(kind, 'inApp')} or ${pref(kind, 'email')})),
      n as (insert into notifications (user_id, kind, title, link, event_seq) select id, ${kind}, ${title}, ${link}, ${e.seq} from who where in_app)
    insert into jobs (kind, payload) select 'notification.email', jsonb_build_object('userId', id, 'seq', ${e.seq}::bigint, 'kind', ${kind}::text) from who where by_email`);
}

/** Users of an incident event: active, allowed by the policy, not the person who acted. */
function incidentAudience(e: SequencedEvent, scope: SQL): SQL {
  const readable = readableBy(sharingOf(e), { userId: sql`u.id`, orgId: sql`u.org_id` });
  const actor = typeof e.payload.byId === 'string' ? e.payload.byId : NOBODY;
  return sql`from users u join orgs o on o.id = u.org_id
    where u.active and o.active and u.id <> ${actor}::uuid and ${readable} and ${scope}`;
}

const analysts = sql`u.role in ('analyst', 'org-admin')`;

async function incidentRules(tx: Tx, e: SequencedEvent, reportsDone: boolean): Promise<void> {
  const ref = typeof e.payload.ref === 'string' ? e.payload.ref : 'An incident';
  const title = typeof e.payload.title === 'string' ? e.payload.title : '';
  const link = `/incidents/${e.recordId}`;
  const details = (e.payload.details ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'incident.reported':
      if (reportsDone) return;
      await notify(tx, e, 'incident.received', incidentAudience(e, sql`u.org_id = any(${uuidArray(e.recipientOrgs)}) and u.org_id <> ${e.ownerOrg}::uuid and ${analysts}`), `New report ${ref}: ${title}`, link);
      return;
    case 'incident.status-changed':
    case 'incident.merged':
    case 'incident.unmerged':
    case 'incident.escalated': {
      const what = typeof e.payload.text === 'string' ? e.payload.text : 'Updated';
      await notify(tx, e, 'incident.status', incidentAudience(e, sql`u.org_id = ${e.ownerOrg}::uuid`), `${ref} ${title}: ${what}`, link);
      const added = Array.isArray(details.addedOrgs) ? (details.addedOrgs as string[]) : [];
      if (e.type === 'incident.escalated' && added.length) {
        await notify(tx, e, 'incident.escalated', incidentAudience(e, sql`u.org_id = any(${uuidArray(added)}) and ${analysts}`), `Escalated to you: ${ref} ${title}`, link);
      }
      return;
    }
    case 'incident.assigned':
      if (typeof details.assigneeId === 'string') await notify(tx, e, 'incident.assigned', incidentAudience(e, sql`u.id = ${details.assigneeId}::uuid`), `Assigned to you: ${ref} ${title}`, link);
      return;
    default:
      return;
  }
}

/**
 * New reports of a whole batch at once: on election day they come by the hundred, and one statement tells the
 * analysts of every report's recipient organisations (policy, preferences and all) instead of one per report.
 */
async function notifyReportsReceived(tx: Tx, events: readonly SequencedEvent[]): Promise<void> {
  const kind: NotificationKind = 'incident.received';
  const rows = events.map((e) => {
    const ref = typeof e.payload.ref === 'string' ? e.payload.ref : 'An incident';
    const title = typeof e.payload.title === 'string' ? e.payload.title : '';
    const actor = typeof e.payload.byId === 'string' ? e.payload.byId : NOBODY;
    return sql`(${e.seq}::bigint, ${e.ownerOrg}::uuid, ${e.authorId ?? NOBODY}::uuid, ${e.tlp}::tlp, ${uuidArray(e.recipientOrgs)}, ${uuidArray(e.recipientUsers)}, ${`New report ${ref}: ${title}`}::text, ${`/incidents/${e.recordId}`}::text, ${actor}::uuid)`;
  });
  const readable = readableBy({ ownerOrg: sql`ev.owner_org`, authorId: sql`ev.author_id`, tlp: sql`ev.tlp`, recipientOrgs: sql`ev.rorgs`, recipientUsers: sql`ev.rusers` }, { userId: sql`u.id`, orgId: sql`u.org_id` });
  await tx.execute(sql`with ev(seq, owner_org, author_id, tlp, rorgs, rusers, title, link, actor) as (values ${sql.join(rows, sql`, `)}),
      who as (select u.id, ev.seq, ev.title, ev.link, ${pref(kind, 'inApp')} as in_app, ${pref(kind, 'email')} as by_email
        from ev join users u on u.org_id = any(ev.rorgs) and u.org_id <> ev.owner_org join orgs o on o.id = u.org_id
        where u.active and o.active and u.id <> ev.actor and ${analysts} and ${readable} and (${pref(kind, 'inApp')} or ${pref(kind, 'email')})),
      n as (insert into notifications (user_id, kind, title, link, event_seq) select id, ${kind}, title, link, seq from who where in_app)
    insert into jobs (kind, payload) select 'notification.email', jsonb_build_object('userId', id, 'seq', seq, 'kind', ${kind}::text) from who where by_email`);
}

/** Applies the rules to a batch of events in order; the common cases are set-based. */
export async function applyRulesBatch(tx: Tx, events: readonly SequencedEvent[]): Promise<void> {
  const reported = events.filter((e) => e.recordKind === 'incident' && e.type === 'incident.reported');
  if (reported.length) await notifyReportsReceived(tx, reported);
  // Most installations have few webhooks: look once per batch rather than once per event.
  const webhooks = events.some((e) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e.type))
    ? rowsOf<{ any: boolean }>(await tx.execute(sql`select exists (select 1 from webhooks where active) as any`))[0]?.any === true
    : false;
  for (const e of events) await applyRules(tx, e, { reportsDone: true, webhooks });
}

/** Writes the in-app notifications and queues the emails and webhook calls of one event. */
export async function applyRules(tx: Tx, e: SequencedEvent, options: { reportsDone?: boolean; webhooks?: boolean } = {}): Promise<void> {
  if (e.recordKind === 'incident') await incidentRules(tx, e, options.reportsDone ?? false);
  if (e.recordKind === 'bulletin' && (e.type === 'bulletin.created' || e.type === 'bulletin.shared')) {
    const addressedOrgs = e.type === 'bulletin.shared' && Array.isArray(e.payload.addedOrgs) ? (e.payload.addedOrgs as string[]) : e.recipientOrgs;
    const kinds: NotificationKind[] = e.type === 'bulletin.created' && (e.tlp === 'CLEAR' || e.tlp === 'GREEN') ? ['bulletin.addressed', 'bulletin.community'] : ['bulletin.addressed'];
    for (const kind of kinds) await notify(tx, e, kind, audience(e, kind, addressedOrgs), bulletinTitle(e), `/bulletins/${e.recordId}`);
  }
  if (e.recordKind === 'advisory') await advisoryRules(tx, e);
  // Victim notifications: every member of the office (AMBER+STRICT, owned by it, so the policy keeps it there).
  if (e.type === 'victim.matched') await notify(tx, e, 'victim.matched', audience(e, 'victim.matched', []), String(e.payload.title ?? 'A threat touches one of your systems'), '/inventory/alerts');
  // A log scan that found known threats: the office, privately (the same kind of notice).
  if (e.type === 'monitor.alert') await notify(tx, e, 'victim.matched', audience(e, 'victim.matched', []), String(e.payload.title ?? 'A monitored service changed'), '/monitoring');
  if (e.type === 'scan.critical-found') await notify(tx, e, 'victim.matched', audience(e, 'victim.matched', []), String(e.payload.title ?? 'A critical finding on your systems'), '/scanning');
  // An audit's milestones, to the counties taking part (the ones the event names) and the state's own people.
  if (e.type === 'audit.task') {
    const counties = Array.isArray(e.payload.counties) ? (e.payload.counties as string[]) : [];
    await notify(tx, e, 'audit.task', audience(e, 'audit.task', [...counties, e.ownerOrg]), String(e.payload.title ?? 'An audit needs you'), `/audits/${e.recordId}`);
  }
  if (e.type === 'log-scan.matched') await notify(tx, e, 'victim.matched', audience(e, 'victim.matched', []), String(e.payload.title ?? 'Threats seen in your log'), `/logs/${e.recordId}`);
  if (options.webhooks !== false && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e.type)) {
    // An organisation reads what any member of it could read, except RED (which is for named people).
    const readable = readableBy(sharingOf(e), { userId: sql`${NOBODY}::uuid`, orgId: sql`w.org_id` });
    await tx.execute(sql`with d as (
        insert into webhook_deliveries (webhook_id, event_seq, event_type)
        select w.id, ${e.seq}, ${e.type} from webhooks w join orgs o on o.id = w.org_id
        where w.active and o.active and (cardinality(w.event_types) = 0 or ${e.type} = any(w.event_types)) and ${readable}
        returning id)
      insert into jobs (kind, payload) select 'webhook.deliver', jsonb_build_object('deliveryId', d.id) from d`);
  }
}

const SEVERITY_WORD: Record<string, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

/** Advisories: recipients hear of a publication or withdrawal; the owner organisation hears of responses. */
async function advisoryRules(tx: Tx, e: SequencedEvent): Promise<void> {
  const title = String(e.payload.title ?? 'An advisory');
  const link = `/advisories/${e.recordId}`;
  if (e.type === 'advisory.published' || e.type === 'advisory.withdrawn') {
    const text = e.type === 'advisory.published' ? `${SEVERITY_WORD[String(e.payload.severity)] ?? ''} advisory: ${title}`.trim() : `Withdrawn: ${title}`;
    const kinds: NotificationKind[] = e.tlp === 'CLEAR' || e.tlp === 'GREEN' ? ['advisory.addressed', 'advisory.community'] : ['advisory.addressed'];
    for (const kind of kinds) await notify(tx, e, kind, audience(e, kind, e.recipientOrgs), text, link);
  }
  if (e.type === 'advisory.response') {
    const word = e.payload.kind === 'affected' ? 'is affected by' : e.payload.kind === 'seen' ? 'saw the activity in' : 'acknowledged';
    await notify(tx, e, 'advisory.response', audience(e, 'advisory.response', []), `${String(e.payload.orgName ?? 'A recipient')} ${word} “${title}”`, link);
  }
}
