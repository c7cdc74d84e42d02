// The demo's risk-limiting audit: Georgia audits its governor's race in three counties by ballot polling, through
// the services people use — the state sets it up, each county uploads a manifest, the dice seed is entered, round
// 1 is drawn, and the first county's two audit boards are half-way through their ballots — so the state's page
// has progress to show and the boards' page something to enter.
import { and, asc, eq } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { orgs, users } from '../access/schema.js';
import { createAudit, enterSeed, uploadManifest } from '../rla/audit-service.js';
import { boardView, enterReading, setMembers } from '../rla/board-service.js';
import { createBoards, startRound } from '../rla/round-service.js';
import { rlaAuditBoards } from '../rla/schema.js';
import { actorFor } from './demo-incidents.js';

const CHOICES = [
  { name: 'Dana Whitfield', share: 0.537 },
  { name: 'Marcus Hale', share: 0.45 },
  { name: 'Write-in', share: 0.013 },
];

/** Manifest CSV of `ballots` in batches of 250–500 on a few tabulators. */
function manifest(ballots: number, seed: number): string {
  const lines = ['Container,Tabulator,Batch Name,Number of Ballots'];
  let left = ballots;
  for (let b = 1; left > 0; b++) {
    const n = Math.min(left, 250 + ((b * 7919 + seed) % 251));
    lines.push(`Box ${Math.ceil(b / 12)},ICP-${(b % 6) + 1},${b % 3 === 0 ? 'Absentee' : 'Precinct'} ${b},${n}`);
    left -= n;
  }
  return `${lines.join('\n')}\n`;
}

export async function loadDemoAudits(ctx: AppContext): Promise<number> {
  const state = await actorFor(ctx, 'staff@ga.demo');
  if (!state) return 0;
  const counties = await ctx.db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(and(eq(orgs.type, 'local'), eq(orgs.parentId, state.orgId))).orderBy(asc(orgs.fips)).limit(3);
  if (counties.length < 3) return 0;
  const cast = [48_000, 31_500, 12_250];
  const total = cast.reduce((a, b) => a + b, 0);
  const voted = total - 1_413;
  const audit = await createAudit(ctx, state, {
    name: 'General election: governor (demo)',
    auditType: 'ballot-polling',
    riskLimit: 10,
    counties: counties.map((c) => c.id),
    contests: [{ name: 'Governor', ballotsCast: total, choices: CHOICES.map((c, i) => ({ name: c.name, votes: i === 0 ? voted - Math.round(voted * 0.45) - Math.round(voted * 0.013) : Math.round(voted * c.share) })) }],
  });
  for (const [i, county] of counties.entries()) {
    const [clerk] = await ctx.db.select({ email: users.email }).from(users).where(and(eq(users.orgId, county.id), eq(users.active, true))).orderBy(asc(users.email)).limit(1);
    const actor = clerk ? await actorFor(ctx, clerk.email) : null;
    await uploadManifest(ctx, actor ?? state, audit.id, county.id, { data: Buffer.from(manifest(cast[i]!, i)), fileName: `${county.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-manifest.csv`, ballotsCast: cast[i]! });
  }
  await enterSeed(ctx, state, audit.id, '0742 1985 3602 1847 7391');
  await startRound(ctx, state, audit.id);
  const first = counties[0]!;
  const { boards } = await createBoards(ctx, state, audit.id, first.id, 2);
  // Board #1 has entered half its ballots, four in seven for the reported winner.
  const [board] = await ctx.db.select().from(rlaAuditBoards).where(eq(rlaAuditBoards.id, boards[0]!.id));
  if (!board) return 1;
  await setMembers(ctx, board, ['Evelyn Brooks', 'Carlos Mendoza']);
  const withMembers = { ...board, members: ['Evelyn Brooks', 'Carlos Mendoza'] };
  const view = await boardView(ctx, withMembers);
  const contest = view.contests[0]!;
  for (const [k, b] of view.ballots.slice(0, Math.floor(view.ballots.length / 2)).entries()) {
    const choice = k % 7 < 4 ? CHOICES[0]!.name : k % 7 < 6 ? CHOICES[1]!.name : null;
    await enterReading(ctx, withMembers, { batchId: b.batchId, position: b.position, readings: [choice ? { contestId: contest.id, reading: 'vote', choices: [choice] } : { contestId: contest.id, reading: 'blank' }] });
  }
  return 1;
}
