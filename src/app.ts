// Assembles one node: database, migrations, event relay and live hub, workers, HTTP server with every
// domain's routes. The same assembly serves `eoc start`, the tests and the benchmarks.
import pino, { type Logger } from 'pino';
import { sql } from 'drizzle-orm';
import type { Config } from './config.js';
import { migrate, openDatabase, type Database } from './platform/db/client.js';
import type { AppContext } from './platform/context.js';
import { OutboxRelay } from './platform/events/relay.js';
import { localSignals, natsSignals, type EventSignals } from './platform/events/signals.js';
import { LiveHub } from './platform/events/hub.js';
import { sseRoutes } from './platform/events/sse-routes.js';
import { createMailer } from './platform/mail/mailer.js';
import { JobKicker } from './platform/jobs/kicker.js';
import { ChangeFeed } from './platform/cache/change-feed.js';
import { createServer, type App } from './platform/http/server.js';
import { authPlugin, actorOf } from './access/auth-plugin.js';
import { candidateReaders, readableBy } from './access/policy.js';
import { outbox } from './platform/events/schema.js';
import { registerDomains, startWorkers } from './domains.js';
import { AuditChainer } from './audit/service.js';
import { EmbeddedVacuum } from './platform/db/embedded-vacuum.js';

export const VERSION = '0.1.0';

export interface Node {
  readonly ctx: AppContext;
  readonly app: App | null;
  readonly hub: LiveHub | null;
  close(): Promise<void>;
}

export interface NodeOptions {
  /** Serve HTTP (api/all roles). */
  readonly http?: boolean;
  /** Run the background workers (worker/all roles). */
  readonly workers?: boolean;
  /** Run hygiene scans (scanner/all roles); by default wherever the workers run. */
  readonly scanner?: boolean;
  readonly database?: Database;
  readonly logger?: Logger;
  /** Prefix for NATS subjects, so parallel test runs on one server do not hear each other. */
  readonly natsPrefix?: string;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { node: config.nodeId }, redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'] });
}

export async function createContext(config: Config, options: NodeOptions = {}): Promise<AppContext> {
  const log = options.logger ?? createLogger(config);
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(database);
  const signals: EventSignals = config.natsUrl ? await natsSignals(config.natsUrl, log, options.natsPrefix ?? '') : localSignals();
  const relay = new OutboxRelay(database.db, signals, log);
  const mailer = createMailer(config.smtpUrl, config.mailFrom, log);
  return { config, database, db: database.db, log, signals, relay, mailer, jobs: new JobKicker(), changes: new ChangeFeed(database) };
}

export async function startNode(config: Config, options: NodeOptions = {}): Promise<Node> {
  const ctx = await createContext(config, options);
  ctx.relay.start();
  const chainer = new AuditChainer(ctx.db, ctx.log);
  chainer.start();
  const vacuum = ctx.database.kind === 'embedded' ? new EmbeddedVacuum(ctx.db, ctx.log, ctx.database.carriedDeadRows) : null;
  vacuum?.start();
  let app: App | null = null;
  let hub: LiveHub | null = null;
  const stopWorkers = startWorkers(ctx, { general: options.workers !== false, scanner: options.scanner ?? options.workers !== false });
  if (options.http !== false) {
    if (config.readCache) await ctx.changes.start();
    hub = new LiveHub(ctx.db, ctx.signals, (viewer) => readableBy(outbox, viewer), candidateReaders, ctx.log);
    await hub.start();
    app = await createServer({ config, log: ctx.log });
    await app.register(authPlugin, { db: ctx.db, changes: ctx.changes });
    app.get('/api/health', { schema: { tags: ['operations'], summary: 'Liveness and readiness' } }, async (_request, reply) => {
      try {
        await ctx.db.execute(sql`select 1`);
        return { status: 'ok', version: VERSION, database: ctx.database.kind, events: ctx.signals.kind, node: config.nodeId, role: config.role };
      } catch {
        return reply.status(503).type('application/problem+json').send({ type: 'https://election-ops-center.org/problems/unavailable', title: 'Service unavailable', status: 503, code: 'unavailable', detail: 'The database does not answer.' });
      }
    });
    app.get('/api/openapi.json', { schema: { hide: true } }, async () => app!.swagger());
    sseRoutes(app, hub, actorOf);
    registerDomains(app, ctx);
    await app.ready();
  }
  const liveHub = hub;
  const server = app;
  return {
    ctx,
    app,
    hub,
    async close() {
      await liveHub?.stop();
      await server?.close();
      await ctx.changes.close();
      await stopWorkers();
      await ctx.relay.stop();
      await chainer.stop();
      await vacuum?.stop();
      await ctx.signals.close();
      ctx.mailer.close();
      if (!options.database) await ctx.database.close();
    },
  };
}
