// Prometheus metrics at /metrics: request counts and latency per route, plus the process defaults.
import { collectDefaultMetrics, Counter, Histogram, Registry, Gauge, Summary } from 'prom-client';
import type { FastifyInstance } from 'fastify';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const liveConnections = new Gauge({ name: 'eoc_live_connections', help: 'Open live-event (SSE) streams on this node', registers: [registry] });
export const eventsDelivered = new Counter({ name: 'eoc_live_events_delivered_total', help: 'Events written to live streams', registers: [registry] });

export const monitorDrift = new Summary({ name: 'eoc_monitor_check_drift_seconds', help: 'How late monitor checks start against their schedule (last 60 s)', percentiles: [0.5, 0.9, 0.99, 1], maxAgeSeconds: 60, ageBuckets: 6, registers: [registry] });
export const monitorChecks = new Counter({ name: 'eoc_monitor_checks_total', help: 'Monitor checks run, by result', labelNames: ['status'], registers: [registry] });
export const monitorsScheduled = new Gauge({ name: 'eoc_monitors_scheduled', help: 'Monitors on this node\'s schedule', registers: [registry] });
export const monitorTurnsSkipped = new Gauge({ name: 'eoc_monitor_turns_skipped', help: 'Check turns skipped because the node or the check was busy', registers: [registry] });

const requests = new Counter({ name: 'eoc_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
const duration = new Histogram({
  name: 'eoc_http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['method', 'route'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export function httpMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
