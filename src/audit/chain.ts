// Hash chaining of audit rows: each row's hash is SHA-256 over the previous hash and the row's canonical JSON,
// so altering or removing any row breaks every hash after it. Pure functions, used by writer and verifier.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so jsonb's key reordering does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface ChainedFields {
  readonly seq: number;
  readonly at: Date;
  readonly action: string;
  readonly outcome: string;
  readonly actorUserId: string | null;
  readonly actorOrgId: string | null;
  readonly targetKind: string | null;
  readonly targetId: string | null;
  readonly orgIds: readonly string[];
  readonly details: unknown;
}

export function rowHash(prevHash: string, row: ChainedFields): string {
  // Only the chained fields, named one by one: a stored row also carries its hashes, which must not count.
  const body = canonicalJson({
    seq: row.seq,
    at: row.at.toISOString(),
    action: row.action,
    outcome: row.outcome,
    actorUserId: row.actorUserId,
    actorOrgId: row.actorOrgId,
    targetKind: row.targetKind,
    targetId: row.targetId,
    orgIds: [...row.orgIds].sort(),
    details: row.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface StoredRow extends ChainedFields {
  readonly prevHash: string;
  readonly hash: string;
}

export type VerifyResult =
  | { readonly ok: true; readonly rows: number; readonly head: string }
  | { readonly ok: false; readonly rows: number; readonly firstBadSeq: number; readonly reason: string };

/** Checks rows given in seq order, streaming: call `push` per row, then `result`. */
export class ChainVerifier {
  private expectedSeq = 1;
  private prev = GENESIS_HASH;
  private count = 0;
  private failure: { seq: number; reason: string } | null = null;

  push(row: StoredRow): boolean {
    if (this.failure) return false;
    this.count += 1;
    if (row.seq !== this.expectedSeq) {
      this.failure = { seq: this.expectedSeq, reason: `row ${this.expectedSeq} is missing (next row found is ${row.seq})` };
      return false;
    }
    if (row.prevHash !== this.prev) {
      this.failure = { seq: row.seq, reason: `row ${row.seq} does not link to the row before it` };
      return false;
    }
    if (rowHash(row.prevHash, row) !== row.hash) {
      this.failure = { seq: row.seq, reason: `row ${row.seq} was altered (its content does not match its hash)` };
      return false;
    }
    this.prev = row.hash;
    this.expectedSeq += 1;
    return true;
  }

  result(): VerifyResult {
    if (this.failure) return { ok: false, rows: this.count, firstBadSeq: this.failure.seq, reason: this.failure.reason };
    return { ok: true, rows: this.count, head: this.prev };
  }
}
