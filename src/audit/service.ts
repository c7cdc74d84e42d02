// Writing and verifying the audit log. Writes happen inside the caller's transaction so a change and its
// audit row commit together; a transaction-scoped lock keeps the chain linear across nodes.
import { asc, desc, gt, sql, arrayOverlaps, and, lt } from 'drizzle-orm';
import { auditLog } from './schema.js';
import { ChainVerifier, GENESIS_HASH, rowHash, type VerifyResult } from './chain.js';
import type { AuditAction, AuditOutcome } from './events.js';
import type { Db, Tx } from '../platform/db/client.js';
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

/** Appends rows in order to the chain. Call inside a transaction so the lock is held until commit. */
async function appendAudit(tx: Tx, rows: ReadonlyArray<ReturnType<typeof auditRow>>): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const values = rows.map((r) => {
    seq += 1;
    const row = { ...r, seq };
    const hash = rowHash(prevHash, row);
    const value = { ...row, prevHash, hash };
    prevHash = hash;
    return value;
  });
  for (let i = 0; i < values.length; i += 500) await tx.insert(auditLog).values(values.slice(i, i + 500));
}

/** Appends one row. Call inside a transaction (`db.transaction`) so the lock is held until commit. */
export async function recordAudit(tx: Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await appendAudit(tx, [auditRow(actor, entry, new Date())]);
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

/** Walks the whole chain in pages and reports the first row altered or removed. */
export async function verifyAuditLog(db: Db, pageSize = 5000): Promise<VerifyResult> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(pageSize);
    for (const row of page) {
      if (!verifier.push({ ...row, at: new Date(row.at) })) return verifier.result();
    }
    const lastRow = page.at(-1);
    if (!lastRow) break;
    after = lastRow.seq;
  }
  return verifier.result();
}

export interface AuditQuery {
  readonly orgId: string;
  readonly before?: number;
  readonly limit: number;
}

/** The entries an organisation's admins may read, newest first. */
export async function listAuditForOrg(db: Db, q: AuditQuery) {
  const where = q.before ? and(arrayOverlaps(auditLog.orgIds, [q.orgId]), lt(auditLog.seq, q.before)) : arrayOverlaps(auditLog.orgIds, [q.orgId]);
  return db.select().from(auditLog).where(where).orderBy(desc(auditLog.seq)).limit(q.limit);
}
