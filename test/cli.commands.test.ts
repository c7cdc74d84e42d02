// The `eoc` command as an operator uses it: every command has --help; organisations, users (password on
// stdin) and tokens with --json; the demo; backup and restore; and audit-log verify catching tampering.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { runEoc, runEocIntoHead, type EocRun } from './run-eoc.js';
import { freshDatabase, openTestDatabase, startTestNode, TEST_PASSWORD, type TestDatabase } from './harness.js';
import { rowsOf } from '../src/platform/db/client.js';
import { buildProgram } from '../src/main.js';
import type { Command } from 'commander';

type Run = EocRun;

describe('the eoc command', () => {
  let db: TestDatabase;
  let where: string[];
  let env: NodeJS.ProcessEnv;

  const eoc = (args: string[], input?: string): Promise<Run> => runEoc(args, { env, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    db = await freshDatabase();
    // The same commands on either database: --data-dir (embedded) or DATABASE_URL.
    where = db.url ? [] : ['--data-dir', db.dataDir];
    env = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: db.url ?? '' };
  });
  afterAll(async () => db?.drop());

  it('prints usage for every command and subcommand', async () => {
    // Every command in one process (commander's exit turned into an exception), and one real run.
    const commands = [[], ['start'], ['migrate'], ['orgs'], ['orgs', 'create'], ['orgs', 'list'], ['users'], ['users', 'create'], ['users', 'list'], ['users', 'deactivate'], ['tokens'], ['tokens', 'create'], ['tokens', 'revoke'], ['demo'], ['backup'], ['restore'], ['audit-log'], ['audit-log', 'verify'], ['taxii'], ['taxii', 'collections'], ['taxii', 'collections', 'create'], ['taxii', 'collections', 'list'], ['match'], ['vulns'], ['vulns', 'import'], ['scan']];
    for (const c of commands) {
      const program = buildProgram();
      let out = '';
      const quiet = (cmd: Command): void => {
        cmd.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
        cmd.commands.forEach(quiet);
      };
      quiet(program);
      const error = await program.parseAsync(['node', 'eoc', ...c, '--help']).then(() => null, (e: unknown) => e as { code?: string; exitCode?: number });
      expect(error?.exitCode, c.join(' ')).toBe(0);
      expect(out, c.join(' ')).toMatch(/^Usage: eoc/m);
      expect(out).toMatch(/Options:/);
    }
    const real = await eoc(['users', 'create', '--help']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('--password-stdin');
  });

  // Thirteen runs of the command, each opening the embedded database anew: a minute or more on a busy machine.
  it('creates organisations, users and tokens with --json, and the token works against a server', { timeout: 180_000 }, async () => {
    const migrated = await eoc(['migrate', ...where]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const state = await eoc(['orgs', 'create', '--name', 'Texas Secretary of State', '--type', 'state', '--json', ...where]);
    expect(state.code, state.stderr).toBe(0);
    const stateId = JSON.parse(state.stdout).id as string;
    const county = await eoc(['orgs', 'create', '--name', 'Travis County Clerk', '--type', 'local', '--parent', stateId, '--json', ...where]);
    expect(county.code, county.stderr).toBe(0);
    const countyId = JSON.parse(county.stdout).id as string;
    const user = await eoc(['users', 'create', '--org', countyId, '--email', 'clerk@travis.example.gov', '--role', 'member', '--password-stdin', '--json', ...where], `${TEST_PASSWORD}\n`);
    expect(user.code, user.stderr).toBe(0);
    expect(JSON.parse(user.stdout).id).toMatch(/^[0-9a-f-]{36}$/);
    const weak = await eoc(['users', 'create', '--org', countyId, '--email', 'weak@travis.example.gov', '--role', 'member', '--password-stdin', '--json', ...where], 'password1234\n');
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/commonly used/);
    const token = await eoc(['tokens', 'create', '--user', 'clerk@travis.example.gov', '--expires', '30', '--json', ...where]);
    expect(token.code, token.stderr).toBe(0);
    const secret = JSON.parse(token.stdout).token as string;
    expect(secret).toMatch(/^eoc_/);
    // A TAXII collection the county reads and the state writes; the token reads it over TAXII (below).
    const collection = await eoc(['taxii', 'collections', 'create', '--title', 'Texas election threats', '--readers', `${stateId},${countyId}`, '--writers', stateId, '--json', ...where]);
    expect(collection.code, collection.stderr).toBe(0);
    const collectionId = JSON.parse(collection.stdout).id as string;
    expect(collectionId).toMatch(/^[0-9a-f-]{36}$/);
    const everyone = await eoc(['taxii', 'collections', 'create', '--title', 'Open feed', '--readers', 'all', '--json', ...where]);
    expect(everyone.code, everyone.stderr).toBe(0);
    const badReaders = await eoc(['taxii', 'collections', 'create', '--title', 'X', '--readers', 'some,orgs', ...where]);
    expect(badReaders.code).not.toBe(0);
    expect(badReaders.stderr).toMatch(/is not an organisation id/);
    const listed = await eoc(['taxii', 'collections', 'list', ...where]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${collectionId}  Texas election threats  readers: 2 organisations  writers: 1 organisation  default AMBER  0 objects added`);
    const listedJson = JSON.parse((await eoc(['taxii', 'collections', 'list', '--json', ...where])).stdout) as Array<{ id: string; readers: string[]; objectsAdded: number; lastAddedAt: string | null }>;
    const texas = listedJson.find((c) => c.id === collectionId)!;
    expect([...texas.readers].sort()).toEqual([stateId, countyId].sort());
    expect(texas).toMatchObject({ writers: [stateId], objectsAdded: 0, lastAddedAt: null });
    // Bad input: a clear message, no stack trace.
    const bad = await eoc(['orgs', 'create', '--name', 'X', '--type', 'nonsense', ...where]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/type/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const node = await startTestNode({ database: db, listen: true, workers: false });
    try {
      const res = await fetch(`${node.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { email: string } }).user.email).toBe('clerk@travis.example.gov');
      const taxii = await fetch(`${node.url}/taxii2/api/collections/${collectionId}/`, { headers: { authorization: `Basic ${Buffer.from(`clerk:${secret}`).toString('base64')}`, accept: 'application/taxii+json;version=2.1' } });
      expect(taxii.status).toBe(200);
      expect(await taxii.json()).toMatchObject({ id: collectionId, title: 'Texas election threats', can_read: true, can_write: false });
      // While the embedded server runs, the command refuses to open its data folder.
      if (!db.url) {
        const busy = await eoc(['users', 'list', '--org', countyId, ...where]);
        expect(busy.code).not.toBe(0);
        expect(busy.stderr).toMatch(/in use by process/);
      }
    } finally {
      await node.close();
    }
    const deactivate = await eoc(['users', 'deactivate', 'clerk@travis.example.gov', ...where]);
    expect(deactivate.code, deactivate.stderr).toBe(0);
    const node2 = await startTestNode({ database: db, listen: true, workers: false });
    try {
      expect((await fetch(`${node2.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    } finally {
      await node2.close();
    }
  });

  it('verifies the audit log and names the first row that was altered', async () => {
    const ok = await eoc(['audit-log', 'verify', '--json', ...where]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true });
    const database = await openTestDatabase(db);
    let target: number;
    try {
      const rows = rowsOf<{ seq: number }>(await database.db.execute(sql`select seq from audit_log order by seq`));
      expect(rows.length).toBeGreaterThan(3);
      target = Number(rows[2]!.seq);
      await database.db.execute(sql`update audit_log set details = '{"forged": true}'::jsonb where seq = ${target}`);
    } finally {
      await database.close();
    }
    const bad = await eoc(['audit-log', 'verify', '--json', ...where]);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, firstBadSeq: target });
  });

  it('backs up and restores into an empty installation', async () => {
    const file = path.join(os.tmpdir(), `eoc-backup-${process.pid}-${Date.now()}.jsonl.gz`);
    const backup = await eoc(['backup', file, ...where]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(100);
    const target = await freshDatabase();
    try {
      const targetWhere = target.url ? [] : ['--data-dir', target.dataDir];
      const saved = env;
      env = { ...env, DATABASE_URL: target.url ?? '' };
      try {
        expect((await eoc(['restore', file, ...targetWhere])).code).not.toBe(0); // needs --yes
        const restored = await eoc(['restore', file, '--yes', ...targetWhere]);
        expect(restored.code, restored.stderr).toBe(0);
        const list = await eoc(['orgs', 'list', '--json', ...targetWhere]);
        expect(JSON.parse(list.stdout).items.map((o: { name: string }) => o.name).sort()).toEqual(['Texas Secretary of State', 'Travis County Clerk']);
      } finally {
        env = saved;
      }
    } finally {
      await target.drop();
      fs.rmSync(file, { force: true });
    }
  });

  it('loads the demo community: every state and territory with real counties, and prints sign-ins', async () => {
    const demoDb = await freshDatabase();
    try {
      const saved = env;
      env = { ...env, DATABASE_URL: demoDb.url ?? '' };
      try {
        const r = await eoc(['demo', ...(demoDb.url ? [] : ['--data-dir', demoDb.dataDir])]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/Demo community loaded: \d+ organisations/);
        expect(r.stdout).toContain('admin@eoc.demo');
        expect(r.stdout).toContain('clerk@fulton-county.ga.demo');
        // Its thousands of organisations, piped into a reader that stops after the first line's worth: the
        // command ends quietly, as `eoc orgs list --json | head -c 100` should.
        const head = await runEocIntoHead(['orgs', 'list', '--json', ...(demoDb.url ? [] : ['--data-dir', demoDb.dataDir])], 100, { env });
        expect(head.read).toMatch(/^\{"items":\[\{"id":/);
        expect(head.stderr).toBe('');
        expect(head.code).toBe(0);
      } finally {
        env = saved;
      }
      const database = await openTestDatabase(demoDb);
      try {
        const [row] = rowsOf<{ states: number; locals: number; bad: number; elections: number; incidents: number; open: number; escalated: number }>(
          await database.db.execute(sql`select
            (select count(*)::int from orgs where type in ('state', 'territory')) as states,
            (select count(*)::int from orgs where type = 'local') as locals,
            (select count(*)::int from orgs c join orgs s on s.id = c.parent_id where c.type = 'local' and left(c.fips, 2) <> s.fips) as bad,
            (select count(*)::int from elections) as elections,
            (select count(*)::int from incidents) as incidents,
            (select count(*)::int from incidents where status not in ('resolved', 'closed')) as open,
            (select count(*)::int from incidents where escalation_level = 'federal') as escalated`),
        );
        expect(row).toMatchObject({ states: 56, bad: 0, elections: 4, incidents: 6, open: 5, escalated: 1 });
        expect(row!.locals).toBeGreaterThan(200);
      } finally {
        await database.close();
      }
    } finally {
      await demoDb.drop();
    }
  });
});
