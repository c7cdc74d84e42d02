// The certificate a TLS server presents, fetched with a real handshake (the local TLS library, every
// protocol allowed) and judged: expiry, trust, self-signature, the host name, key strength and signature.
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Guard } from './guard.js';

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly subjectAltNames: readonly string[];
  readonly validFrom: string;
  readonly validTo: string;
  readonly daysLeft: number;
  readonly keyType: string;
  readonly keyBits: number | null;
  readonly signatureAlgorithm: string | null;
  readonly sha256: string;
  readonly selfSigned: boolean;
  /** Why the chain is not trusted (the TLS library's code), or null when it is. */
  readonly trustError: string | null;
  /** Why the certificate does not name the host, or null when it does (or the target was an address). */
  readonly nameError: string | null;
  readonly protocol: string | null;
}

const SIGNATURES: Record<string, string> = {
  '2a864886f70d010104': 'md5WithRSAEncryption',
  '2a864886f70d010105': 'sha1WithRSAEncryption',
  '2a864886f70d01010b': 'sha256WithRSAEncryption',
  '2a864886f70d01010c': 'sha384WithRSAEncryption',
  '2a864886f70d01010d': 'sha512WithRSAEncryption',
  '2a864886f70d01010a': 'rsassa-pss',
  '2a8648ce3d040301': 'ecdsa-with-SHA1',
  '2a8648ce3d040302': 'ecdsa-with-SHA256',
  '2a8648ce3d040303': 'ecdsa-with-SHA384',
  '2a8648ce3d040304': 'ecdsa-with-SHA512',
  '2a8648ce380403': 'dsa-with-sha1',
  '2b6570': 'Ed25519',
  '2b6571': 'Ed448',
};

/** The signatureAlgorithm of a DER certificate: SEQUENCE { tbsCertificate, signatureAlgorithm, signature }. */
export function signatureAlgorithmOf(der: Buffer): string | null {
  const header = (at: number): { tag: number; start: number; length: number } | null => {
    if (at + 2 > der.length) return null;
    const tag = der[at]!;
    let length = der[at + 1]!;
    let start = at + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n < 1 || n > 4 || start + n > der.length) return null;
      length = der.readUIntBE(start, n);
      start += n;
    }
    return { tag, start, length };
  };
  const cert = header(0);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = header(cert.start);
  if (!tbs) return null;
  const alg = header(tbs.start + tbs.length);
  if (!alg || alg.tag !== 0x30) return null;
  const oid = header(alg.start);
  if (!oid || oid.tag !== 0x06) return null;
  const hex = der.subarray(oid.start, oid.start + oid.length).toString('hex');
  return SIGNATURES[hex] ?? `oid:${hex}`;
}

export const weakSignature = (alg: string | null): boolean => Boolean(alg && /md5|sha1|SHA1/.test(alg));

/** Key strength below today's minimum: RSA/DSA under 2048 bits, elliptic curves under 224. */
export function weakKey(type: string, bits: number | null): boolean {
  if (bits === null) return false;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') return bits < 2048;
  if (type === 'ec') return bits < 224;
  return false;
}

/** Connects with the local TLS library and describes the certificate, or gives the handshake error. */
export async function fetchCertificate(guard: Guard, address: string, port: number, serverName: string | undefined, options: { timeoutMs: number; ca?: readonly string[]; now?: Date }): Promise<CertificateInfo | { error: string }> {
  await guard.permit(address);
  return new Promise((resolve) => {
    const raw = guard.connect(address, port);
    let settled = false;
    const socket = tls.connect({
      socket: raw,
      ...(serverName && !/^[0-9.:]+$/.test(serverName) ? { servername: serverName } : {}),
      rejectUnauthorized: false,
      // The chain only: the name is judged separately (describeCertificate), for host names and addresses alike.
      checkServerIdentity: () => undefined,
      minVersion: 'TLSv1',
      // Old servers must still be described, so no cipher or key is refused at this step.
      ciphers: 'ALL:@SECLEVEL=0',
      ...(options.ca?.length ? { ca: [...tls.rootCertificates, ...options.ca] } : {}),
    });
    const done = (value: CertificateInfo | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done({ error: `the TLS handshake did not finish within ${options.timeoutMs} ms` }), options.timeoutMs);
    socket.on('error', (e) => done({ error: e.message }));
    socket.on('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      if (!peer || !peer.raw) return done({ error: 'the server presented no certificate' });
      const authError = socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : null;
      done(describeCertificate(new X509Certificate(peer.raw), serverName, { trustError: authError, now: options.now, protocol: socket.getProtocol() }));
    });
  });
}

/** Judges a certificate: validity, self-signature, key, signature and the host name; trust as the caller found it. */
export function describeCertificate(x509: X509Certificate, serverName: string | undefined, o: { trustError: string | null; now?: Date | undefined; protocol: string | null }): CertificateInfo {
  const now = o.now ?? new Date();
  const validTo = new Date(x509.validTo);
  const key = x509.publicKey;
  const keyType = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  let nameError: string | null = null;
  if (serverName) {
    const ok = net.isIP(serverName) ? x509.checkIP(serverName) : x509.checkHost(serverName, { subject: 'default' });
    if (!ok) nameError = `${serverName} is not among the names the certificate is for (${x509.subjectAltName ?? x509.subject.replace(/\n/g, ', ')})`;
  }
  return {
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    subjectAltNames: (x509.subjectAltName ?? '').split(/,\s*/).filter(Boolean),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now.getTime()) / 86_400_000),
    keyType,
    keyBits: details.modulusLength ?? (details.namedCurve ? curveBits(details.namedCurve) : null),
    signatureAlgorithm: signatureAlgorithmOf(x509.raw),
    sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase(),
    selfSigned: x509.checkIssued(x509) && x509.verify(key),
    trustError: o.trustError,
    nameError,
    protocol: o.protocol,
  };
}

let roots: X509Certificate[] | null = null;

/**
 * Whether a chain (leaf first, as a server sends it) leads to a trusted authority, for servers the local TLS
 * library cannot complete a handshake with (SSL 3.0, 3DES only): the TLS library's error code, or null.
 */
export function verifyChain(chain: readonly X509Certificate[], extraCa: readonly string[] = []): string | null {
  const leaf = chain[0];
  if (!leaf) return 'NO_CERTIFICATE';
  roots ??= tls.rootCertificates.map((pem) => new X509Certificate(pem));
  const anchors = [...roots, ...extraCa.flatMap((pem) => pem.split(/(?=-----BEGIN CERTIFICATE-----)/).filter((p) => p.includes('BEGIN CERTIFICATE')).map((p) => new X509Certificate(p)))];
  if (leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey)) return anchors.some((a) => a.fingerprint256 === leaf.fingerprint256) ? null : 'DEPTH_ZERO_SELF_SIGNED_CERT';
  let current = leaf;
  for (let depth = 0; depth < 8; depth += 1) {
    const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
    if (anchor) return null;
    const next = chain.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (!next) return depth === 0 ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : 'UNABLE_TO_GET_ISSUER_CERT';
    if (next.checkIssued(next)) return 'SELF_SIGNED_CERT_IN_CHAIN';
    current = next;
  }
  return 'CERT_CHAIN_TOO_LONG';
}

function curveBits(curve: string): number | null {
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : curve === 'prime256v1' ? 256 : null;
}
