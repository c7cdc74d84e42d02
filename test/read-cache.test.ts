// The read caches of an API node: inbox pages, unread counts and signed-in identities are served from memory,
// and never after the database has changed them — whether the change came through this node's API or from
// another process (another node, the eoc command, psql), which here writes straight to the database.
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, freshDatabase, seedOrg, seedUser, startTestNode, tokenFor, type TestDatabase, type TestNode } from './harness.js';
import { rowsOf } from '../src/platform/db/client.js';

async function until(what: string, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('read caches', () => {
  let database: TestDatabase;
  let node: TestNode;
  let outside: { query(text: string, values?: unknown[]): Promise<unknown> };
  let closeOutside: () => Promise<void>;
  let state: { id: string };
  let county: { id: string };
  let countyUser: { id: string };
  let countyToken: string;
  let stateToken: string;

  /** Lookups of one cache so far, from /metrics as a monitoring system reads them. */
  async function lookups(cache: string): Promise<{ hit: number; miss: number }> {
    const text = (await client(node).get('/metrics')).body;
    const count = (result: string) => Number(new RegExp(`^eoc_read_cache_lookups_total\\{cache="${cache}",result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { hit: count('hit'), miss: count('miss') };
  }

  /**
   * Makes `request` until one is answered from `cache`, and returns how many it took. A node that stops hearing
   * the database for a moment (its heartbeat late on a busy machine) drops everything cached, so one miss in a
   * row proves nothing; five are a cache that does not work.
   */
  async function untilServedFromMemory(cache: string, request: () => Promise<unknown>, tries = 5): Promise<number> {
    for (let i = 1; i <= tries; i += 1) {
      const before = await lookups(cache);
      await request();
      if ((await lookups(cache)).hit > before.hit) return i;
    }
    throw new Error(`${tries} requests in a row and none served from the ${cache} cache`);
  }

  beforeAll(async () => {
    database = await freshDatabase();
    node = await startTestNode({ database, workers: false });
    if (database.url) {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      outside = c;
      closeOutside = () => c.end();
    } else {
      // The embedded database belongs to one process: the closest thing to an outside writer is a query that
      // bypasses the API.
      outside = { query: (text: string, values: unknown[] = []) => node.ctx.database.db.execute(sql.raw(text.replace(/\$(\d+)/g, (_m, i: string) => `'${String(values[Number(i) - 1]).replace(/'/g, "''")}'`))) };
      closeOutside = async () => undefined;
    }
    state = await seedOrg(node.ctx, 'Ohio Secretary of State', 'state', undefined, { fips: '39', stateCode: 'OH' });
    county = await seedOrg(node.ctx, 'Franklin County Board of Elections', 'local', state.id, { fips: '39049' });
    countyUser = await seedUser(node.ctx, county.id, 'member');
    countyToken = await tokenFor(node.ctx, countyUser.id);
    stateToken = await tokenFor(node.ctx, (await seedUser(node.ctx, state.id, 'member')).id);
    // The organisations, users and tokens were written beside the API: let the node hear of them first, or that
    // news, arriving late on a busy machine, would empty the caches between two requests of the first test.
    await node.ctx.changes.sync();
  });
  afterAll(async () => {
    await closeOutside?.();
    await node?.close();
    await database?.drop();
  });

  it('serves a repeated inbox page from memory and shows a bulletin sent through the API at once', async () => {
    const inbox = client(node, countyToken);
    const first = await inbox.get('/api/v1/bulletins?limit=10');
    expect(first.statusCode).toBe(200);
    await untilServedFromMemory('bulletin-pages', async () => {
      const again = await inbox.get('/api/v1/bulletins?limit=10');
      expect(again.body).toBe(first.body);
      expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    });

    const sent = await client(node, stateToken).post('/api/v1/bulletins', { title: 'Early voting hours', body: 'Extended to 8 pm.', tlp: 'GREEN' });
    expect(sent.statusCode).toBe(201);
    const next = await inbox.get('/api/v1/bulletins?limit=10');
    expect(next.json().items.map((i: { id: string }) => i.id)).toContain(sent.json().id);
    expect((await inbox.get('/api/v1/bulletins/unread-count')).json()).toEqual({ unread: 1, capped: false });
    // Reading it changes this user's count and page at once.
    expect((await inbox.put(`/api/v1/bulletins/${sent.json().id}/read`)).statusCode).toBe(204);
    expect((await inbox.get('/api/v1/bulletins/unread-count')).json()).toEqual({ unread: 0, capped: false });
    expect((await inbox.get('/api/v1/bulletins?limit=10')).json().items[0]).toMatchObject({ id: sent.json().id, read: true });
  });

  it('drops cached pages when another process changes the bulletins in the database', async () => {
    const inbox = client(node, countyToken);
    const page = (await inbox.get('/api/v1/bulletins?limit=10')).json();
    const id = page.items[0].id as string;
    await inbox.get('/api/v1/bulletins?limit=10'); // cached now
    await outside.query('update bulletins set title = $1 where id = $2', ['Early voting hours (corrected)', id]);
    await until('the corrected title', async () => (await inbox.get('/api/v1/bulletins?limit=10')).json().items[0].title === 'Early voting hours (corrected)');
    // Taking the county out of the sharing hides it, even from a page served a moment before.
    await outside.query(`update bulletins set tlp = 'AMBER', recipient_orgs = '{}' where id = $1`, [id]);
    await until('the bulletin to disappear', async () => !(await inbox.get('/api/v1/bulletins?limit=10')).json().items.some((i: { id: string }) => i.id === id));
    expect((await inbox.get(`/api/v1/bulletins/${id}`)).statusCode).toBe(404);
  });

  it('a token revoked or a user deactivated by another process stops working', async () => {
    const user = await seedUser(node.ctx, county.id, 'member');
    const token = await tokenFor(node.ctx, user.id);
    // The user was written beside the API: let the node hear of it first, or that news would empty the cache
    // between the two requests below.
    await node.ctx.changes.sync();
    const api = client(node, token);
    expect((await api.get('/api/v1/bulletins/unread-count')).statusCode).toBe(200);
    await untilServedFromMemory('api-tokens', async () => expect((await api.get('/api/v1/bulletins/unread-count')).statusCode).toBe(200));
    await outside.query('update api_tokens set revoked_at = now() where user_id = $1', [user.id]);
    await until('the revoked token to be refused', async () => (await api.get('/api/v1/bulletins/unread-count')).statusCode === 401);

    const second = await tokenFor(node.ctx, user.id);
    expect((await client(node, second).get('/api/v1/bulletins/unread-count')).statusCode).toBe(200);
    await outside.query('update users set active = false where id = $1', [user.id]);
    await until('the deactivated user to be refused', async () => (await client(node, second).get('/api/v1/bulletins/unread-count')).statusCode === 401);
  });

  it('a page with AMBER+STRICT bulletins is written to the audit log each time it is served, cached or not', async () => {
    const strict = await client(node, stateToken).post('/api/v1/bulletins', { title: 'Credential reset list', body: 'Names inside.', tlp: 'AMBER+STRICT', recipients: { orgs: [county.id], users: [] } });
    expect(strict.statusCode).toBe(201);
    const countRows = async () => rowsOf<{ n: number }>(await node.ctx.db.execute(sql`select count(*)::int as n from audit_log where action = 'bulletin.read-restricted' and actor_user_id = ${countyUser.id}::uuid`))[0]!.n;
    const start = await countRows();
    const inbox = client(node, countyToken);
    // Served from the database, then from memory: each time is written.
    const page = async () => expect((await inbox.get('/api/v1/bulletins?limit=5')).json().items[0].id).toBe(strict.json().id);
    await page();
    const served = 1 + (await untilServedFromMemory('bulletin-pages', page));
    expect(await countRows()).toBe(start + served);
    const [row] = rowsOf<{ org_ids: string[]; details: { ids: string[]; via: string } }>(await node.ctx.db.execute(sql`select org_ids, details from audit_log where action = 'bulletin.read-restricted' order by id desc limit 1`));
    expect(row!.details).toEqual({ ids: [strict.json().id], via: 'list' });
    // The owner's administrators see who read their restricted bulletin.
    expect(row!.org_ids).toEqual(expect.arrayContaining([county.id, state.id]));
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))('stops serving from memory when its listening connection is cut, and listens again', async () => {
    const inbox = client(node, countyToken);
    await inbox.get('/api/v1/bulletins?limit=3');
    await inbox.get('/api/v1/bulletins?limit=3');
    await outside.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'eoc-listen' and datname = current_database()`);
    await until('the node to notice', async () => !node.ctx.changes.connected);
    const sent = await client(node, stateToken).post('/api/v1/bulletins', { title: 'Power restored', body: 'All sites open.', tlp: 'GREEN' });
    expect((await inbox.get('/api/v1/bulletins?limit=3')).json().items[0].id).toBe(sent.json().id);
    await until('listening again', async () => node.ctx.changes.connected, 10_000);
    await outside.query('update bulletins set title = $1 where id = $2', ['Power restored everywhere', sent.json().id]);
    await until('the change after reconnecting', async () => (await inbox.get('/api/v1/bulletins?limit=3')).json().items[0].title === 'Power restored everywhere');
  });
});
