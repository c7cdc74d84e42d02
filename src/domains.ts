// The list of domains, in one place and explicitly: each contributes routes and, optionally, workers.
import type { App } from './platform/http/server.js';
import type { AppContext } from './platform/context.js';
import { JobWorker } from './platform/jobs/queue.js';
import { acceptRawFiles } from './platform/files/raw-body.js';
import { accessRoutes } from './access/routes.js';
import { advisoryRoutes } from './advisories/routes.js';
import { assetRoutes } from './assets/routes.js';
import { auditRoutes } from './audit/routes.js';
import { bulletinRoutes } from './bulletins/routes.js';
import { electionRoutes } from './elections/routes.js';
import { incidentRoutes } from './incidents/routes.js';
import { intelRoutes } from './intel/routes.js';
import { taxiiRoutes } from './intel/taxii/taxii-routes.js';
import { FeedPoller } from './intel/feeds-service.js';
import { victimMatchHandler } from './assets/victims-service.js';
import { notificationRoutes } from './notifications/routes.js';
import { NotificationConsumer } from './notifications/consumer.js';
import { emailHandler, webhookHandler } from './notifications/delivery.js';
import { vulnRoutes } from './vulns/routes.js';
import { logScanRoutes } from './logscans/routes.js';
import { scanningRoutes } from './scanning/routes.js';
import { monitoringRoutes } from './monitoring/routes.js';
import { rlaRoutes } from './rla/routes.js';
import { MonitorRunner } from './monitoring/runner.js';
import { ScanScheduler, scanJobHandler } from './scanning/service.js';
import { assetVulnMatchHandler, stixVulnerabilityHandler, vulnMatchHandler } from './vulns/service.js';

/** One job kind served by several domains' handlers, one after the other. */
const inTurn = (...handlers: Array<(payload: unknown) => Promise<void>>) => async (payload: unknown) => {
  for (const h of handlers) await h(payload);
};

export function registerDomains(app: App, ctx: AppContext): void {
  acceptRawFiles(app, ctx.config.attachmentLimitBytes);
  accessRoutes(app, ctx, ctx.config.authRateLimit);
  advisoryRoutes(app, ctx);
  assetRoutes(app, ctx);
  auditRoutes(app, ctx);
  bulletinRoutes(app, ctx);
  electionRoutes(app, ctx);
  incidentRoutes(app, ctx);
  intelRoutes(app, ctx);
  logScanRoutes(app, ctx);
  scanningRoutes(app, ctx);
  monitoringRoutes(app, ctx);
  rlaRoutes(app, ctx);
  taxiiRoutes(app, ctx);
  notificationRoutes(app, ctx);
  vulnRoutes(app, ctx);
}

/** Starts the background workers of this node's roles (general jobs, hygiene scans); returns a function that stops them. */
export function startWorkers(ctx: AppContext, roles: { general: boolean; scanner: boolean }): () => Promise<void> {
  const stops: Array<() => Promise<void> | void> = [];
  if (roles.general) {
    const worker = new JobWorker({
      db: ctx.db,
      log: ctx.log,
      workerId: ctx.config.nodeId,
      handlers: { 'notification.email': emailHandler(ctx), 'webhook.deliver': webhookHandler(ctx), 'victims.match': inTurn(victimMatchHandler(ctx), stixVulnerabilityHandler(ctx)), 'vulns.match': vulnMatchHandler(ctx), 'vulns.match-assets': assetVulnMatchHandler(ctx) },
    });
    const unkick = ctx.jobs.onKick(() => worker.kick());
    const notifications = new NotificationConsumer(ctx.db, ctx.signals, ctx.log, () => ctx.jobs.kick());
    const feeds = new FeedPoller(ctx, ctx.log);
    worker.start();
    notifications.start();
    feeds.start();
    stops.push(unkick, () => feeds.stop(), () => notifications.stop(), () => worker.stop());
  }
  if (roles.scanner) {
    // Scans take seconds to minutes each: their own worker, so they never hold up notifications.
    const scanner = new JobWorker({ db: ctx.db, log: ctx.log, workerId: `${ctx.config.nodeId}-scanner`, handlers: { 'scan.run': scanJobHandler(ctx) }, concurrency: 2, leaseMs: 15 * 60_000 });
    const unkick = ctx.jobs.onKick(() => scanner.kick());
    const schedule = new ScanScheduler(ctx);
    // Monitors of public election services run beside the scans, on one scanner node at a time.
    const monitorRunner = new MonitorRunner(ctx);
    scanner.start();
    schedule.start();
    void monitorRunner.start().catch((error: unknown) => ctx.log.error({ err: error }, 'monitors did not start'));
    stops.push(unkick, () => schedule.stop(), () => scanner.stop(), () => monitorRunner.stop());
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}
