// The audit chain detects an altered or a removed row, and the docs list every registered event.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChainVerifier, GENESIS_HASH, canonicalJson, rowHash, type StoredRow } from './chain.js';
import { renderAuditEventsDoc } from './docs.js';

function chain(n: number): StoredRow[] {
  const rows: StoredRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i += 1) {
    const row = { seq: i, at: new Date(1_700_000_000_000 + i * 1000), action: 'bulletin.created', outcome: 'success', actorUserId: null, actorOrgId: null, targetKind: 'bulletin', targetId: `b${i}`, orgIds: [], details: { n: i, nested: { b: 1, a: 2 } } };
    const hash = rowHash(prev, row);
    rows.push({ ...row, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

function verify(rows: StoredRow[]) {
  const v = new ChainVerifier();
  for (const r of rows) if (!v.push(r)) break;
  return v.result();
}

describe('audit hash chain', () => {
  it('accepts an untouched chain', () => {
    expect(verify(chain(20))).toMatchObject({ ok: true, rows: 20 });
  });

  it('names the first altered row, whichever it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.string({ minLength: 1 }), (k, text) => {
        const rows = chain(30);
        rows[k - 1] = { ...rows[k - 1]!, details: { tampered: text } };
        expect(verify(rows)).toMatchObject({ ok: false, firstBadSeq: k });
      }),
    );
  });

  it('names the first removed row', () => {
    const rows = chain(10);
    rows.splice(4, 1);
    expect(verify(rows)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('does not depend on key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }));
  });

  it('keeps docs/audit-events.md in step with the registry', () => {
    expect(fs.readFileSync(new URL('../../docs/audit-events.md', import.meta.url), 'utf8')).toBe(renderAuditEventsDoc());
  });
});
