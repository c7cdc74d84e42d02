// TLS probing written by hand, as testssl.sh and sslscan do: a ClientHello is built byte by byte for each
// protocol version (SSL 3.0 to TLS 1.3) and a chosen list of cipher suites, and only the server's first
// answer is read — its ServerHello (the version and suite it picked) or its alert. No handshake is completed,
// so protocols and suites the local TLS library has dropped can still be offered and found on a server.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Guard } from './guard.js';
import { LEGACY_SUITES, TLS13_SUITES } from './tls-ciphers.js';

export const PROTOCOLS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const WIRE: Record<Protocol, number> = { SSLv3: 0x0300, 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };
const protocolOf = (wire: number): Protocol | null => PROTOCOLS.find((p) => WIRE[p] === wire) ?? null;

/** The ServerHello random that marks a HelloRetryRequest (RFC 8446 §4.1.3). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

const GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101];
const SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0808, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202];

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const list16 = (values: readonly number[]) => vec16(Buffer.concat(values.map(u16)));
const ext = (type: number, body: Buffer) => Buffer.concat([u16(type), vec16(body)]);

/** A ClientHello record offering exactly one protocol version and the given suites. */
export function clientHello(protocol: Protocol, suites: readonly number[], serverName?: string): Buffer {
  const tls13 = protocol === 'TLSv1.3';
  const extensions: Buffer[] = [];
  if (protocol !== 'SSLv3') {
    if (serverName && !net.isIP(serverName)) {
      const host = Buffer.from(serverName, 'ascii');
      extensions.push(ext(0x0000, vec16(Buffer.concat([u8(0), vec16(host)]))));
    }
    extensions.push(ext(0x000a, list16(GROUPS)));
    extensions.push(ext(0x000b, vec8(u8(0))));
    if (protocol === 'TLSv1.2' || tls13) extensions.push(ext(0x000d, list16(SIGNATURE_ALGORITHMS)));
    extensions.push(ext(0xff01, vec8(Buffer.alloc(0))));
    extensions.push(ext(0x0017, Buffer.alloc(0)));
    if (tls13) {
      extensions.push(ext(0x002b, vec8(u16(0x0304))));
      extensions.push(ext(0x002d, vec8(u8(1))));
      // Any 32 bytes are a valid X25519 public key; the server's answer comes before any use of it.
      extensions.push(ext(0x0033, vec16(Buffer.concat([u16(0x001d), vec16(randomBytes(32))]))));
    }
  }
  const cipherList = protocol === 'SSLv3' ? [...suites, 0x00ff] : suites;
  const body = Buffer.concat([
    u16(tls13 ? 0x0303 : WIRE[protocol]),
    randomBytes(32),
    vec8(tls13 ? randomBytes(32) : Buffer.alloc(0)),
    list16(cipherList),
    vec8(u8(0)),
    ...(extensions.length ? [vec16(Buffer.concat(extensions))] : []),
  ]);
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  return Buffer.concat([u8(0x16), u16(protocol === 'SSLv3' ? 0x0300 : 0x0301), u16(handshake.length), handshake]);
}

export type HelloAnswer =
  | { readonly outcome: 'accepted'; readonly protocol: Protocol | null; readonly wireVersion: number; readonly cipher: number; readonly retry: boolean; readonly certificates?: readonly Buffer[] }
  | { readonly outcome: 'refused'; readonly alert: number | null }
  | { readonly outcome: 'error'; readonly message: string };

/** Reads a ServerHello out of the first handshake bytes, or null when more bytes are needed. */
export function parseServerHello(handshake: Buffer): HelloAnswer | null {
  if (handshake.length < 4) return null;
  const type = handshake[0]!;
  const length = handshake.readUIntBE(1, 3);
  if (type !== 2) return { outcome: 'error', message: `the server answered with handshake message ${type}, not a ServerHello` };
  if (handshake.length < 4 + length) return null;
  const b = handshake.subarray(4, 4 + length);
  if (b.length < 38) return { outcome: 'error', message: 'the ServerHello is too short' };
  let version = b.readUInt16BE(0);
  const random = b.subarray(2, 34);
  const sidLength = b[34]!;
  let at = 35 + sidLength;
  if (b.length < at + 3) return { outcome: 'error', message: 'the ServerHello is cut short' };
  const cipher = b.readUInt16BE(at);
  at += 3;
  if (b.length >= at + 2) {
    const end = Math.min(b.length, at + 2 + b.readUInt16BE(at));
    at += 2;
    while (at + 4 <= end) {
      const extType = b.readUInt16BE(at);
      const extLength = b.readUInt16BE(at + 2);
      if (extType === 0x002b && extLength === 2) version = b.readUInt16BE(at + 4);
      at += 4 + extLength;
    }
  }
  return { outcome: 'accepted', protocol: protocolOf(version), wireVersion: version, cipher, retry: random.equals(HRR_RANDOM) };
}

