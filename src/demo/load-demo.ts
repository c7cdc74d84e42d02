// The demo community: one operations center, all 50 states, DC and the five inhabited territories with
// real counties and FIPS codes, federal and private partners, users of every role, and some bulletins.
import { sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { recordAudit } from '../audit/service.js';
import { emitEvent } from '../platform/events/outbox.js';
import { SYSTEM } from '../access/actor.js';
import { orgs, users, type UserRole } from '../access/schema.js';
import { hashPassword } from '../access/secrets.js';
import { bulletins } from '../bulletins/schema.js';
import { loadDemoIncidents } from './demo-incidents.js';
import { loadDemoIntel } from './demo-intel.js';
import { loadDemoAssets } from './demo-assets.js';
import { loadDemoScanning } from './demo-scanning.js';
import { loadDemoAudits } from './demo-audits.js';
import type { Tlp } from '../platform/db/columns.js';
import { DEMO_STATES } from './community-data.js';

export const DEMO_PASSWORD = 'Demo-Election-Ops-2026';

export interface DemoSignIn {
  readonly email: string;
  readonly role: UserRole;
  readonly org: string;
  readonly mfa: boolean;
}

export interface DemoResult {
  readonly loaded: boolean;
  readonly orgs: number;
  readonly users: number;
  readonly bulletins: number;
  readonly elections?: number;
  readonly incidents?: number;
  readonly stixObjects?: number;
  readonly advisories?: number;
  readonly systems?: number;
  readonly hygieneScans?: number;
  readonly audits?: number;
  readonly password: string;
  readonly signIns: readonly DemoSignIn[];
}

/** States whose offices get a full set of demo users (the others get an administrator and a member). */
const FEATURED = new Set(['GA', 'AZ', 'PA', 'WI', 'MI']);

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export async function loadDemo(ctx: AppContext, options: { ifEmpty: boolean }): Promise<DemoResult> {
  const empty = { loaded: false, orgs: 0, users: 0, bulletins: 0, password: DEMO_PASSWORD, signIns: [] };
  if (options.ifEmpty) {
    const [row] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(orgs);
    if ((row?.n ?? 0) > 0) return empty;
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const signIns: DemoSignIn[] = [];
  let userCount = 0;
  let orgCount = 0;
  let bulletinCount = 0;

  const result = await ctx.db.transaction(async (tx) => {
    const addOrg = async (values: typeof orgs.$inferInsert) => {
      const [o] = await tx.insert(orgs).values(values).returning();
      orgCount += 1;
      return o!;
    };
    const addUser = async (orgId: string, orgName: string, email: string, name: string, role: UserRole, opts: { systemAdmin?: boolean; list?: boolean } = {}) => {
      const [u] = await tx.insert(users).values({ orgId, email, name, role, passwordHash, systemAdmin: opts.systemAdmin ?? false }).returning();
      userCount += 1;
      if (opts.list !== false) signIns.push({ email, role, org: orgName, mfa: role === 'org-admin' || role === 'analyst' || Boolean(opts.systemAdmin) });
      return u!;
    };

    const center = await addOrg({ name: 'Election Ops Center (demo)', type: 'operations-center' });
    const admin = await addUser(center.id, center.name, 'admin@eoc.demo', 'Morgan Reyes', 'org-admin', { systemAdmin: true });
    const analyst = await addUser(center.id, center.name, 'analyst@eoc.demo', 'Priya Natarajan', 'analyst');
    await addUser(center.id, center.name, 'watch@eoc.demo', 'Sam Okafor', 'member');
    const federal = await addOrg({ name: 'Federal election security partner (demo)', type: 'federal' });
    await addUser(federal.id, federal.name, 'liaison@federal.demo', 'Jordan Blake', 'member');
    const vendor = await addOrg({ name: 'Acme Voting Systems (demo vendor)', type: 'private', privateKind: 'vendor' });
    await addUser(vendor.id, vendor.name, 'psirt@vendor.demo', 'Alex Chen', 'member');
    const host = await addOrg({ name: 'Civic Cloud Hosting (demo hosting provider)', type: 'private', privateKind: 'hosting-provider' });
    await addUser(host.id, host.name, 'noc@hosting.demo', 'Riley Park', 'member');
    const tribal = await addOrg({ name: 'Navajo Nation Election Administration', type: 'tribal', stateCode: 'AZ' });
    await addUser(tribal.id, tribal.name, 'elections@navajo.demo', 'Lena Begay', 'org-admin', { list: false });

    const stateIds = new Map<string, { id: string; name: string; admin: string; counties: { id: string; name: string }[] }>();
    for (const st of DEMO_STATES) {
      const name = `${st.name} Elections Division`;
      const state = await addOrg({ name, type: st.type, fips: st.fips, stateCode: st.code });
      const code = st.code.toLowerCase();
      const featured = FEATURED.has(st.code);
      const stAdmin = await addUser(state.id, name, `admin@${code}.demo`, `${st.name} election director`, 'org-admin', { list: featured });
      await addUser(state.id, name, `staff@${code}.demo`, `${st.name} elections staff`, 'member', { list: featured });
      if (featured) {
        await addUser(state.id, name, `analyst@${code}.demo`, `${st.name} security analyst`, 'analyst');
        await addUser(state.id, name, `viewer@${code}.demo`, `${st.name} observer`, 'viewer');
      }
      const counties: { id: string; name: string }[] = [];
      for (const c of st.counties) {
        const cName = `${c.name} Elections Office`;
        const county = await addOrg({ name: cName, type: 'local', parentId: state.id, fips: c.fips, stateCode: st.code });
        counties.push({ id: county.id, name: cName });
        const local = `${slug(c.name)}.${code}`;
        await addUser(county.id, cName, `clerk@${local}.demo`, `${c.name} clerk`, 'member', { list: featured && counties.length <= 3 });
        if (featured && counties.length <= 3) {
          await addUser(county.id, cName, `admin@${local}.demo`, `${c.name} election administrator`, 'org-admin');
          await addUser(county.id, cName, `viewer@${local}.demo`, `${c.name} poll-book lead`, 'viewer', { list: false });
        }
      }
      stateIds.set(st.code, { id: state.id, name, admin: stAdmin.id, counties });
    }

    const addBulletin = async (ownerOrg: string, authorId: string, ownerName: string, tlp: Tlp, title: string, body: string, recipientOrgs: string[], recipientUsers: string[] = [], hoursAgo = 1) => {
      const createdAt = new Date(Date.now() - hoursAgo * 3_600_000);
      const [b] = await tx.insert(bulletins).values({ ownerOrg, authorId, tlp, title, body, recipientOrgs, recipientUsers, createdAt, updatedAt: createdAt }).returning();
      bulletinCount += 1;
      await emitEvent(tx, {
        type: 'bulletin.created',
        recordKind: 'bulletin',
        recordId: b!.id,
        sharing: { ownerOrg, authorId, tlp, recipientOrgs, recipientUsers },
        payload: { id: b!.id, title, tlp, ownerOrg, ownerName, createdAt: createdAt.toISOString(), excerpt: body.slice(0, 160) },
      });
    };

    await addBulletin(center.id, analyst.id, center.name, 'GREEN', 'Phishing wave impersonating voter-registration vendors',
      'Several offices reported emails that claim to come from their voter-registration vendor and ask staff to "re-validate" credentials.\n\n**What to do now**\n\n1. Do not click links in unexpected credential requests.\n2. Report the email to the operations center with its headers.\n3. Confirm any vendor request by phone, using a number you already have.', [], [], 30);
    await addBulletin(center.id, admin.id, center.name, 'CLEAR', 'Election-day hotline hours',
      'The operations center hotline is staffed from 5:00 a.m. Eastern until the last polls close in Alaska and Hawaii. Report anything that interrupts voting: power, weather, equipment, or a suspected attack.', [], [], 20);
    const ga = stateIds.get('GA');
    if (ga && ga.counties.length >= 3) {
      await addBulletin(ga.id, ga.admin, ga.name, 'AMBER', 'E-pollbook update schedule for early voting',
        'The certified e-pollbook update will be pushed on Thursday night. Keep your pollbooks on the charger and do **not** install updates from any other source.', ga.counties.slice(0, 2).map((c) => c.id), [], 6);
    }
    const az = stateIds.get('AZ');
    if (az && az.counties[0]) {
      await addBulletin(az.id, az.admin, az.name, 'AMBER+STRICT', 'Suspicious scanning of the results site',
        'We see repeated scans of the election-night results site from a small set of addresses. Indicators are attached in the intelligence feed. Do not forward.', [az.counties[0].id, center.id], [], 3);
    }
    await addBulletin(center.id, analyst.id, center.name, 'RED', 'Credential exposure: action needed today',
      'Credentials of one state account appeared in a paste site. Reset the account named in the phone call now.', [], [admin.id], 2);

    await recordAudit(tx, SYSTEM, { action: 'demo.loaded', details: { orgs: orgCount, users: userCount, bulletins: bulletinCount } });
    return { loaded: true, orgs: orgCount, users: userCount, bulletins: bulletinCount, password: DEMO_PASSWORD, signIns };
  });
  ctx.relay.kick();
  if (!result.loaded) return result;
  // Elections and incidents go through the services people use, after the directory exists.
  const extra = await loadDemoIncidents(ctx);
  const systems = await loadDemoAssets(ctx);
  const intel = await loadDemoIntel(ctx);
  const hygieneScans = await loadDemoScanning(ctx);
  const audits = await loadDemoAudits(ctx);
  return { ...result, elections: extra.elections, incidents: extra.incidents, stixObjects: intel.objects, advisories: intel.advisories, systems, hygieneScans, audits };
}

export function printDemoSignIns(result: DemoResult, publicUrl: string): void {
  const lines = [
    '',
    `Demo community loaded: ${result.orgs} organisations, ${result.users} users, ${result.bulletins} bulletins, ${result.elections ?? 0} elections, ${result.incidents ?? 0} incidents.`,
    `Sign in at ${publicUrl} with any of these accounts; every demo password is: ${result.password}`,
    'Administrators and analysts set up an authenticator app (TOTP) at their first sign-in.',
    '',
    ...result.signIns.map((s) => `  ${s.email.padEnd(34)} ${s.role.padEnd(10)} ${s.org}`),
    '  (every state has admin@<state>.demo and staff@<state>.demo; every county clerk@<county>.<state>.demo)',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
