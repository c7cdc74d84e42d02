// HTTP routes of election-day monitoring: monitors (create, list with counts, one with its status and
// outages, history, change, delete) and an office's public status page.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { IdParams } from '../platform/http/schemas.js';
import { escapeHtml } from '../platform/text/html.js';
import { actorOf } from '../access/auth-plugin.js';
import { DNS_RECORD_TYPES, MONITOR_KINDS } from './probes.js';
import { createMonitor, deleteMonitor, getMonitor, listMonitors, monitorHistory, presentMonitor, publicStatus, updateMonitor, type MonitorInput } from './service.js';
import type { MaintenanceWindow } from './schema.js';

const tags = ['Monitoring'];

const esc = escapeHtml;
const WORDS: Record<string, [string, string]> = { up: ['Working normally', '#00a91c'], degraded: ['Slow or partly working', '#e5a000'], down: ['Not available', '#b50909'], pending: ['Being checked', '#71767a'] };

/** An office's public status page as HTML: only the services it chose, their status, and when it last changed. */
function statusHtml(page: Awaited<ReturnType<typeof publicStatus>> | null): string {
  const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="60">';
  const style = '<style>body{font-family:"Source Sans Pro",Helvetica,Arial,sans-serif;margin:0;color:#1b1b1b}main{max-width:720px;margin:0 auto;padding:24px}li{list-style:none;border:1px solid #dfe1e2;border-left:8px solid;padding:12px;margin:8px 0}.s{font-weight:700}.skip{position:absolute;left:-999em}.skip:focus{left:8px}</style>';
  if (!page) return `${head}<title>Status page not found</title>${style}</head><body><a class="skip" href="#main">Skip to the status</a><main id="main"><h1>No status page here</h1><p>This office has not published a status page.</p></main></body></html>`;
  const items = page.services.map((s) => {
    const [word, color] = WORDS[s.status] ?? WORDS.pending!;
    return `<li style="border-left-color:${color}"><strong>${esc(s.name)}</strong><br><span class="s">${word}</span>${s.since ? ` since ${esc(new Date(s.since).toUTCString().slice(5, 22))} UTC` : ''}</li>`;
  }).join('');
  return `${head}<title>Status of ${esc(page.office)}'s services</title>${style}</head><body><a class="skip" href="#main">Skip to the status</a><main id="main"><h1>${esc(page.office)}: status of our online services</h1><ul>${items}</ul><p>This page updates every minute.</p></main></body></html>`;
}
const Window = Type.Object({ start: Type.String({ format: 'date-time' }), end: Type.String({ format: 'date-time' }), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export function monitoringRoutes(app: App, ctx: AppContext): void {
  app.post('/api/v1/monitors', {
    schema: {
      tags,
      summary: "Watch a public service of the office: an HTTP(S) page, a TLS certificate, DNS records or a TCP port (the office's approved targets only)",
      body: Type.Object({
        kind: Type.Union(MONITOR_KINDS.map((k) => Type.Literal(k))),
        target: Type.String({ minLength: 1, maxLength: 2000, description: 'http: a URL; tls: host[:port]; dns: a domain name; tcp: host:port' }),
        intervalSeconds: Type.Integer({ minimum: 10, maximum: 86_400 }),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
        failuresBeforeDown: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'failed checks in a row before down (default 2)' })),
        expectStatus: Type.Optional(Type.Tuple([Type.Integer({ minimum: 100, maximum: 599 }), Type.Integer({ minimum: 100, maximum: 599 })], { description: 'http: the status codes that count as up (default [200, 399])' })),
        keyword: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'http: text the page must contain' })),
        degradedMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000, description: 'http: slower than this is degraded (default 2000)' })),
        integrity: Type.Optional(Type.Boolean({ description: "http: compare the page's meaningful content with its known-good state" })),
        ignore: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, description: 'http integrity: lines containing these words are routine (a visit counter)' })),
        warnDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'tls: degraded when the certificate expires within this many days (default 14)' })),
        records: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(DNS_RECORD_TYPES.map((t) => [t, Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 })]))), { description: 'dns: the approved values, e.g. {"A": ["203.0.113.10"], "NS": ["ns1.example.net"]}' })),
        maintenance: Type.Optional(Type.Array(Window, { maxItems: 50 })),
        public: Type.Optional(Type.Boolean()),
        orgId: Type.Optional(Type.String({ format: 'uuid' })),
      }, { additionalProperties: false }),
    },
  }, async (request, reply) => reply.status(201).send(presentMonitor(await createMonitor(ctx, actorOf(request), request.body as MonitorInput))));
  app.get('/api/v1/monitors', {
    schema: {
      tags,
      summary: 'Monitors you may see, worst first (up to limit), with counts by status and by state over all of them',
      querystring: Type.Object({
        orgId: Type.Optional(Type.String({ format: 'uuid' })),
        status: Type.Optional(Type.Union(['up', 'degraded', 'down', 'changed', 'pending'].map((s) => Type.Literal(s)))),
        state: Type.Optional(Type.String({ pattern: '^[0-9]{2}$', description: 'a state FIPS code: only its monitors in the list' })),
        limit: Type.Integer({ minimum: 1, maximum: 50_000, default: 1000 }),
      }, { additionalProperties: false }),
    },
  }, async (request) => listMonitors(ctx, actorOf(request), request.query as { orgId?: string; status?: string; state?: string; limit: number }));
  app.get('/api/v1/monitors/:id', { schema: { tags, summary: 'A monitor with its status (up, degraded, down, changed, pending), last check and outages', params: IdParams } }, async (request) => getMonitor(ctx, actorOf(request), (request.params as { id: string }).id));
  app.get('/api/v1/monitors/:id/history', {
    schema: { tags, summary: 'Uptime and latency in five-minute buckets', params: IdParams, querystring: Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 24 }) }, { additionalProperties: false }) },
  }, async (request) => monitorHistory(ctx, actorOf(request), (request.params as { id: string }).id, (request.query as { hours: number }).hours));
  app.patch('/api/v1/monitors/:id', {
    schema: { tags, summary: 'Pause or resume, set maintenance windows, show on the public page, or accept the current content as known-good', params: IdParams, body: Type.Object({ paused: Type.Optional(Type.Boolean()), maintenance: Type.Optional(Type.Array(Window, { maxItems: 50 })), public: Type.Optional(Type.Boolean()), acceptContent: Type.Optional(Type.Literal(true)) }, { additionalProperties: false }) },
  }, async (request) => updateMonitor(ctx, actorOf(request), (request.params as { id: string }).id, request.body as { paused?: boolean; maintenance?: MaintenanceWindow[]; public?: boolean; acceptContent?: boolean }));
  app.delete('/api/v1/monitors/:id', { schema: { tags, summary: 'Remove a monitor', params: IdParams } }, async (request, reply) => {
    await deleteMonitor(ctx, actorOf(request), (request.params as { id: string }).id);
    return reply.status(204).send();
  });
  // The same page for people: plain HTML anyone can open, refreshed every minute.
  app.get('/status/:id', { schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const page = await publicStatus(ctx, (request.params as { id: string }).id).catch(() => null);
    reply.header('cache-control', 'public, max-age=30').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    if (!page) return reply.status(404).type('text/html; charset=utf-8').send(statusHtml(null));
    return reply.type('text/html; charset=utf-8').send(statusHtml(page));
  });
  app.get('/api/v1/status-pages/:id', { schema: { tags, summary: "An office's public status page (id: the office): the services it chose, status only", params: IdParams } }, async (request) => publicStatus(ctx, (request.params as { id: string }).id));
}
