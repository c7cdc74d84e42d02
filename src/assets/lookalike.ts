// Look-alike domains: the sites that imitate an election office to phish its staff or mislead its voters.
// A domain imitates an office's domain when, under a different registrable domain, it
// - looks the same (homoglyph): Cyrillic "а" for "a", "rn" for "m", "0" for "o", "l" for "i", accents;
// - is one keystroke away (typosquat): a letter left out, added, changed or two swapped, a hyphen added;
// - keeps the name under another public suffix (other TLD): traviscountytx.org for traviscountytx.gov;
// - carries the office's name inside a longer one (combosquat): traviscountytx-results.com, or
//   traviscountytx.gov.secure-login.com.
// Registrable domains come from the Public Suffix List (tldts); confusable characters from Unicode's
// confusables (the confusables package), plus the Latin look-alikes that need no Unicode at all.
import { domainToUnicode } from 'node:url';
import { remove as removeConfusables } from 'confusables';
import { parse } from 'tldts';

export type LookalikeKind = 'homoglyph' | 'typosquat' | 'other-tld' | 'combosquat';

/** Shortest office name each kind looks for: shorter names would flag unrelated domains. */
const MIN_LENGTH: Record<LookalikeKind, number> = { homoglyph: 4, 'other-tld': 4, typosquat: 5, combosquat: 8 };

export interface Registrable {
  /** The registrable domain (label.suffix), in ASCII. */
  readonly domain: string;
  /** Its first label, as people read it (punycode decoded). */
  readonly label: string;
  readonly suffix: string;
  /** Labels in front of the registrable domain, if any. */
  readonly subdomain: string;
}

/** The registrable part of a host name, or null for an address or a name without a known suffix. */
export function registrableOf(host: string): Registrable | null {
  const p = parse(host.toLowerCase().replace(/\.$/, ''), { allowPrivateDomains: false });
  if (p.isIp || !p.domain || !p.publicSuffix || !p.domainWithoutSuffix) return null;
  const ascii = p.domainWithoutSuffix;
  return { domain: p.domain, label: ascii.startsWith('xn--') ? domainToUnicode(ascii) || ascii : ascii, suffix: p.publicSuffix, subdomain: p.subdomain ?? '' };
}

/** How a name looks rather than how it is spelled: two names with one skeleton are read alike. */
export function skeleton(label: string): string {
  // Plain ASCII has no accents or other alphabets to fold: the Unicode steps are skipped (most names).
  const folded = /^[\x00-\x7f]*$/.test(label) ? label.toLowerCase() : removeConfusables(label.normalize('NFKD').replace(/\p{M}/gu, '')).toLowerCase();
  return folded
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/cl/g, 'd')
    .replace(/[1il|]/g, 'l')
    .replace(/0/g, 'o')
    .replace(/5/g, 's');
}

/** True when a and b differ by exactly one insertion, deletion, substitution or swap of neighbours. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i += 1;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function deletions(label: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < label.length; i += 1) if (label[i] !== label[i - 1]) out.push(label.slice(0, i) + label.slice(i + 1));
  return out;
}

export interface LookalikeHit<T> {
  readonly ref: T;
  readonly kind: LookalikeKind;
  /** The office's registrable domain that is imitated. */
  readonly imitated: string;
}

interface Entry<T> {
  readonly ref: T;
  readonly reg: Registrable;
}

/** An index of offices' registrable domains that answers "whom does this domain imitate?". */
export class LookalikeIndex<T> {
  /** Every registrable domain in the inventories: a domain that is some office's own is nobody's look-alike. */
  private readonly own = new Set<string>();
  private readonly byLabel = new Map<string, Array<Entry<T>>>();
  private readonly bySkeleton = new Map<string, Array<Entry<T>>>();
  /** Each label and each of its one-letter deletions, to the labels (symmetric-delete lookup of typosquats). */
  private readonly byDeletion = new Map<string, Array<Entry<T>>>();
  private readonly seen = new Set<string>();

  add(ref: T, key: string, host: string): void {
    const reg = registrableOf(host);
    if (!reg) return;
    this.own.add(reg.domain);
    const id = `${key} ${reg.domain}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const entry = { ref, reg };
    const push = (map: Map<string, Array<Entry<T>>>, k: string) => {
      const list = map.get(k);
      if (list) list.push(entry);
      else map.set(k, [entry]);
    };
    push(this.byLabel, reg.label);
    if (reg.label.length >= MIN_LENGTH.homoglyph) push(this.bySkeleton, skeleton(reg.label));
    if (reg.label.length >= MIN_LENGTH.typosquat) {
      push(this.byDeletion, reg.label);
      for (const d of new Set(deletions(reg.label))) push(this.byDeletion, d);
    }
  }

  get size(): number {
    return this.own.size;
  }

  /** The offices whose domains `host` imitates, each once, with the most telling kind. */
  match(host: string): Array<LookalikeHit<T>> {
    const reg = registrableOf(host);
    if (!reg || this.own.has(reg.domain)) return [];
    const found = new Map<Entry<T>, LookalikeKind>();
    const note = (e: Entry<T>, kind: LookalikeKind) => {
      if (e.reg.label.length >= MIN_LENGTH[kind] && !found.has(e)) found.set(e, kind);
    };
    // Homoglyphs first: a name that reads the same is the sharpest imitation.
    for (const e of this.bySkeleton.get(skeleton(reg.label)) ?? []) if (e.reg.label !== reg.label) note(e, 'homoglyph');
    for (const e of this.byLabel.get(reg.label) ?? []) if (e.reg.suffix !== reg.suffix) note(e, 'other-tld');
    if (reg.label.length >= MIN_LENGTH.typosquat - 1) {
      for (const k of [reg.label, ...new Set(deletions(reg.label))]) {
        for (const e of this.byDeletion.get(k) ?? []) if (oneEditApart(e.reg.label, reg.label)) note(e, 'typosquat');
      }
    }
    // The office's name at either end of a longer name (traviscountytx-results, votetraviscountytx).
    const label = reg.label;
    for (let n = MIN_LENGTH.combosquat; n < label.length; n += 1) {
      for (const part of [label.slice(0, n), label.slice(label.length - n)]) {
        for (const e of this.byLabel.get(part.replace(/^-|-$/g, '')) ?? []) note(e, 'combosquat');
      }
    }
    // The office's whole domain in front of someone else's (traviscountytx.gov.secure-login.com).
    if (reg.subdomain) {
      const labels = reg.subdomain.split('.');
      for (let i = 0; i + 1 < labels.length; i += 1) {
        const rest = labels.slice(i).join('.');
        for (const e of this.byLabel.get(labels[i]!) ?? []) if (rest === e.reg.domain || rest.startsWith(`${e.reg.domain}.`)) note(e, 'combosquat');
      }
    }
    return [...found].map(([e, kind]) => ({ ref: e.ref, kind, imitated: e.reg.domain }));
  }
}