/** The certificates of a Certificate handshake message (TLS 1.2 and older send it in the clear), leaf first. */
export function certificatesOf(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (body.length < 3) return out;
  const end = Math.min(body.length, 3 + body.readUIntBE(0, 3));
  for (let at = 3; at + 3 <= end; ) {
    const length = body.readUIntBE(at, 3);
    if (at + 3 + length > end) break;
    out.push(Buffer.from(body.subarray(at + 3, at + 3 + length)));
    at += 3 + length;
  }
  return out;
}

/** Complete handshake messages at the start of a buffer: [type, body]. */
function messages(buf: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let at = 0; at + 4 <= buf.length; ) {
    const length = buf.readUIntBE(at + 1, 3);
    if (at + 4 + length > buf.length) break;
    out.push([buf[at]!, buf.subarray(at + 4, at + 4 + length)]);
    at += 4 + length;
  }
  return out;
}

/**
 * Sends one ClientHello and reads the answer, within timeoutMs. With captureCertificate (TLS 1.2 and older),
 * reads on to the server's Certificate message, so a certificate can be judged even when no modern TLS library
 * can finish a handshake with the server.
 */
export async function sendHello(guard: Guard, address: string, port: number, hello: Buffer, timeoutMs: number, captureCertificate = false): Promise<HelloAnswer> {
  await guard.permit(address);
  return new Promise((resolve) => {
    const socket = guard.connect(address, port);
    let records = Buffer.alloc(0);
    let handshake = Buffer.alloc(0);
    let settled = false;
    const done = (answer: HelloAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ outcome: 'error', message: `no TLS answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => socket.write(hello));
    socket.on('error', (e) => done({ outcome: 'error', message: e.message }));
    socket.on('close', () => done({ outcome: 'refused', alert: null }));
    socket.on('data', (chunk: Buffer) => {
      records = Buffer.concat([records, chunk]);
      while (records.length >= 5) {
        const type = records[0]!;
        const length = records.readUInt16BE(3);
        if (type < 20 || type > 24 || records[1] !== 3 || length > 18_432) return done({ outcome: 'error', message: 'the answer is not TLS' });
        if (records.length < 5 + length) return;
        const payload = records.subarray(5, 5 + length);
        records = records.subarray(5 + length);
        if (type === 21) return done({ outcome: 'refused', alert: payload.length >= 2 ? payload[1]! : null });
        if (type !== 22) return done({ outcome: 'error', message: `unexpected TLS record type ${type} before the ServerHello` });
        handshake = Buffer.concat([handshake, payload]);
        const answer = parseServerHello(handshake);
        if (!answer) continue;
        if (!captureCertificate || answer.outcome !== 'accepted' || answer.wireVersion >= 0x0304 || answer.retry) return done(answer);
        const later = messages(handshake).slice(1);
        const cert = later.find(([t]) => t === 11);
        if (cert) return done({ ...answer, certificates: certificatesOf(cert[1]) });
        if (later.some(([t]) => t === 12 || t === 14)) return done(answer);
      }
    });
  });
}

export interface ProtocolResult {
  readonly protocol: Protocol;
  readonly offered: boolean;
  /** Suites the server accepted with this protocol, in the order found. */
  readonly ciphers: readonly number[];
  readonly error?: string;
}

export interface TlsEnumeration {
  readonly protocols: readonly ProtocolResult[];
  /** The server speaks TLS at all (answered a ClientHello with a ServerHello or an alert). */
  readonly speaksTls: boolean;
}

/**
 * Which protocol versions the server offers and, for each, which cipher suites it accepts: the suites it
 * picks are taken out of the offer one by one until it refuses (as sslscan does).
 */
export async function enumerateTls(guard: Guard, address: string, port: number, serverName: string | undefined, options: { timeoutMs: number; ciphers: boolean }): Promise<TlsEnumeration> {
  const results = await Promise.all(
    PROTOCOLS.map(async (protocol): Promise<ProtocolResult & { answered: boolean }> => {
      let remaining = (protocol === 'TLSv1.3' ? TLS13_SUITES : LEGACY_SUITES).map((s) => s.code);
      const accepted: number[] = [];
      let answered = false;
      for (let round = 0; remaining.length; round += 1) {
        const answer = await sendHello(guard, address, port, clientHello(protocol, remaining, serverName), options.timeoutMs);
        if (answer.outcome === 'error') return { protocol, offered: accepted.length > 0, ciphers: accepted, answered, ...(round === 0 ? { error: answer.message } : {}) };
        answered = true;
        if (answer.outcome === 'refused' || answer.protocol !== protocol || !remaining.includes(answer.cipher)) break;
        accepted.push(answer.cipher);
        if (!options.ciphers) break;
        remaining = remaining.filter((c) => c !== answer.cipher);
      }
      return { protocol, offered: accepted.length > 0, ciphers: accepted, answered };
    }),
  );
  return { protocols: results.map(({ answered: _answered, ...r }) => r), speaksTls: results.some((r) => r.answered) };
}
