// Writing and verifying the audit log. A row is inserted inside the caller's transaction, so a change and its
// audit row commit together, and nobody waits for anybody to write one. The chainer (one node at a time,
// under a transaction lock) then gives committed rows their position and hash in the order it finds them:
// the chain is linear across nodes, and a row is chained within moments of its commit.
import type { Logger } from 'pino';
import { asc, desc, gt, sql, arrayOverlaps, and, lt, isNull } from 'drizzle-orm';
import { auditLog } from './schema.js';
import { ChainVerifier, GENESIS_HASH, rowHash, type VerifyResult } from './chain.js';
import type { AuditAction, AuditOutcome } from './events.js';
import { rowsOf, type Db, type Tx } from '../platform/db/client.js';
import { type Actor, actorOrgId, actorUserId } from '../access/actor.js';

export interface AuditEntry {
  readonly action: AuditAction;
  readonly outcome?: AuditOutcome;
  readonly targetKind?: string;
  readonly targetId?: string;
  /** Organisations (besides the actor's) whose admins may read this entry. */
  readonly orgIds?: readonly string[];
  readonly details?: Record<string, unknown>;
}

const AUDIT_LOCK = 7263002;

type AuditActor = Actor | { kind: 'anonymous'; userId?: string; orgId?: string };

function auditRow(actor: AuditActor, entry: AuditEntry, at: Date) {
  const userId = actor.kind === 'anonymous' ? (actor.userId ?? null) : actorUserId(actor);
  const orgId = actor.kind === 'anonymous' ? (actor.orgId ?? null) : actorOrgId(actor);
  const orgIds = [...new Set([...(orgId ? [orgId] : []), ...(entry.orgIds ?? [])])];
  return {
    // Millisecond precision: the stored timestamp must round-trip exactly for the hash to verify.
    at: new Date(Math.floor(at.getTime())),
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    actorUserId: userId,
    actorOrgId: orgId,
    targetKind: entry.targetKind ?? null,
    targetId: entry.targetId ?? null,
    orgIds,
    details: entry.details ?? {},
  };
}

/** Writes rows, unchained, in the caller's transaction. */
async function appendAudit(tx: Tx, rows: ReadonlyArray<ReturnType<typeof auditRow>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await tx.insert(auditLog).values(rows.slice(i, i + 500).map((r) => ({ ...r, seq: null, prevHash: null, hash: null })));
  auditWritten();
}

/**
 * The insert of rows, to run as part of the statement that makes the change (it commits with it). Call
 * `auditWritten()` once that statement has run, so the chainer looks soon.
 */
export function auditsInsert(db: Db | Tx, rows: ReadonlyArray<{ actor: AuditActor; entry: AuditEntry }>) {
  return db.insert(auditLog).values(auditRows(rows).map((r) => ({ ...r, seq: null, prevHash: null, hash: null })));
}

/** The rows (unchained, one time for all) that `auditsInsert` writes; call `auditWritten()` after they commit. */
export function auditRows(rows: ReadonlyArray<{ actor: AuditActor; entry: AuditEntry }>) {
  const at = new Date();
  return rows.map((r) => auditRow(r.actor, r.entry, at));
}

/** Appends one row. Call inside a transaction (`db.transaction`) so it commits with the change it records. */
export async function recordAudit(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await appendAudit(tx, [auditRow(actor, entry, new Date())]);
}

/**
 * Chains committed rows: gives each its position and hash, in id order, after the last chained row. Returns
 * how many it chained, or null when another node holds the lock (it will chain them).
 */
