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
  taxiiRoutes(app, ctx);
  notificationRoutes(app, ctx);
  vulnRoutes(app, ctx);
}

/** Starts every background worker (worker and all roles); returns a function that stops them. */
export function startWorkers(ctx: AppContext): () => Promise<void> {
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
  return async () => {
    unkick();
    await feeds.stop();
    await notifications.stop();
    await worker.stop();
  };
}
