// The demo's election calendar and a realistic mix of incidents, filed and worked through the same services
// people use (so timelines, SLA timers, events and notifications are all real): a power cut and a pollbook
// fault being handled, a phishing wave escalated to the operations center, a results-site slowdown, a rumor.
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { UserActor } from '../access/actor.js';
import { orgs, users } from '../access/schema.js';
import { elections } from '../elections/schema.js';
import { todayIn } from '../elections/service.js';
import { reportIncident, type NewIncident } from '../incidents/report-service.js';
import { applyPlaybook, changeStatus, escalateIncident, triageIncident } from '../incidents/case-service.js';

/** A demo user, as a signed-in actor, by email (the demo acts through the same services people use). */
export async function actorFor(ctx: AppContext, email: string): Promise<UserActor | null> {
  const [row] = await ctx.db
    .select({ userId: users.id, orgId: users.orgId, email: users.email, name: users.name, role: users.role, systemAdmin: users.systemAdmin, orgType: orgs.type, orgParentId: orgs.parentId })
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(eq(users.email, email));
  return row ? { kind: 'user', ...row, via: 'session', scopes: ['read', 'write'] } : null;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

export async function loadDemoIncidents(ctx: AppContext): Promise<{ elections: number; incidents: number }> {
  const today = todayIn(ctx.config.timeZone);
  const states = await ctx.db.select({ id: orgs.id, code: orgs.stateCode }).from(orgs).where(inArray(orgs.stateCode, ['GA', 'PA', 'WI', 'AZ', 'MI']));
  const byCode = new Map(states.filter((s) => s.code).map((s) => [s.code!, s.id]));
  const [center] = await ctx.db.select({ id: orgs.id }).from(orgs).where(eq(orgs.type, 'operations-center'));
  const calendar = [
    { name: 'Georgia general election runoff', kind: 'runoff' as const, day: addDays(today, 6), jurisdictions: [byCode.get('GA')] },
    { name: 'Wisconsin spring primary', kind: 'primary' as const, day: addDays(today, 80), jurisdictions: [byCode.get('WI')] },
    { name: 'Pennsylvania municipal special election', kind: 'special' as const, day: addDays(today, 34), jurisdictions: [byCode.get('PA')] },
    { name: 'General election', kind: 'general' as const, day: addDays(today, -22), jurisdictions: [] },
  ];
  let electionCount = 0;
  for (const e of calendar) {
    if (e.jurisdictions.some((j) => !j)) continue;
    await ctx.db.insert(elections).values({ name: e.name, kind: e.kind, day: e.day, jurisdictions: e.jurisdictions as string[], createdByOrg: center!.id });
    electionCount += 1;
  }

  const analyst = await actorFor(ctx, 'analyst@eoc.demo');
  const gaAnalyst = await actorFor(ctx, 'analyst@ga.demo');
  if (!analyst || !gaAnalyst) return { elections: electionCount, incidents: 0 };
  const clerks = await ctx.db
    .select({ email: users.email, orgId: users.orgId, state: orgs.stateCode })
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(and(eq(orgs.type, 'local'), inArray(orgs.stateCode, ['GA', 'AZ', 'PA', 'WI', 'MI'])));
  const clerk = async (state: string, k = 0) => {
    const list = clerks.filter((c) => c.state === state && c.email.startsWith('clerk@')).sort((a, b) => a.email.localeCompare(b.email));
    const c = list[k % Math.max(1, list.length)];
    return c ? actorFor(ctx, c.email) : null;
  };
  let count = 0;
  const report = async (who: UserActor | null, input: NewIncident) => {
    if (!who) return null;
    count += 1;
    return reportIncident(ctx, who, input);
  };

  const power = await report(await clerk('GA', 0), { title: 'Power out at the Central Library polling place', description: 'Lights and outlets out since 7:40. Voters are using emergency paper ballots; the line is growing.', category: 'power-outage', component: 'facility', symptom: 'degraded', votingAffected: true, occurredAt: minutesAgo(55), location: 'Central Library, Precinct 12' });
  if (power) {
    await triageIncident(ctx, gaAnalyst, power.id, { assessment: 'operational', rationale: 'Utility outage on the whole block, confirmed by the power company.', priority: 'p2', assigneeId: gaAnalyst.userId });
    await applyPlaybook(ctx, gaAnalyst, power.id, 'power-or-facility');
    await changeStatus(ctx, gaAnalyst, power.id, 'investigating', 'Technician on the way with a generator.');
  }
  const pollbook = await report(await clerk('GA', 1), { title: 'E-pollbooks freezing at check-in', description: 'Three of five pollbooks freeze after about ten check-ins and need a restart.', category: 'equipment-malfunction', component: 'e-pollbook', symptom: 'degraded', votingAffected: true, occurredAt: minutesAgo(35), location: 'Fire Station 4' });
  if (pollbook) await triageIncident(ctx, gaAnalyst, pollbook.id, { assessment: 'operational', rationale: 'Known memory issue in the current pollbook build; vendor advises restart every hour.' });
  const phishing = await report(await clerk('PA', 0), { title: 'Phishing: fake poll-worker payroll portal', description: 'Six poll workers received an email asking them to confirm bank details on a look-alike county site.', category: 'phishing', component: 'email', symptom: 'observed', occurredAt: minutesAgo(240) });
  if (phishing) {
    await triageIncident(ctx, analyst, phishing.id, { assessment: 'suspicious', rationale: 'Look-alike domain registered two days ago; same lure seen in another state.', priority: 'p1', assigneeId: analyst.userId });
    await applyPlaybook(ctx, analyst, phishing.id, 'phishing-reported');
    await changeStatus(ctx, analyst, phishing.id, 'investigating');
    await escalateIncident(ctx, analyst, phishing.id, 'federal', 'Same lure in two states: sharing with federal partners.').catch(() => undefined);
  }
  await report(await clerk('AZ', 0), { title: 'Results site slow to load', description: 'The election-night results page takes over 30 seconds; the hosting provider sees a traffic spike.', category: 'ddos', component: 'election-night-results-site', symptom: 'degraded', occurredAt: minutesAgo(20) });
  await report(await clerk('WI', 0), { title: 'False post: polls close early because of snow', description: 'A widely shared post says polling places close at 4 p.m. because of the storm. Not true.', category: 'disinformation', component: 'website', symptom: 'observed', occurredAt: minutesAgo(90), tlp: 'GREEN' });
  const ballots = await report(await clerk('MI', 0), { title: 'Ballot paper running low at two precincts', description: 'Precincts 3 and 7 are under 50 ballots each.', category: 'supply-shortage', component: 'facility', symptom: 'degraded', occurredAt: minutesAgo(300) });
  const mi = await actorFor(ctx, 'analyst@mi.demo');
  if (ballots && mi) {
    await triageIncident(ctx, mi, ballots.id, { assessment: 'operational', rationale: 'Turnout above forecast.' });
    await changeStatus(ctx, mi, ballots.id, 'resolved', 'Reserve ballots delivered.');
  }
  return { elections: electionCount, incidents: count };
}
