// Matches log lines against an indicator index, streaming: web server access logs (common and combined),
// DNS query logs, firewall or proxy CSV and syslog. Chunks are decoded as Latin-1 (byte for byte, so a line
// in another encoding or with binary garbage cannot break the scan), split into lines, and each line is
// checked field by field (combined) or token by token (the others); a line that does not fit its format is
// counted and still scanned token by token. Nothing holds more than one chunk and one partial line.
import fs from 'node:fs';
import type { IndicatorIndex, IndicatorRef, Refs } from './indicator-index.js';
import { ipv4ToInt, ipv6ToBigInt, normaliseUrl } from './indicator-index.js';

interface Remembered {
  readonly text: string;
  readonly refs: IndicatorRef[];
  readonly seen: string[];
}

export const LOG_FORMATS = ['combined', 'dns', 'csv', 'syslog', 'auto'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LineMatch {
  readonly line: number;
  readonly indicator: string;
  readonly type: IndicatorRef['type'];
  /** What was seen in the line. */
  readonly matched: string;
  /** The indicator's value (a network for an address inside it, a parent domain for a subdomain). */
  readonly value: string;
}

export interface ScanStats {
  lines: number;
  matchedLines: number;
  matches: number;
  /** Lines that did not fit the format (scanned token by token anyway). */
  offFormat: number;
  /** Lines with NUL or other control bytes, skipped. */
  binary: number;
  bytes: number;
}

const MAX_LINE = 64 * 1024;
/** Bytes 0–8 anywhere in the chunk (memchr per byte value: far faster than a pattern over the text). */
function hasControlBytes(chunk: Buffer): boolean {
  for (let b = 0; b < 9; b += 1) if (chunk.indexOf(b) >= 0) return true;
  return false;
}
const TEXT_CACHE = 20_000;
/** The most of a chunk turned into one string at a time (young-generation sized). */
const TEXT_PART = 60 * 1024;

export class LogScanner {
  readonly stats: ScanStats = { lines: 0, matchedLines: 0, matches: 0, offFormat: 0, binary: 0, bytes: 0 };
  private rest = '';
  // What the current line matched: the first nFound entries (reused from line to line).
  private found: IndicatorRef[] = [];
  private seen: string[] = [];
  private nFound = 0;
  private format: LogFormat;
  private mayHaveBinary = true;
  /**
   * Referers and request targets repeat a great deal in real logs: what each one matched is remembered,
   * keyed by a hash of its characters and checked against the line in place, so a repeat costs no string.
   */
  private readonly seenText = new Map<number, Remembered>();

  /**
   * `resume` continues a scan fed in several parts (a log streamed over the API in batches): the counts so far,
   * and the start of a line the last part ended in.
   */
  constructor(private readonly index: IndicatorIndex, format: LogFormat, private readonly onMatch: (m: LineMatch) => void, resume?: { stats: ScanStats; rest: string }) {
    this.format = format;
    if (resume) {
      Object.assign(this.stats, resume.stats);
      this.rest = resume.rest;
    }
  }

  /** The start of a line not yet ended, handed to the next part of a streamed scan (and forgotten here). */
  takeRest(): string {
    const rest = this.rest;
    this.rest = '';
    return rest;
  }

  /** The format in use (what "auto" settled on, once a line was seen). */
  get detectedFormat(): LogFormat {
    return this.format;
  }

  /**
   * Feeds a chunk of the file; lines are reported as they complete. The chunk is read as text in parts of at
   * most 60 KiB ending at a line end: strings that size die young and cost a cheap scavenge, where a string of
   * the whole chunk would be allocated with the long-lived objects and make the collector mark the whole
   * indicator index again and again (a fifth of the scan time, measured).
   */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      let end = Math.min(chunk.length, pos + TEXT_PART);
      if (end < chunk.length) {
        const nl = chunk.lastIndexOf(10, end - 1);
        if (nl >= pos) end = nl + 1;
        else {
          // One line longer than a part: up to its end.
          const next = chunk.indexOf(10, end);
          end = next < 0 ? chunk.length : next + 1;
        }
      }
      this.pushPart(pos === 0 && end === chunk.length ? chunk : chunk.subarray(pos, end));
      pos = end;
    }
  }

  private pushPart(chunk: Buffer): void {
    this.stats.bytes += chunk.length;
    const text = chunk.toString('latin1');
    // Most chunks have no control characters at all: then no line needs checking for them.
    this.mayHaveBinary = hasControlBytes(chunk) || /[\x00-\x08]/.test(this.rest);
    let start = 0;
    if (this.rest) {
      // The line begun in the last chunk: joined alone, not the whole chunk onto it.
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.rest += text;
        this.capRest();
        return;
      }
      const line = this.rest + text.slice(0, nl);
      this.rest = '';
      this.scanLine(line, 0, line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.length - 1 : line.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.scanLine(text, start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      start = nl + 1;
    }
    this.rest = text.slice(start);
    this.capRest();
  }

  private capRest(): void {
    if (this.rest.length > MAX_LINE) {
      // A "line" longer than any log line: binary data. Count it and drop it.
      this.stats.lines += 1;
      this.stats.binary += 1;
      this.rest = '';
    }
  }

  /** The last line, if the file does not end with a newline. */
  end(): ScanStats {
    if (this.rest.length) this.scanLine(this.rest, 0, this.rest.length);
    this.rest = '';
    return this.stats;
  }

  private scanLine(s: string, from: number, to: number): void {
    const lineNo = ++this.stats.lines;
    if (to <= from) return;
    if (this.mayHaveBinary) {
      for (let i = from; i < to; i += 1) {
        if (s.charCodeAt(i) < 9) {
          this.stats.binary += 1;
          return;
        }
      }
    }
    this.nFound = 0;
    if (this.format === 'auto') this.format = detectFormat(s.slice(from, to));
    if (this.format === 'combined') {
      if (!this.combined(s, from, to)) {
        this.stats.offFormat += 1;
        this.tokens(s, from, to);
      }
    } else this.tokens(s, from, to);
    if (this.nFound) {
      this.stats.matchedLines += 1;
      const reported = new Set<string>();
      for (let k = 0; k < this.nFound; k += 1) {
        const ref = this.found[k]!;
        if (reported.has(ref.id)) continue;
        reported.add(ref.id);
        this.stats.matches += 1;
        this.onMatch({ line: lineNo, indicator: ref.id, type: ref.type, matched: this.seen[k]!, value: ref.value });
      }
    }
  }

  private hit(refs: Refs | undefined | null, seen: string): void {
    if (!refs) return;
    if (!Array.isArray(refs)) {
      this.found[this.nFound] = refs;
      this.seen[this.nFound] = seen;
      this.nFound += 1;
      return;
    }
    for (const r of refs) {
      this.found[this.nFound] = r;
      this.seen[this.nFound] = seen;
      this.nFound += 1;
    }
  }


  /** `host [ident] [user] [date] "METHOD target PROTO" status size ["referer" "agent"]`: the client, the target, the referer. */
  private combined(s: string, from: number, to: number): boolean {
    const sp = s.indexOf(' ', from);
    if (sp < 0 || sp > to) return false;
    this.address(s, from, sp);
    const q1 = s.indexOf('"', sp);
    if (q1 < 0 || q1 >= to) return false;
    const q2 = s.indexOf('"', q1 + 1);
    if (q2 < 0 || q2 >= to) return false;
    // The request line: the target is between the first two spaces.
    const t1 = s.indexOf(' ', q1 + 1);
    if (t1 > 0 && t1 < q2) {
      const t2 = s.indexOf(' ', t1 + 1);
      const end = t2 > 0 && t2 < q2 ? t2 : q2;
      if (s.charCodeAt(t1 + 1) !== 47) this.remembered(s, t1 + 1, end);
    }
    const q3 = s.indexOf('"', q2 + 1);
    if (q3 > 0 && q3 < to) {
      const q4 = s.indexOf('"', q3 + 1);
      if (q4 > 0 && q4 <= to && q4 > q3 + 1 && !(q4 === q3 + 2 && s.charCodeAt(q3 + 1) === 45)) this.remembered(s, q3 + 1, q4);
    }
    return true;
  }

  /** urlOrHost on s[from, to), remembering the answer for text seen before. */
  private remembered(s: string, from: number, to: number): void {
    // A hash of the length and up to 16 characters at each end; a match is confirmed against the line itself.
    let h = 0x811c9dc5 ^ (to - from);
    const head = Math.min(to, from + 16);
    for (let i = from; i < head; i += 1) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let i = Math.max(head, to - 16); i < to; i += 1) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    // 30 bits: a small integer to V8, so the map lookup neither boxes nor hashes a double.
    h &= 0x3fffffff;
    const known = this.seenText.get(h);
    if (known !== undefined && known.text.length === to - from && s.startsWith(known.text, from)) {
      for (let k = 0; k < known.refs.length; k += 1) {
        this.found[this.nFound] = known.refs[k]!;
        this.seen[this.nFound] = known.seen[k]!;
        this.nFound += 1;
      }
      return;
    }
    const text = s.slice(from, to);
    const before = this.nFound;
    this.urlOrHost(text);
    if (this.seenText.size >= TEXT_CACHE) this.seenText.clear();
    this.seenText.set(h, { text, refs: this.found.slice(before, this.nFound), seen: this.seen.slice(before, this.nFound) });
  }

  private address(s: string, from: number, to: number): void {
    const ix = this.index;
    const n = ipv4ToInt(s, from, to);
    if (n >= 0) {
      const exact = ix.ipv4.get(n);
      if (exact) this.hit(exact, s.slice(from, to));
      if (ix.v4Ranges.size) {
        const inRange = ix.v4Ranges.find(n);
        if (inRange) this.hit(inRange, s.slice(from, to));
      }
      return;
    }
    if (to - from > 2 && (ix.ipv6.size || ix.v6Ranges.size)) {
      const text = s.slice(from, to);
      const v6 = text.includes(':') ? ipv6ToBigInt(text) : null;
      if (v6 !== null) {
        this.hit(ix.ipv6.get(v6.toString(16)), text);
        if (ix.v6Ranges.size) this.hit(ix.v6Ranges.find(v6), text);
      }
    }
  }

  private host(raw: string): void {
    let h = raw;
    if (h.charCodeAt(h.length - 1) === 46) h = h.slice(0, -1);
    if (/[A-Z]/.test(h)) h = h.toLowerCase();
    const ix = this.index;
    if (!ix.domains.size) return;
    let pos = 0;
    for (;;) {
      const refs = ix.domains.get(pos === 0 ? h : h.slice(pos));
      if (refs) this.hit(refs, h);
      const dot = h.indexOf('.', pos);
      if (dot < 0) return;
      pos = dot + 1;
    }
  }

  /** A URL (matched whole, and by its host) or a bare host name or address. */
  private urlOrHost(text: string): void {
    const scheme = text.indexOf('://');
    if (scheme > 0) {
      if (this.index.urls.size) this.hit(this.index.urls.get(normaliseUrl(text)), text);
      let hostEnd = text.length;
      for (let i = scheme + 3; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (c === 47 || c === 63 || c === 35) {
          hostEnd = i;
          break;
        }
      }
      let host = text.slice(scheme + 3, hostEnd);
      const at = host.lastIndexOf('@');
      if (at >= 0) host = host.slice(at + 1);
      if (host.startsWith('[')) host = host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : host.length);
      else {
        const colon = host.lastIndexOf(':');
        if (colon > 0) host = host.slice(0, colon);
      }
      this.hostOrAddress(host);
      return;
    }
    this.hostOrAddress(text);
  }

  private hostOrAddress(h: string): void {
    if (!h) return;
    const c = h.charCodeAt(0);
    if ((c >= 48 && c <= 57) || h.includes(':')) {
      const before = this.nFound;
      this.address(h, 0, h.length);
      if (this.nFound > before || ipv4ToInt(h) >= 0) return;
    }
    if (h.includes('.')) this.host(h);
  }

  /** Any format: every token that looks like an address, host, URL, email address or hash. */
  private tokens(s: string, from: number, to: number): void {
    let i = from;
    while (i < to) {
      while (i < to && isSeparator(s.charCodeAt(i))) i += 1;
      const start = i;
      while (i < to && !isSeparator(s.charCodeAt(i))) i += 1;
      if (i - start >= 3) this.token(s.slice(start, i));
    }
  }

  private token(raw: string): void {
    let t = raw;
    // Trailing punctuation of prose and of DNS names ("evil.example." / "(evil.example):").
    while (t.length && /[.,:;!?)\]]/.test(t[t.length - 1]!)) t = t.slice(0, -1);
    while (t.length && /[(\[]/.test(t[0]!)) t = t.slice(1);
    if (t.length < 3) return;
    const ix = this.index;
    const scheme = t.indexOf('://');
    if (scheme > 0) {
      // key=https://… : the URL starts at its scheme.
      let b = scheme;
      while (b > 0 && /[A-Za-z0-9+.-]/.test(t[b - 1]!)) b -= 1;
      this.urlOrHost(t.slice(b));
      return;
    }
    // key=value pairs of firewall and syslog lines: the value.
    const eq = t.indexOf('=');
    if (eq >= 0) {
      t = t.slice(eq + 1);
      if (t.length < 3) return;
    }
    const at = t.indexOf('@');
    if (at > 0) {
      if (ix.emails.size) this.hit(ix.emails.get(t.toLowerCase()), t);
      this.host(t.slice(at + 1));
      return;
    }
    const len = t.length;
    if ((len === 32 || len === 40 || len === 64 || len === 128) && ix.hashes.size && /^[0-9a-fA-F]+$/.test(t)) {
      this.hit(ix.hashes.get(t.toLowerCase()), t);
      return;
    }
    // address:port and address#port (BIND)
    const hash = t.indexOf('#');
    if (hash > 0) t = t.slice(0, hash);
    const c = t.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const colon = t.indexOf(':');
      const addr = colon > 0 && t.indexOf(':', colon + 1) < 0 ? t.slice(0, colon) : t;
      if (ipv4ToInt(addr) >= 0) {
        this.address(addr, 0, addr.length);
        return;
      }
    }
    if (t.includes(':')) {
      if (ipv6ToBigInt(t) !== null) {
        this.address(t, 0, t.length);
        return;
      }
    }
    if (t.includes('.')) {
      const slash = t.indexOf('/');
      this.host(slash > 0 ? t.slice(0, slash) : t);
    }
    if (ix.filenames.size) this.hit(ix.filenames.get(t), t);
  }
}

