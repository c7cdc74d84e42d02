// Generates the benchmark community in SQL: 10,000 organisations (an operations center, 56 states and
// territories, 9,900 local offices, 43 private partners), 100,000 users and 1,000,000 bulletins with a
// realistic mix of TLP labels and recipients. The data stays in place between runs (it takes minutes to build).
import { sql } from 'drizzle-orm';
import type { Db } from '../src/platform/db/client.js';
import { rowsOf } from '../src/platform/db/client.js';
import { hashPassword, newApiToken } from '../src/access/secrets.js';

export interface CommunitySize {
  readonly locals: number;
  readonly privates: number;
  readonly usersPerOrg: number;
  readonly bulletins: number;
}

export const FULL: CommunitySize = { locals: 9_900, privates: 43, usersPerOrg: 10, bulletins: 1_000_000 };
/** A small community to check the benchmark itself quickly (`--quick`). */
export const QUICK: CommunitySize = { locals: 990, privates: 3, usersPerOrg: 4, bulletins: 50_000 };
const STATES = 56;
const CHUNK = 100_000;

function marker(size: CommunitySize): string {
  return `bench-community-v1:${size.locals}:${size.privates}:${size.usersPerOrg}:${size.bulletins}`;
}

async function one<T>(db: Db, query: ReturnType<typeof sql>): Promise<T | undefined> {
  return rowsOf<T>(await db.execute(query))[0];
}

