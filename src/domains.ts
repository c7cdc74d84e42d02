// The list of domains, in one place and explicitly: each contributes routes and, optionally, workers.
import type { App } from './platform/http/server.js';
import type { AppContext } from './platform/context.js';
import { accessRoutes } from './access/routes.js';
import { auditRoutes } from './audit/routes.js';
import { bulletinRoutes } from './bulletins/routes.js';

export function registerDomains(app: App, ctx: AppContext): void {
  accessRoutes(app, ctx, ctx.config.authRateLimit);
  auditRoutes(app, ctx);
  bulletinRoutes(app, ctx);
}

/** Starts every background worker; returns a function that stops them. */
export function startWorkers(ctx: AppContext): () => Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  void ctx;
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