/** Separators between tokens: white space and the punctuation logs put around values. */
function isSeparator(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 44 || c === 59 || c === 60 || c === 62 || c === 123 || c === 125 || c === 124 || c === 96;
}

/** Guesses the format from the first non-empty line. */
export function detectFormat(line: string): LogFormat {
  if (/^\S+ \S+ \S+ \[[^\]]+\] "/.test(line)) return 'combined';
  if (/query(\[[A-Z]+\])?:? |client [0-9a-f.:]+#\d+/i.test(line)) return 'dns';
  if (/^(<\d+>)?([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T)/.test(line)) return 'syslog';
  if ((line.match(/,/g) ?? []).length >= 2) return 'csv';
  return 'syslog';
}

/** Scans a file with one reused 4 MiB buffer (no allocation per chunk); `progress` gets the bytes read so far. */
export async function scanFile(file: string, index: IndicatorIndex, format: LogFormat, onMatch: (m: LineMatch) => void, progress?: (bytes: number, stats: ScanStats) => void): Promise<ScanStats> {
  const scanner = new LogScanner(index, format, onMatch);
  const fd = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await fd.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      scanner.push(buffer.subarray(0, bytesRead));
      progress?.(scanner.stats.bytes, scanner.stats);
    }
  } finally {
    await fd.close();
  }
  return scanner.end();
}

/** Scans a stream (a file, an upload) chunk by chunk; `progress` gets the bytes read so far. */
export async function scanStream(source: AsyncIterable<Buffer | string>, index: IndicatorIndex, format: LogFormat, onMatch: (m: LineMatch) => void, progress?: (bytes: number, stats: ScanStats) => void): Promise<ScanStats> {
  const scanner = new LogScanner(index, format, onMatch);
  for await (const chunk of source) {
    scanner.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    progress?.(scanner.stats.bytes, scanner.stats);
  }
  return scanner.end();
}