/** Builds the community unless this database already holds it; reports progress on stderr. */
export async function ensureCommunity(outer: Db, size: CommunitySize, progress: (line: string) => void): Promise<'built' | 'reused'> {
  const db = outer;
  const existing = await one<{ value: unknown }>(db, sql`select value from settings where key = 'bench.community'`);
  if (existing && JSON.stringify(existing.value) === JSON.stringify(marker(size))) return 'reused';
  const orgCount = await one<{ n: number }>(db, sql`select count(*)::int as n from orgs`);
  if ((orgCount?.n ?? 0) > 0) throw new Error('This database already holds data that is not a benchmark community; use an empty one.');

  const started = Date.now();
  const passwordHash = await hashPassword('bench-password-not-used-for-sign-in');
  // One transaction: a build that fails half-way leaves nothing behind.
  await outer.transaction(async (tx) => {
    const db = tx as unknown as Db;
  progress('organisations');
  await db.execute(sql`insert into orgs (name, type) values ('Bench operations center', 'operations-center')`);
  await db.execute(sql`insert into orgs (name, type, state_code, fips)
    select 'Bench state ' || lpad(g::text, 2, '0'), case when g > 51 then 'territory' else 'state' end::org_type, 'S' || g, lpad(g::text, 2, '0')
    from generate_series(0, ${STATES - 1}::int) g`);
  await db.execute(sql`create table if not exists bench_state as select id, (row_number() over (order by name) - 1)::int as n from orgs where type in ('state', 'territory')`);
  await db.execute(sql`insert into orgs (name, type, parent_id, state_code, fips)
    select 'Bench county ' || g, 'local', s.id, 'S' || s.n, lpad(s.n::text, 2, '0') || lpad((g / ${STATES})::text, 3, '0')
    from generate_series(0, ${size.locals - 1}::int) g join bench_state s on s.n = g % ${STATES}`);
  await db.execute(sql`insert into orgs (name, type, private_kind) select 'Bench vendor ' || g, 'private', 'vendor' from generate_series(1, ${size.privates}::int) g`);

  progress('users');
  await db.execute(sql`insert into users (org_id, email, name, role, password_hash)
    select o.id, 'u' || o.n || '-' || k || '@bench.invalid', 'Bench user ' || o.n || '-' || k,
      (case when k = 1 then 'org-admin' when k = 2 then 'analyst' when k = ${size.usersPerOrg} then 'viewer' else 'member' end)::user_role, ${passwordHash}
    from (select id, row_number() over (order by id) as n from orgs) o cross join generate_series(1, ${size.usersPerOrg}::int) k`);

  // Numbered lookup tables so that random picks in the bulletin generator are array subscripts.
  await db.execute(sql`create table bench_lookup as select
      (select id from orgs where type = 'operations-center') as center,
      (select author from (select u.id as author from users u join orgs o on o.id = u.org_id where o.type = 'operations-center' and u.role = 'analyst') a) as center_author,
      (select array_agg(s.id order by s.n) from bench_state s) as states,
      (select array_agg(u.id order by s.n) from bench_state s join users u on u.org_id = s.id and u.role = 'org-admin') as state_authors,
      (select array_agg(o.id order by o.fips) from orgs o where o.type = 'local') as locals,
      (select array_agg(u.id order by o.fips) from orgs o join users u on u.org_id = o.id and u.role = 'org-admin' where o.type = 'local') as local_authors,
      (select array_agg(o.id order by o.name) from orgs o where o.type = 'private') as privates,
      (select array_agg(u.id order by o.name) from orgs o join users u on u.org_id = o.id and u.role = 'org-admin' where o.type = 'private') as private_authors,
      (select array_agg(id) from users) as all_users`);

  const perState = Math.floor(size.locals / STATES);
  const words = sql`array['Phishing wave', 'Power outage', 'E-pollbook update', 'Ransomware indicators', 'Flooding near polling places', 'Results site scanning', 'DDoS warning', 'Voter registration portal', 'Ballot paper shortage', 'Disinformation about polling hours']`;
  for (let start = 0; start < size.bulletins; start += CHUNK) {
    const end = Math.min(size.bulletins, start + CHUNK) - 1;
    progress(`bulletins ${start.toLocaleString('en-US')}–${(end + 1).toLocaleString('en-US')} of ${size.bulletins.toLocaleString('en-US')}`);
    // Owners: 5% operations center, 25% states, 65% local offices, 5% private partners. Labels: 10% CLEAR,
    // 30% GREEN, 40% AMBER, 15% AMBER+STRICT, 5% RED. A state's AMBER goes to two of its local offices and the
    // operations center; a local office's to its state and the operations center; RED to two named users.
    // Local office g belongs to state g mod 56 (locals are ordered by FIPS, which encodes that).
    await db.execute(sql`insert into bulletins (owner_org, author_id, tlp, recipient_orgs, recipient_users, title, body, created_at, updated_at)
      select
        case when x.kind = 0 then l.center when x.kind <= 5 then l.states[x.sn + 1] when x.kind <= 18 then l.locals[x.ln + 1] else l.privates[x.pn + 1] end,
        case when x.kind = 0 then l.center_author when x.kind <= 5 then l.state_authors[x.sn + 1] when x.kind <= 18 then l.local_authors[x.ln + 1] else l.private_authors[x.pn + 1] end,
        x.tlp::tlp,
        case when x.tlp in ('AMBER', 'AMBER+STRICT') then
          case when x.kind = 0 then array[l.states[x.sn + 1]]
               when x.kind <= 5 then array[l.locals[x.sn + ${STATES} * x.k1 + 1], l.locals[x.sn + ${STATES} * x.k2 + 1], l.center]
               when x.kind <= 18 then array[l.states[(x.ln % ${STATES}) + 1], l.center]
               else array[l.states[x.sn + 1], l.center] end
        else '{}'::uuid[] end,
        case when x.tlp = 'RED' then array[l.all_users[x.u1 + 1], l.all_users[x.u2 + 1]] else '{}'::uuid[] end,
        (${words})[x.g % 10 + 1] || ' — bulletin ' || x.g,
        'Bulletin ' || x.g || ' for election offices. ' || (${words})[(x.g / 10) % 10 + 1] || ' reported; check your systems, keep paper backups ready, and report anything unusual to the operations center.',
        now() - x.g * interval '15 seconds',
        now() - x.g * interval '15 seconds'
      from bench_lookup l, (
        select g, g % 20 as kind,
          floor(random() * ${STATES})::int as sn, floor(random() * ${size.locals})::int as ln, floor(random() * ${size.privates})::int as pn,
          floor(random() * ${perState})::int as k1, floor(random() * ${perState})::int as k2,
          floor(random() * (select cardinality(all_users) from bench_lookup))::int as u1,
          floor(random() * (select cardinality(all_users) from bench_lookup))::int as u2,
          case when r < 0.10 then 'CLEAR' when r < 0.40 then 'GREEN' when r < 0.80 then 'AMBER' when r < 0.95 then 'AMBER+STRICT' else 'RED' end as tlp
        from (select g, random() as r from generate_series(${start}::int, ${end}::int) g) s
      ) x`);
  }
    await db.execute(sql`insert into settings (key, value) values ('bench.community', ${JSON.stringify(marker(size))}::jsonb)
      on conflict (key) do update set value = excluded.value`);
  });
  progress('analyze');
  await db.execute(sql`analyze`);
  progress(`community built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 'built';
}

export interface BenchViewer {
  readonly userId: string;
  readonly orgId: string;
  readonly orgType: string;
  readonly stateId: string | null;
  readonly token: string;
}

/**
 * API tokens for `count` members of distinct organisations (local offices first, then states and the rest),
 * stored hashed like real ones.
 */
export async function benchViewers(db: Db, count: number, kind: 'local' | 'any', firstState?: string): Promise<BenchViewer[]> {
  const rows = rowsOf<{ user_id: string; org_id: string; org_type: string; state_id: string | null }>(
    await db.execute(sql`select distinct on (o.id) u.id as user_id, o.id as org_id, o.type::text as org_type,
        case when o.type = 'local' then o.parent_id when o.type in ('state', 'territory') then o.id end as state_id
      from orgs o join users u on u.org_id = o.id and u.role = 'member'
      where ${kind === 'local' ? sql`o.type = 'local'` : sql`true`}
      order by o.id, u.id`),
  );
  // Local offices of `firstState` first (the live-stream benchmark posts to them), then the rest in random-id order.
  const rank = (r: (typeof rows)[number]) => (firstState && r.state_id === firstState ? 0 : r.org_type === 'local' ? 1 : 2);
  rows.sort((a, b) => rank(a) - rank(b) || a.org_id.localeCompare(b.org_id));
  const chosen = rows.slice(0, count);
  const viewers: BenchViewer[] = [];
  const values = chosen.map((r) => {
    const t = newApiToken();
    viewers.push({ userId: r.user_id, orgId: r.org_id, orgType: r.org_type, stateId: r.state_id, token: t.token });
    return sql`(${r.user_id}::uuid, 'bench', ${t.hash}, ${t.prefix}, array['read']::text[])`;
  });
  for (let i = 0; i < values.length; i += 1000) {
    await db.execute(sql`insert into api_tokens (user_id, name, token_hash, prefix, scopes) values ${sql.join(values.slice(i, i + 1000), sql`, `)}`);
  }
  return viewers;
}

/** Removes the tokens earlier benchmark runs made. */
export async function clearBenchTokens(db: Db): Promise<void> {
  await db.execute(sql`delete from api_tokens where name = 'bench'`);
}

/** A state's analyst with a write token, to post the bulletins the live-stream benchmark measures. */
export async function benchAuthor(db: Db, stateIndex: number): Promise<{ token: string; orgId: string; counties: string[] }> {
  const row = await one<{ user_id: string; org_id: string }>(db, sql`select u.id as user_id, s.id as org_id
    from bench_state s join users u on u.org_id = s.id and u.role = 'analyst' where s.n = ${stateIndex}`);
  if (!row) throw new Error('benchmark community has no such state');
  const counties = rowsOf<{ id: string }>(await db.execute(sql`select id from orgs where parent_id = ${row.org_id}::uuid order by fips`)).map((r) => r.id);
  const t = newApiToken();
  await db.execute(sql`insert into api_tokens (user_id, name, token_hash, prefix, scopes) values (${row.user_id}::uuid, 'bench', ${t.hash}, ${t.prefix}, array['read', 'write']::text[])`);
  return { token: t.token, orgId: row.org_id, counties };
}
