// TLS cipher suites by their IANA code, with what makes one weak. Written out here because the scanner offers
// suites the local TLS library no longer implements (RC4, DES, export, NULL) to find servers that still accept
// them; no handshake is completed with them.

export interface CipherSuite {
  readonly code: number;
  readonly name: string;
}

const T = (code: number, name: string): CipherSuite => ({ code, name: `TLS_${name}` });

export const TLS13_SUITES: readonly CipherSuite[] = [
  T(0x1301, 'AES_128_GCM_SHA256'),
  T(0x1302, 'AES_256_GCM_SHA384'),
  T(0x1303, 'CHACHA20_POLY1305_SHA256'),
  T(0x1304, 'AES_128_CCM_SHA256'),
  T(0x1305, 'AES_128_CCM_8_SHA256'),
];

/** Suites for SSL 3.0 to TLS 1.2, strongest first. */
export const LEGACY_SUITES: readonly CipherSuite[] = [
  T(0xc02c, 'ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'),
  T(0xc030, 'ECDHE_RSA_WITH_AES_256_GCM_SHA384'),
  T(0xcca9, 'ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'),
  T(0xcca8, 'ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'),
  T(0xc02b, 'ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'),
  T(0xc02f, 'ECDHE_RSA_WITH_AES_128_GCM_SHA256'),
  T(0xc0ad, 'ECDHE_ECDSA_WITH_AES_256_CCM'),
  T(0xc0ac, 'ECDHE_ECDSA_WITH_AES_128_CCM'),
  T(0xc0af, 'ECDHE_ECDSA_WITH_AES_256_CCM_8'),
  T(0xc0ae, 'ECDHE_ECDSA_WITH_AES_128_CCM_8'),
  T(0xc05d, 'ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384'),
  T(0xc05c, 'ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256'),
  T(0xc061, 'ECDHE_RSA_WITH_ARIA_256_GCM_SHA384'),
  T(0xc060, 'ECDHE_RSA_WITH_ARIA_128_GCM_SHA256'),
  T(0x009f, 'DHE_RSA_WITH_AES_256_GCM_SHA384'),
  T(0xccaa, 'DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'),
  T(0x009e, 'DHE_RSA_WITH_AES_128_GCM_SHA256'),
  T(0x00a3, 'DHE_DSS_WITH_AES_256_GCM_SHA384'),
  T(0x00a2, 'DHE_DSS_WITH_AES_128_GCM_SHA256'),
  T(0xc09f, 'DHE_RSA_WITH_AES_256_CCM'),
  T(0xc09e, 'DHE_RSA_WITH_AES_128_CCM'),
  T(0xc0a3, 'DHE_RSA_WITH_AES_256_CCM_8'),
  T(0xc0a2, 'DHE_RSA_WITH_AES_128_CCM_8'),
  T(0xc053, 'DHE_RSA_WITH_ARIA_256_GCM_SHA384'),
  T(0xc052, 'DHE_RSA_WITH_ARIA_128_GCM_SHA256'),
  T(0xc024, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'),
  T(0xc028, 'ECDHE_RSA_WITH_AES_256_CBC_SHA384'),
  T(0xc023, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'),
  T(0xc027, 'ECDHE_RSA_WITH_AES_128_CBC_SHA256'),
  T(0xc073, 'ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384'),
  T(0xc077, 'ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384'),
  T(0xc072, 'ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'),
  T(0xc076, 'ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'),
  T(0xc00a, 'ECDHE_ECDSA_WITH_AES_256_CBC_SHA'),
  T(0xc014, 'ECDHE_RSA_WITH_AES_256_CBC_SHA'),
  T(0xc009, 'ECDHE_ECDSA_WITH_AES_128_CBC_SHA'),
  T(0xc013, 'ECDHE_RSA_WITH_AES_128_CBC_SHA'),
  T(0x006b, 'DHE_RSA_WITH_AES_256_CBC_SHA256'),
  T(0x0067, 'DHE_RSA_WITH_AES_128_CBC_SHA256'),
  T(0x006a, 'DHE_DSS_WITH_AES_256_CBC_SHA256'),
  T(0x0040, 'DHE_DSS_WITH_AES_128_CBC_SHA256'),
  T(0x00c4, 'DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256'),
  T(0x00be, 'DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'),
  T(0x0039, 'DHE_RSA_WITH_AES_256_CBC_SHA'),
  T(0x0033, 'DHE_RSA_WITH_AES_128_CBC_SHA'),
  T(0x0038, 'DHE_DSS_WITH_AES_256_CBC_SHA'),
  T(0x0032, 'DHE_DSS_WITH_AES_128_CBC_SHA'),
  T(0x0088, 'DHE_RSA_WITH_CAMELLIA_256_CBC_SHA'),
  T(0x0045, 'DHE_RSA_WITH_CAMELLIA_128_CBC_SHA'),
  T(0x009d, 'RSA_WITH_AES_256_GCM_SHA384'),
  T(0x009c, 'RSA_WITH_AES_128_GCM_SHA256'),
  T(0xc09d, 'RSA_WITH_AES_256_CCM'),
  T(0xc09c, 'RSA_WITH_AES_128_CCM'),
  T(0xc0a1, 'RSA_WITH_AES_256_CCM_8'),
  T(0xc0a0, 'RSA_WITH_AES_128_CCM_8'),
  T(0xc051, 'RSA_WITH_ARIA_256_GCM_SHA384'),
  T(0xc050, 'RSA_WITH_ARIA_128_GCM_SHA256'),
  T(0x003d, 'RSA_WITH_AES_256_CBC_SHA256'),
  T(0x003c, 'RSA_WITH_AES_128_CBC_SHA256'),
  T(0x00c0, 'RSA_WITH_CAMELLIA_256_CBC_SHA256'),
  T(0x00ba, 'RSA_WITH_CAMELLIA_128_CBC_SHA256'),
  T(0x0035, 'RSA_WITH_AES_256_CBC_SHA'),
  T(0x002f, 'RSA_WITH_AES_128_CBC_SHA'),
  T(0x0084, 'RSA_WITH_CAMELLIA_256_CBC_SHA'),
  T(0x0041, 'RSA_WITH_CAMELLIA_128_CBC_SHA'),
  T(0x0096, 'RSA_WITH_SEED_CBC_SHA'),
  T(0x0007, 'RSA_WITH_IDEA_CBC_SHA'),
  // Broken: 3DES (Sweet32), DES, RC4, NULL, anonymous and export suites.
  T(0xc012, 'ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'),
  T(0xc008, 'ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'),
  T(0x0016, 'DHE_RSA_WITH_3DES_EDE_CBC_SHA'),
  T(0x0013, 'DHE_DSS_WITH_3DES_EDE_CBC_SHA'),
  T(0x000a, 'RSA_WITH_3DES_EDE_CBC_SHA'),
  T(0x0015, 'DHE_RSA_WITH_DES_CBC_SHA'),
  T(0x0012, 'DHE_DSS_WITH_DES_CBC_SHA'),
  T(0x0009, 'RSA_WITH_DES_CBC_SHA'),
  T(0xc011, 'ECDHE_RSA_WITH_RC4_128_SHA'),
  T(0xc007, 'ECDHE_ECDSA_WITH_RC4_128_SHA'),
  T(0x0005, 'RSA_WITH_RC4_128_SHA'),
  T(0x0004, 'RSA_WITH_RC4_128_MD5'),
  T(0xc019, 'ECDH_anon_WITH_AES_256_CBC_SHA'),
  T(0xc018, 'ECDH_anon_WITH_AES_128_CBC_SHA'),
  T(0xc017, 'ECDH_anon_WITH_3DES_EDE_CBC_SHA'),
  T(0xc016, 'ECDH_anon_WITH_RC4_128_SHA'),
  T(0x00a7, 'DH_anon_WITH_AES_256_GCM_SHA384'),
  T(0x00a6, 'DH_anon_WITH_AES_128_GCM_SHA256'),
  T(0x006d, 'DH_anon_WITH_AES_256_CBC_SHA256'),
  T(0x006c, 'DH_anon_WITH_AES_128_CBC_SHA256'),
  T(0x003a, 'DH_anon_WITH_AES_256_CBC_SHA'),
  T(0x0034, 'DH_anon_WITH_AES_128_CBC_SHA'),
  T(0x001b, 'DH_anon_WITH_3DES_EDE_CBC_SHA'),
  T(0x001a, 'DH_anon_WITH_DES_CBC_SHA'),
  T(0x0018, 'DH_anon_WITH_RC4_128_MD5'),
  T(0x0064, 'RSA_EXPORT1024_WITH_RC4_56_SHA'),
  T(0x0062, 'RSA_EXPORT1024_WITH_DES_CBC_SHA'),
  T(0x0014, 'DHE_RSA_EXPORT_WITH_DES40_CBC_SHA'),
  T(0x0011, 'DHE_DSS_EXPORT_WITH_DES40_CBC_SHA'),
  T(0x0019, 'DH_anon_EXPORT_WITH_DES40_CBC_SHA'),
  T(0x0017, 'DH_anon_EXPORT_WITH_RC4_40_MD5'),
  T(0x0008, 'RSA_EXPORT_WITH_DES40_CBC_SHA'),
  T(0x0006, 'RSA_EXPORT_WITH_RC2_CBC_40_MD5'),
  T(0x0003, 'RSA_EXPORT_WITH_RC4_40_MD5'),
  T(0xc010, 'ECDHE_RSA_WITH_NULL_SHA'),
  T(0xc006, 'ECDHE_ECDSA_WITH_NULL_SHA'),
  T(0xc015, 'ECDH_anon_WITH_NULL_SHA'),
  T(0x003b, 'RSA_WITH_NULL_SHA256'),
  T(0x0002, 'RSA_WITH_NULL_SHA'),
  T(0x0001, 'RSA_WITH_NULL_MD5'),
];

const BY_CODE = new Map([...TLS13_SUITES, ...LEGACY_SUITES].map((s) => [s.code, s]));

export function suiteName(code: number): string {
  return BY_CODE.get(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}

export const hexCode = (code: number): string => `0x${code.toString(16).padStart(4, '0')}`;

/** Why a suite is broken (NULL, anonymous, export, RC4, DES, 3DES, MD5), or null when it is not. */
export function brokenBecause(name: string): string | null {
  if (/_NULL_|WITH_NULL/.test(name)) return 'no encryption (NULL)';
  if (/_anon_/.test(name)) return 'no authentication (anonymous)';
  if (/EXPORT/.test(name)) return 'export-grade';
  if (/RC4/.test(name)) return 'RC4';
  if (/3DES/.test(name)) return '3DES (Sweet32)';
  if (/_DES(40)?_/.test(name)) return 'DES';
  if (/RC2|IDEA/.test(name)) return 'obsolete cipher';
  if (/_MD5$/.test(name)) return 'MD5';
  return null;
}

/** Plain RSA key exchange: recorded traffic can be decrypted later with the server's key. */
export const withoutForwardSecrecy = (name: string): boolean => /^TLS_RSA_/.test(name);
