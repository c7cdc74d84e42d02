// Rivest's consistent sampler, as VotingWorks' Arlo uses it, so that anyone with the seed and the manifests can
// reproduce an audit's sample with the public Python tools — bit for bit. Written by hand (no JavaScript port
// exists) from the reference's definitions:
//   ticket(id, 1)   = sha256_uniform(sha256_hex(seed) + str(id))
//   ticket(id, g+1) = next_fraction(ticket(id, g))
//   sha256_uniform(x) = "0." + the decimal digits of SHA-256(x), zero-padded to 64, in reverse order
// Ballots are drawn in increasing ticket order (Python compares the ticket strings, so do we); with replacement a
// drawn ballot goes back with its next ticket. Arlo draws `take` tickets with 18 significant digits after the
// first run of 9s, and its ballot ids are ((county, tabulator, batch), position).
//
// Speed: the first 64 bytes hashed are always the seed's hex digest, so their compression is done once
// (PrefixedSha256). Only ballots whose first nine ticket digits could put them among the `take` smallest get their
// full ticket computed; memory grows with the sample, never with the manifest.
import crypto from 'node:crypto';
import { PrefixedSha256, wordsMod1e9, wordsToBigInt } from './sha256-midstate.js';
import { Sha256Lanes, writePosition } from './sha256-lanes.js';
import { pyRepr, pyStr, type PyValue } from './python-repr.js';

export const ARLO_TICKET_DIGITS = 18;

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function uniformFromBigInt(v: bigint): string {
  return `0.${[...v.toString(10).padStart(64, '0')].reverse().join('')}`;
}

/** sha256_uniform(text): the hash as a decimal fraction, digits reversed. */
export function sha256Uniform(text: string): string {
  return uniformFromBigInt(BigInt(`0x${sha256Hex(text)}`));
}

function firstNon9(x: string): number {
  const x0 = `${x}0`;
  for (let i = 2; i < x0.length; i++) if (x0[i]! < '9') return i;
  return x0.length;
}

/** The reference's trim(): `digits` significant digits after the leading run of 9s, truncated. */
export function trimTicket(x: string, digits: number): string {
  return x.slice(0, firstNon9(x) + digits);
}

/** next_fraction(x): a pseudo-random fraction above x, derived from x alone. */
export function nextFraction(x: string): string {
  const x0 = `${x}0`;
  const keep = x0.slice(0, firstNon9(x));
  for (let i = 1; ; i++) {
    const y = keep + sha256Uniform(`${x}:${i}`).slice(2);
    if (y > x0) return y;
  }
}

export function firstFraction(idText: string, seed: string): string {
  return sha256Uniform(sha256Hex(seed) + idText);
}

interface Candidate<T> {
  ticket: string;
  item: T;
  generation: number;
}

/** Python's tuple order on (ticket_number, id, generation); ids tie only if tickets do, which SHA-256 makes moot. */
function before<T>(a: Candidate<T>, b: Candidate<T>): boolean {
  return a.ticket < b.ticket || (a.ticket === b.ticket && a.generation < b.generation);
}

