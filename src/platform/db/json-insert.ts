// Many rows in one INSERT with a single parameter: the rows travel as one JSON document and the database
// spreads it over the table's columns (json_populate_recordset). Building the same statement with the query
// builder gives every value its own parameter — a group of reports is thousands of them, and turning them
// into SQL cost more than the database spent writing the rows.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** One value as JSON the database reads back into the column's type. */
function jsonValue(column: PgColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.dataType === 'json') return value; // nested as it is: json and jsonb columns take the value itself
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v));
  if (typeof value === 'object') throw new Error(`insertFromJson: column ${column.name} holds an object the JSON form cannot carry`);
  return value;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON text with every string well formed: the database refuses an escaped lone surrogate, a parameter turns it into U+FFFD. */
function toJson(rows: readonly Record<string, unknown>[]): string {
  const text = JSON.stringify(rows);
  if (!/\\ud[89a-f]/i.test(text)) return text;
  return JSON.stringify(rows, (_key, v: unknown) => (typeof v === 'string' ? v.replace(LONE_SURROGATE, '\ufffd') : v));
}

/**
 * `insert into TABLE (columns) select columns from json_populate_recordset(…)` for these rows — the same rows
 * `db.insert(table).values(rows)` would write. Columns no row gives a value are left out, so their defaults
 * apply; a row that omits a column another row gives is written with null there (as an explicit null would).
 */
export function insertFromJson<T extends PgTable>(table: T, rows: ReadonlyArray<T['$inferInsert']>): SQL {
  if (!rows.length) throw new Error('insertFromJson: no rows');
  const columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>).filter(([key]) => rows.some((r) => (r as Record<string, unknown>)[key] !== undefined));
  const objects = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [key, column] of columns) o[column.name] = jsonValue(column, (r as Record<string, unknown>)[key]);
    return o;
  });
  const names = sql.join(columns.map(([, c]) => sql.identifier(c.name)), sql`, `);
  return sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${toJson(objects)}::json)`;
}
