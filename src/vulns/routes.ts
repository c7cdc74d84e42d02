// HTTP routes of the vulnerability catalog: import (a KEV catalog, a CVE record or a list of them), list and
// search, one CVE with the products it affects and which of the viewer's systems it touches.
import { Type } from '@sinclair/typebox';
import type { App } from '../platform/http/server.js';
import type { AppContext } from '../platform/context.js';
import { actorOf } from '../access/auth-plugin.js';
import { getVulnerability, importVulnerabilities, listVulnerabilities } from './service.js';

const tags = ['Vulnerabilities'];
/** A full KEV catalog is about 1.3 MB; a batch of CVE records can be much more. */
const IMPORT_LIMIT = 64 * 1024 * 1024;

export function vulnRoutes(app: App, ctx: AppContext): void {
  app.post('/api/v1/vulnerabilities/import', {
    bodyLimit: IMPORT_LIMIT,
    schema: {
      tags,
      summary: "Update the catalog from CISA's KEV catalog (known_exploited_vulnerabilities.json), one CVE JSON 5 record, or a list of them (operations center analysts); new and changed entries are matched against every inventory at once",
      body: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100_000 })]),
    },
  }, async (request) => importVulnerabilities(ctx, actorOf(request), request.body));
  app.get('/api/v1/vulnerabilities', {
    schema: {
      tags,
      summary: 'The catalog, newest first: search by CVE id, title or product; only those exploited in the wild (KEV)',
      querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), kev: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) }, { additionalProperties: false }),
    },
  }, async (request) => listVulnerabilities(ctx, actorOf(request), request.query as { q?: string; kev?: boolean; limit: number; offset: number }));
  app.get('/api/v1/vulnerabilities/:cveId', {
    schema: { tags, summary: 'One CVE: what it affects (products and version ranges), KEV details, and which of your systems it touches', params: Type.Object({ cveId: Type.String({ pattern: '^[Cc][Vv][Ee]-\\d{4}-\\d{4,}$' }) }) },
  }, async (request) => getVulnerability(ctx, actorOf(request), (request.params as { cveId: string }).cveId));
}
