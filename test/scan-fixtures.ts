// Loopback targets for the hygiene scanner and the monitors: certificates made on the spot (a test authority,
// expired, self-signed, mismatched, weak), a small authoritative DNS server whose answers a test can change,
// and a counter of connections so a test can prove an address was never contacted.
import 'reflect-metadata';
import dgram from 'node:dgram';
import net from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import packet from 'dns-packet';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface KeyAndCert {
  readonly key: string;
  readonly cert: string;
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

export interface CertOptions {
  readonly cn: string;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly bits?: number;
  readonly hash?: 'SHA-256' | 'SHA-1';
  /** Signed by this authority; self-signed when absent. */
  readonly issuer?: KeyAndCert;
  readonly ca?: boolean;
}

const DAY = 86_400_000;
let serial = 1;

export async function makeCert(o: CertOptions): Promise<KeyAndCert> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: o.hash ?? 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: o.bits ?? 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [...(o.dns ?? []).map((value) => ({ type: 'dns' as const, value })), ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(Boolean(o.ca), undefined, true),
    ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ...(o.ca ? [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)] : []),
  ];
  const common = { serialNumber: (serial++).toString(16).padStart(2, '0'), notBefore: o.notBefore ?? new Date(Date.now() - DAY), notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY), signingAlgorithm: alg, extensions };
  const certificate = o.issuer
    ? await x509.X509CertificateGenerator.create({ ...common, subject: `CN=${o.cn}`, issuer: o.issuer.certificate.subject, publicKey: keys.publicKey, signingKey: o.issuer.keys.privateKey })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${o.cn}`, keys });
  const key = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { key, cert: certificate.toString('pem'), certificate, keys };
}

export type Zone = Record<string, Partial<Record<'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'CAA' | 'DNSKEY' | 'DS', unknown[]>>>;

/** A DNS server on 127.0.0.1 answering from a zone the test may change at any time; silent for `silent` names. */
export async function startDnsServer(zone: Zone, options: { silent?: Set<string> } = {}): Promise<{ address: string; port: number; zone: Zone; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    let q: packet.DecodedPacket;
    try {
      q = packet.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    let name = question.name.toLowerCase();
    if (options.silent?.has(name)) return;
    const answers: packet.Answer[] = [];
    for (let hop = 0; hop < 8; hop += 1) {
      const records = zone[name];
      const cname = records?.CNAME?.[0];
      if (cname && question.type !== 'CNAME') {
        answers.push({ type: 'CNAME', name, ttl: 60, data: String(cname) } as packet.Answer);
        name = String(cname);
        continue;
      }
      for (const data of records?.[question.type as keyof Zone[string]] ?? []) answers.push({ type: question.type, name, ttl: 60, data } as packet.Answer);
      break;
    }
    const known = Object.keys(zone).some((n) => n === question.name.toLowerCase() || n.endsWith(`.${question.name.toLowerCase()}`));
    const reply = packet.encode({ type: 'response', id: q.id, flags: packet.RECURSION_AVAILABLE | (known ? 0 : 3), questions: q.questions, answers });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: '127.0.0.1', port: (socket.address() as net.AddressInfo).port, zone, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** Counts TCP connections to one address and port (for "never contacted" proofs); answers with `reply`. */
export async function startCountingServer(host: string, port: number, reply: (socket: net.Socket) => void = (s) => s.end()): Promise<{ connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    count += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    reply(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    connections: () => count,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** SSL 3.0 and TLS 1.0 with 3DES only: ServerHello, Certificate and ServerHelloDone, then the line is cut. */
export function legacyTlsServer(certificate: Buffer) {
  return (socket: net.Socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (hello: Buffer) => {
      try {
        const version = hello.readUInt16BE(9);
        const at = 44 + hello[43]!;
        const n = hello.readUInt16BE(at) / 2;
        const suites = Array.from({ length: n }, (_, i) => hello.readUInt16BE(at + 2 + i * 2));
        if ((version !== 0x0300 && version !== 0x0301 && version !== 0x0302 && version !== 0x0303) || !suites.includes(0x000a)) return socket.end(Buffer.from([21, 3, 1, 0, 2, 2, 40]));
        const chosen = Math.min(version, 0x0301);
        const u24 = (x: number) => Buffer.from([x >> 16, (x >> 8) & 0xff, x & 0xff]);
        const msg = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
        const serverHello = msg(2, Buffer.concat([Buffer.from([chosen >> 8, chosen & 0xff]), Buffer.alloc(32, 7), Buffer.from([0, 0x00, 0x0a, 0])]));
        const certs = Buffer.concat([u24(certificate.length), certificate]);
        const handshake = Buffer.concat([serverHello, msg(11, Buffer.concat([u24(certs.length), certs])), msg(14, Buffer.alloc(0))]);
        socket.end(Buffer.concat([Buffer.from([22, chosen >> 8, chosen & 0xff, handshake.length >> 8, handshake.length & 0xff]), handshake]));
      } catch {
        socket.destroy(); // not a ClientHello this server understands
      }
    });
  };
}
