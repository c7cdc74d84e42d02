// Content integrity: the meaningful text of a page — what a visitor reads, without markup, scripts, styles or
// routine churn (timestamps, and lines the office says to ignore, such as a visit counter) — so that a
// defacement or a changed result is caught and a clock ticking on the page is not. Pure functions.
import { createHash } from 'node:crypto';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Timestamps of the common written forms, replaced by one token so they never count as a change. */
const TIMESTAMPS = [
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
  /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g,
  /\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s*(?:[A-Z]{2,4}T|UTC|GMT))?\b/g,
  /\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.? \d{1,2},? \d{4}\b/g,
];

/** The visible text of an HTML (or plain) page, one trimmed line per block, timestamps replaced. */
export function meaningfulLines(body: string, ignore: readonly string[] = []): string[] {
  const text = body
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6]|\/td|\/th|\/title|\/section|\/article|\/header|\/footer)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e.toLowerCase()] ?? m));
  const lowered = ignore.map((i) => i.toLowerCase()).filter(Boolean);
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.replace(/\s+/g, ' ').trim();
    if (!line) continue;
    if (lowered.some((i) => line.toLowerCase().includes(i))) continue;
    for (const t of TIMESTAMPS) line = line.replace(t, '⟨time⟩');
    out.push(line);
  }
  return out;
}

export function contentHash(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Lines removed from and added to the known-good content (at most `limit` of each). */
export function contentDiff(known: readonly string[], now: readonly string[], limit = 10): { removed: string[]; added: string[] } {
  const a = new Map<string, number>();
  for (const l of known) a.set(l, (a.get(l) ?? 0) + 1);
  const added: string[] = [];
  for (const l of now) {
    const n = a.get(l) ?? 0;
    if (n > 0) a.set(l, n - 1);
    else if (added.length < limit) added.push(l);
  }
  const removed: string[] = [];
  for (const [l, n] of a) for (let i = 0; i < n && removed.length < limit; i += 1) removed.push(l);
  return { removed, added };
}
