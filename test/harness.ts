// Test harness: starts a real node (HTTP server, relay, live hub) on a fresh database — embedded PGlite in a
// temporary folder, or, when TEST_DATABASE_URL is set, a new PostgreSQL database made for this test file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../src/config.js';
import { startNode, type Node } from '../src/app.js';
import { openDatabase, type Database } from '../src/platform/db/client.js';
import { SYSTEM } from '../src/access/actor.js';
import { createOrg } from '../src/access/orgs-service.js';
import { insertUser } from '../src/access/users-service.js';
import { createToken } from '../src/access/tokens-service.js';
import type { OrgType, UserRole } from '../src/access/schema.js';
import type { AppContext } from '../src/platform/context.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple-42';

export interface TestDatabase {
  readonly url?: string;
  readonly dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-test-'));
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const template = process.env.EOC_TEST_TEMPLATE;
    if (template) fs.cpSync(path.join(template, 'pg'), path.join(dataDir, 'pg'), { recursive: true });
    return { dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `eoc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestNode {
  readonly node: Node;
  readonly ctx: AppContext;
  readonly config: Config;
  /** Base URL when listening (listen: true). */
  readonly url: string;
  close(): Promise<void>;
}

export interface TestNodeOptions {
  readonly database?: TestDatabase;
  /** Share an open database between nodes of one test (embedded mode cannot be opened twice). */
  readonly sharedDatabase?: Database;
  readonly listen?: boolean;
  readonly nats?: boolean;
  readonly natsPrefix?: string;
  readonly env?: Record<string, string>;
  readonly workers?: boolean;
}

export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  const owned = options.database ? null : await freshDatabase();
  const db = options.database ?? owned!;
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EOC_AUTH_RATE_LIMIT: '100000',
    ...(options.nats ? { NATS_URL: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' } : {}),
    ...options.env,
  };
  const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir: db.dataDir, ...(db.url ? { databaseUrl: db.url } : {}) }, env);
  const node = await startNode(config, {
    logger: pino({ level: config.logLevel }),
    ...(options.sharedDatabase ? { database: options.sharedDatabase } : {}),
    ...(options.natsPrefix ? { natsPrefix: options.natsPrefix } : {}),
    ...(options.workers === false ? { workers: false } : {}),
  });
  let url = '';
  if (options.listen && node.app) {
    await node.app.listen({ port: 0, host: '127.0.0.1' });
    const address = node.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  return {
    node,
    ctx: node.ctx,
    config,
    url,
    async close() {
      await node.close();
      if (owned) await owned.drop();
    },
  };
}

export async function openTestDatabase(db: TestDatabase): Promise<Database> {
  return openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
}

export async function seedOrg(ctx: AppContext, name: string, type: OrgType, parentId?: string, extra: { fips?: string; stateCode?: string } = {}) {
  return createOrg(ctx, SYSTEM, { name, type, parentId: parentId ?? null, privateKind: type === 'private' ? 'vendor' : null, fips: extra.fips ?? null, stateCode: extra.stateCode ?? null });
}

let emailCounter = 0;
export async function seedUser(ctx: AppContext, orgId: string, role: UserRole = 'member', opts: { email?: string; systemAdmin?: boolean; password?: string } = {}) {
  emailCounter += 1;
  const email = opts.email ?? `user${emailCounter}-${randomBytes(3).toString('hex')}@example.gov`;
  return ctx.db.transaction((tx) => insertUser(tx, SYSTEM, { orgId, email, role, password: opts.password ?? TEST_PASSWORD, ...(opts.systemAdmin ? { systemAdmin: true } : {}) }));
}

export async function tokenFor(ctx: AppContext, userId: string, scopes: Array<'read' | 'write' | 'admin'> = ['read', 'write']): Promise<string> {
  const t = await createToken(ctx, SYSTEM, { userId, name: 'test', scopes });
  return t.token;
}

export type GeorgiaOrg = 'center' | 'ga' | 'fulton' | 'cobb';

/**
 * The community most sharing tests need: an operations center, Georgia, and two of its counties (Fulton and
 * Cobb), with a user and an API token for each person named (`name: [organisation, role]`); organisation
 * administrators' tokens carry the admin scope.
 */
export async function seedGeorgia(ctx: AppContext, people: Record<string, readonly [GeorgiaOrg, UserRole]>) {
  const center = await seedOrg(ctx, 'Operations Center', 'operations-center');
  const ga = await seedOrg(ctx, 'Georgia', 'state');
  const org: Record<GeorgiaOrg, { id: string }> = {
    center,
    ga,
    fulton: await seedOrg(ctx, 'Fulton County Elections', 'local', ga.id),
    cobb: await seedOrg(ctx, 'Cobb County Elections', 'local', ga.id),
  };
  const tok: Record<string, string> = {};
  for (const [name, [o, role]] of Object.entries(people)) {
    tok[name] = await tokenFor(ctx, (await seedUser(ctx, org[o].id, role)).id, role === 'org-admin' ? ['read', 'write', 'admin'] : ['read', 'write']);
  }
  return { org, tok };
}

/** A STIX 2.1 indicator with one pattern and one marking, as a producer shares it. */
export const stixIndicator = (pattern: string, marking: string, name: string) => ({
  type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}`, created: '2026-11-01T00:00:00.000Z', modified: '2026-11-01T00:00:00.000Z',
  name, pattern, pattern_type: 'stix', valid_from: '2026-11-01T00:00:00Z', object_marking_refs: [marking],
});

/** Thin JSON client over app.inject, as an outside client would call the API. */
export function client(node: TestNode, token?: string) {
  const app = node.node.app!;
  const headers = (extra: Record<string, string> = {}) => ({ ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra });
  return {
    get: (url: string, extra?: Record<string, string>) => app.inject({ method: 'GET', url, headers: headers(extra) }),
    post: (url: string, body?: unknown, extra?: Record<string, string>) => app.inject({ method: 'POST', url, headers: headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra }), payload: body === undefined ? undefined : JSON.stringify(body) }),
    put: (url: string, body?: unknown, extra?: Record<string, string>) => app.inject({ method: 'PUT', url, headers: headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra }), payload: body === undefined ? undefined : JSON.stringify(body) }),
    patch: (url: string, body?: unknown, extra?: Record<string, string>) => app.inject({ method: 'PATCH', url, headers: headers({ 'content-type': 'application/json', ...extra }), payload: JSON.stringify(body) }),
    delete: (url: string, extra?: Record<string, string>) => app.inject({ method: 'DELETE', url, headers: headers(extra) }),
  };
}

/** Polls `fn` until it returns something truthy (and returns that), or fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
