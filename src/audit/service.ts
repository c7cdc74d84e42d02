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

/** Appends one row. Call inside a transaction (`db.transaction`) so the lock is held until commit. */
export async function recordAudit(tx: Tx, actor: Actor | { kind: 'anonymous'; userId?: string; orgId?: string }, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const userId = actor.kind === 'anonymous' ? (actor.userId ?? null) : actorUserId(actor);
  const orgId = actor.kind === 'anonymous' ? (actor.orgId ?? null) : actorOrgId(actor);
  const orgIds = [...new Set([...(orgId ? [orgId] : []), ...(entry.orgIds ?? [])])];
  const row = {
    seq: (last?.seq ?? 0) + 1,
    // Millisecond precision: the stored timestamp must round-trip exactly for the hash to verify.
    at: new Date(Math.floor(Date.now())),
    action: entry.action,
    outcome: entry.outcome ?? 'success',
    actorUserId: userId,
    actorOrgId: orgId,
    targetKind: entry.targetKind ?? null,
    targetId: entry.targetId ?? null,
    orgIds,
    details: entry.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx.insert(auditLog).values({ ...row, prevHash, hash: rowHash(prevHash, row) });
}

/** Records outside any caller transaction (failed sign-ins, denied actions): wraps its own. */
export async function recordAuditNow(db: Db, actor: Parameters<typeof recordAudit>[1], entry: AuditEntry): Promise<void> {
  await db.transaction((tx) => recordAudit(tx, actor, entry));
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