/** A binary heap; `higher(a, b)` true when a belongs nearer the root. */
class Heap<E> {
  readonly items: E[] = [];
  constructor(private readonly higher: (a: E, b: E) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  peek(): E | undefined {
    return this.items[0];
  }
  push(e: E): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.higher(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): E | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.higher(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.higher(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

interface Entry<T> {
  /** The first nine ticket digits as a number: orders entries unless two share them. */
  readonly k9: number;
  /** The hash, until the full ticket is needed (most entries are evicted before it is). */
  readonly words: Int32Array | null;
  ticket: string | null;
  readonly item: T;
}

const ticketOf = (e: Entry<unknown>): string => (e.ticket ??= uniformFromBigInt(wordsToBigInt(e.words!)));
const entryBefore = (a: Entry<unknown>, b: Entry<unknown>): boolean => a.k9 < b.k9 || (a.k9 === b.k9 && ticketOf(a) < ticketOf(b));
const k9Of = (ticket: string): number => Number(ticket.slice(2, 11).padEnd(9, '0'));

/**
 * Keeps the `limit` smallest first tickets seen. `offer` takes the first nine ticket digits as a number (cheap to
 * get from the hash) and the hash itself, copied only if the ballot makes the cut; the full decimal ticket is
 * written out only for ties and for the ballots finally kept.
 */
export class TicketSelector<T> {
  private readonly heap = new Heap<Entry<T>>((a, b) => entryBefore(b, a));
  constructor(private readonly limit: number) {}

  /** Ballots whose first nine digits exceed this cannot enter; Infinity while the selector fills. */
  get bar(): number {
    return this.heap.size < this.limit ? Infinity : this.heap.peek()!.k9;
  }

  private add(entry: Entry<T>): void {
    if (this.limit <= 0) return;
    if (this.heap.size < this.limit) {
      this.heap.push(entry);
      return;
    }
    const worst = this.heap.peek()!;
    if (!entryBefore(entry, worst)) return;
    this.heap.pop();
    this.heap.push(entry);
  }

  offer(k9: number, words: Int32Array, item: () => T): void {
    if (this.heap.size >= this.limit && k9 > this.heap.peek()!.k9) return;
    const entry: Entry<T> = { k9, words: words.slice(), ticket: null, item: null as T };
    if (this.heap.size >= this.limit && !entryBefore(entry, this.heap.peek()!)) return;
    (entry as { item: T }).item = item();
    this.add(entry);
  }

  /** Merges another selector's candidates (a worker's share of the manifest). */
  absorb(candidates: readonly Candidate<T>[]): void {
    for (const c of candidates) this.add({ k9: k9Of(c.ticket), words: null, ticket: c.ticket, item: c.item });
  }

  candidates(): Candidate<T>[] {
    return this.heap.items.map((e) => ({ ticket: ticketOf(e), item: e.item, generation: 1 }));
  }
}

export interface Draw<T> {
  /** The ticket number, trimmed as Arlo stores it. */
  ticket: string;
  item: T;
  /** How many times this ballot has been drawn so far, this draw included (the reference's generation). */
  timesSampled: number;
}

/** Draws `take` tickets in order from the candidates, putting each drawn ballot back with its next ticket if asked. */
export function drawFromCandidates<T>(candidates: readonly Candidate<T>[], take: number, withReplacement: boolean, digits = ARLO_TICKET_DIGITS): Draw<T>[] {
  const heap = new Heap<Candidate<T>>(before);
  for (const c of candidates) heap.push(c);
  const draws: Draw<T>[] = [];
  while (draws.length < take && heap.size > 0) {
    const t = heap.pop()!;
    if (withReplacement) heap.push({ ticket: nextFraction(t.ticket), item: t.item, generation: t.generation + 1 });
    draws.push({ ticket: trimTicket(t.ticket, digits), item: t.item, timesSampled: t.generation });
  }
  return draws;
}

/** The first nine ticket digits (the hash's nine lowest decimal digits, reversed) as a number. */
const REVERSED3 = Int32Array.from({ length: 1000 }, (_, n) => (n % 10) * 100 + (Math.floor(n / 10) % 10) * 10 + Math.floor(n / 100));
function reversedNine(r: number): number {
  const high = (r / 1e6) | 0;
  const mid = ((r / 1e3) | 0) - high * 1000;
  return (REVERSED3[r - high * 1000000 - mid * 1000]! * 1000000 + REVERSED3[mid]! * 1000 + REVERSED3[high]!) | 0;
}

/** The seed's hex digest as the 64 ASCII bytes every first ticket starts with. */
function seedBlock(seed: string): Uint8Array {
  return Buffer.from(sha256Hex(seed), 'ascii');
}

/** Consistent sample of arbitrary ids (each hashed as Python's str() of it). */
export function sampleIds(seed: string, ids: Iterable<PyValue>, take: number, withReplacement: boolean, digits = ARLO_TICKET_DIGITS): Draw<PyValue>[] {
  const hasher = new PrefixedSha256(seedBlock(seed));
  const out = new Int32Array(8);
  const selector = new TicketSelector<PyValue>(take);
  const seen = new Set<string>();
  for (const id of ids) {
    const text = pyStr(id);
    if (seen.has(text)) throw new Error(`the id ${text} appears twice; every ballot id must be distinct`);
    seen.add(text);
    const bytes = Buffer.from(text, 'utf8');
    hasher.digest(bytes, bytes.length, out);
    const k9 = reversedNine(wordsMod1e9(out));
    if (k9 > selector.bar) continue;
    selector.offer(k9, out, () => id);
  }
  return drawFromCandidates(selector.candidates(), take, withReplacement, digits);
}

export interface ManifestBatch {
  county: string;
  tabulator: string | null;
  batch: string;
  ballots: number;
}

export interface BallotRef {
  county: string;
  tabulator: string | null;
  batch: string;
  position: number;
}

/** Arlo's ballot id text: ((county, tabulator, batch), position). */
export function ballotIdText(b: BallotRef): string {
  return pyRepr([[b.county, b.tabulator, b.batch], b.position]);
}

// Made outside the loop: a closure over the loop's own variables would cost an allocation per ballot.
const refOf = (b: ManifestBatch, position: number) => (): BallotRef => ({ county: b.county, tabulator: b.tabulator, batch: b.batch, position });

/**
 * Offers every ballot of the batches to the selector: ballot positions 1..n, hashed as Arlo's ids. Four at a time
 * in WebAssembly SIMD lanes where the tail fits one block; one at a time otherwise.
 */
export function offerBatches(seed: string, batches: Iterable<ManifestBatch>, selector: TicketSelector<BallotRef>, options: { lanes?: boolean } = {}): void {
  const hasher = new PrefixedSha256(seedBlock(seed));
  const lanes = options.lanes === false ? null : Sha256Lanes.create(hasher.midstate);
  const out = new Int32Array(8);
  let bar = selector.bar;
  const consider = (k9: number, b: ManifestBatch, position: number) => {
    selector.offer(k9, out, refOf(b, position));
    bar = selector.bar;
  };
  for (const b of batches) {
    const prefix = Buffer.from(`(${pyRepr([b.county, b.tabulator, b.batch])}, `, 'utf8');
    const start = prefix.length;
    let position = 1;
    if (Sha256Lanes.fits(start, b.ballots)) {
      if (lanes) {
        lanes.setPrefix(prefix);
        for (; position + 3 <= b.ballots; position += 4) {
          lanes.hash4(position);
          for (let lane = 0; lane < 4; lane++) {
            const k9 = reversedNine(lanes.mod1e9(lane));
            if (k9 > bar) continue;
            lanes.digest(lane, out);
            consider(k9, b, position + lane);
          }
        }
      }
      // One block per ballot, the prefix's whole words hashed once for the batch.
      const block = hasher.setTailPrefix(prefix);
      for (; position <= b.ballots; position++) {
        hasher.digestTail(writePosition(block, start, position), out);
        const k9 = reversedNine(wordsMod1e9(out));
        if (k9 > bar) continue;
        consider(k9, b, position);
      }
    } else {
      // A county or batch name long enough to need two blocks.
      const tail = new Uint8Array(start + 32);
      tail.set(prefix, 0);
      for (; position <= b.ballots; position++) {
        const digits = String(position);
        for (let i = 0; i < digits.length; i++) tail[start + i] = digits.charCodeAt(i);
        tail[start + digits.length] = 0x29;
        hasher.digest(tail, start + digits.length + 1, out);
        const k9 = reversedNine(wordsMod1e9(out));
        if (k9 > bar) continue;
        consider(k9, b, position);
      }
    }
  }
}

/**
 * Arlo's draw_sample: `take` draws from the manifests' ballots (positions 1..n in each batch), with replacement
 * unless asked otherwise. Round k's draws are `sampleBallots(seed, batches, earlier + size).slice(earlier)`.
 */
export function sampleBallots(seed: string, batches: Iterable<ManifestBatch>, take: number, withReplacement = true): Draw<BallotRef>[] {
  const selector = new TicketSelector<BallotRef>(take);
  offerBatches(seed, batches, selector);
  return drawFromCandidates(selector.candidates(), take, withReplacement);
}