export async function chainAudit(db: Db, batch = 2000): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${AUDIT_LOCK}) as locked`));
    if (!lock?.locked) return null;
    const pending = await tx.select().from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id)).limit(batch).for('update');
    if (!pending.length) return 0;
    const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).where(sql`${auditLog.seq} is not null`).orderBy(desc(auditLog.seq)).limit(1);
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const values = pending.map((r) => {
      seq += 1;
      const hash = rowHash(prevHash, { ...r, at: new Date(r.at), seq });
      const v = sql`(${r.id}::bigint, ${seq}::bigint, ${prevHash}, ${hash})`;
      prevHash = hash;
      return v;
    });
    for (let i = 0; i < values.length; i += 500) {
      await tx.execute(sql`update ${auditLog} set seq = v.seq, prev_hash = v.prev, hash = v.hash
        from (values ${sql.join(values.slice(i, i + 500), sql`, `)}) as v(id, seq, prev, hash) where ${auditLog.id} = v.id`);
    }
    return pending.length;
  });
}

/** Chains everything committed so far (readers call it first: verification, the log screen, the CLI). */
export async function chainAllAudit(db: Db): Promise<void> {
  for (let tries = 0; tries < 1000; tries += 1) {
    const n = await chainAudit(db);
    if (n === 0) return;
    if (n === null) await new Promise((r) => setTimeout(r, 10));
  }
}

const writeListeners = new Set<() => void>();
export function auditWritten(): void {
  for (const l of writeListeners) l();
}

/** Runs on every node: chains soon after rows are written here, and polls for rows written by other nodes. */
export class AuditChainer {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly onWrite = () => this.schedule(20);

  constructor(private readonly db: Db, private readonly log: Logger, private readonly pollMs = 500) {}

  start(): void {
    this.stopped = false;
    writeListeners.add(this.onWrite);
    this.timer = setInterval(() => this.schedule(0), this.pollMs);
    this.timer.unref();
    this.schedule(0);
  }

  /** Batches writes: chaining a few milliseconds later chains many rows in one transaction. */
  private schedule(delayMs: number): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      if (!this.running) this.running = this.pass().finally(() => (this.running = null));
    }, delayMs);
    this.soon.unref();
  }

  private async pass(): Promise<void> {
    try {
      for (;;) {
        const n = await chainAudit(this.db);
        if (!n || n < 2000 || this.stopped) return;
      }
    } catch (error) {
      this.log.warn({ err: error }, 'audit chaining failed; will retry');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    writeListeners.delete(this.onWrite);
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.running;
    // Leave nothing unchained behind when this node is the last to go.
    await chainAllAudit(this.db).catch((error: unknown) => this.log.warn({ err: error }, 'final audit chaining failed'));
  }
}

interface Pending {
  readonly row: ReturnType<typeof auditRow>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for entries that have no transaction of their own (reads of restricted records, failed
 * sign-ins): while one batch commits, the next ones queue, and commit together in one transaction. Each entry
 * keeps its own row and time; each caller's promise settles only once its row is committed.
 */
class AuditBatcher {
  private queue: Pending[] = [];
  private flushing = false;
  constructor(private readonly db: Db) {}

  add(row: ReturnType<typeof auditRow>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 1000);
        try {
          await this.db.transaction((tx) => appendAudit(tx, batch.map((p) => p.row)));
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

const batchers = new WeakMap<Db, AuditBatcher>();

/** Records outside any caller transaction (failed sign-ins, restricted reads): resolves once committed. */
export async function recordAuditNow(db: Db, actor: AuditActor, entry: AuditEntry): Promise<void> {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new AuditBatcher(db);
    batchers.set(db, batcher);
  }
  await batcher.add(auditRow(actor, entry, new Date()));
}

/** Chains what is committed, then walks the whole chain in pages and reports the first row altered or removed. */
export async function verifyAuditLog(db: Db, pageSize = 5000): Promise<VerifyResult> {
  await chainAllAudit(db);
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(pageSize);
    for (const row of page) {
      if (!verifier.push({ ...row, seq: row.seq!, prevHash: row.prevHash ?? '', hash: row.hash ?? '', at: new Date(row.at) })) return verifier.result();
    }
    const lastRow = page.at(-1);
    if (!lastRow) break;
    after = lastRow.seq!;
  }
  return verifier.result();
}

export interface AuditQuery {
  readonly orgId: string;
  readonly before?: number;
  readonly limit: number;
}

/** The entries an organisation's admins may read, newest first (chained first, so each has its position). */
export async function listAuditForOrg(db: Db, q: AuditQuery) {
  await chainAllAudit(db);
  const chained = sql`${auditLog.seq} is not null`;
  const where = q.before ? and(arrayOverlaps(auditLog.orgIds, [q.orgId]), chained, lt(auditLog.seq, q.before)) : and(arrayOverlaps(auditLog.orgIds, [q.orgId]), chained);
  return db.select().from(auditLog).where(where).orderBy(desc(auditLog.seq)).limit(q.limit);
}
