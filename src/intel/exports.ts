// Exports of what a user may see of the STIX store, as a STIX 2.1 bundle or a CSV list, streamed page by page
// (the sharing policy in every page's SQL), with the TLP marking definitions the bundle's objects refer to.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { UserActor } from '../access/actor.js';
import { visibleObjects, type ObjectFilter } from './stix-row.js';
import { auditsInsert, auditWritten } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { rowsOf } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { csvLine } from '../platform/http/csv.js';
import { tlp2MarkingDefinition } from './stix/markings.js';
import { valueOfPattern } from './indicator-values.js';

export type ExportQuery = ObjectFilter;

const PAGE = 5000;

interface Row {
  readonly seq: string;
  readonly stix_id: string;
  readonly type: string;
  readonly tlp: Tlp;
  readonly body: string;
  readonly name: string | null;
  readonly pattern: string | null;
  readonly valid_until: string | null;
  readonly confidence: number | null;
}

async function* pages(ctx: AppContext, actor: UserActor, q: ExportQuery): AsyncGenerator<Row[]> {
  let after: string | null = null;
  let restricted = 0;
  for (;;) {
    const rows: Row[] = rowsOf<Row>(
      await ctx.db.execute(sql`select o.seq::text as seq, o.stix_id, o.type, o.tlp::text as tlp, o.body, o.name, o.pattern,
          to_char(o.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as valid_until, o.confidence
        from stix_objects o where ${sql.join(visibleObjects(actor, q), sql` and `)} ${after ? sql`and o.seq > ${after}::bigint` : sql``}
        order by o.seq limit ${PAGE}`),
    );
    restricted += rows.filter((r) => r.tlp === 'AMBER+STRICT' || r.tlp === 'RED').length;
    if (rows.length) yield rows;
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.seq;
  }
  if (restricted) {
    await auditsInsert(ctx.db, [{ actor, entry: { action: 'intel.read-restricted', targetKind: 'stix-export', details: { count: restricted, via: 'export' } } }]);
    auditWritten();
  }
}

/** A STIX bundle, streamed: the stored objects as they are, then the TLP marking definitions they use. */
export async function* exportBundle(ctx: AppContext, actor: UserActor, q: ExportQuery): AsyncGenerator<string> {
  yield `{"type":"bundle","id":"bundle--${randomUUID()}","objects":[`;
  let first = true;
  const tlps = new Set<Tlp>();
  for await (const rows of pages(ctx, actor, q)) {
    for (const r of rows) tlps.add(r.tlp);
    yield `${first ? '' : ','}${rows.map((r) => r.body).join(',')}`;
    first = false;
  }
  const markings = [...tlps].map((t) => JSON.stringify(tlp2MarkingDefinition(t)));
  yield `${markings.length ? `${first ? '' : ','}${markings.join(',')}` : ''}]}`;
}

export const CSV_EXPORT_COLUMNS = ['type', 'value', 'description', 'valid_until', 'name', 'pattern', 'tlp', 'confidence', 'stix_id'] as const;

/** Indicators as a CSV list in the import's columns (type, value, description, valid_until) and more. */
export async function* exportCsv(ctx: AppContext, actor: UserActor, q: ExportQuery): AsyncGenerator<string> {
  yield csvLine(CSV_EXPORT_COLUMNS);
  for await (const rows of pages(ctx, actor, { ...q, type: 'indicator' })) {
    let out = '';
    for (const r of rows) {
      const plain = r.pattern ? valueOfPattern(r.pattern) : null;
      const description = (JSON.parse(r.body) as { description?: unknown }).description;
      out += csvLine([plain?.type ?? 'pattern', plain?.value ?? '', typeof description === 'string' ? description : '', r.valid_until ?? '', r.name ?? '', r.pattern ?? '', r.tlp, r.confidence ?? '', r.stix_id]);
    }
    yield out;
  }
}
