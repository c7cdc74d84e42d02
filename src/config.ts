// Environment and command-line flags → one typed, validated configuration, read once at start.
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  natsUrl: Type.Optional(Type.String({ pattern: '^(nats|tls)://' })),
  smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  mailFrom: Type.String({ minLength: 3 }),
  publicUrl: Type.String({ pattern: '^https?://' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  trustProxy: Type.Boolean(),
  secureCookies: Type.Union([Type.Literal('auto'), Type.Boolean()]),
  role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker'), Type.Literal('scanner')]),
  nodeId: Type.String({ minLength: 1 }),
  /** Requests per minute per client address for unauthenticated and sign-in routes. */
  authRateLimit: Type.Integer({ minimum: 1 }),
  /** Requests per minute per client for everything else; 0 turns the general limit off. */
  apiRateLimit: Type.Integer({ minimum: 0 }),
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  attachmentLimitBytes: Type.Integer({ minimum: 1024 }),
  /** The largest TAXII POST or STIX bundle upload (TAXII's max_content_length). */
  taxiiMaxContentLength: Type.Integer({ minimum: 1024 }),
  /** A folder of the OASIS STIX 2.1 JSON schemas; when set, objects are also checked against them. */
  stixSchemaDir: Type.Optional(Type.String({ minLength: 1 })),
  /** Let webhooks call http:// and loopback addresses (tests, a receiver on the same host). Off: https to public addresses only. */
  webhookAllowLoopback: Type.Boolean(),
  /** Serve repeated reads (identities, inbox pages, counts) from memory until the database reports a change. */
  readCache: Type.Boolean(),
  /** The time zone whose calendar decides "today" for elections (countdown, election-day mode). */
  timeZone: Type.String({ minLength: 1 }),
  /** DNS servers the hygiene scanner asks ("127.0.0.1:5353"); empty: the system resolvers. */
  /** Certificate authorities (PEM) the scanner and monitors trust besides the public ones (a private authority). */
  scanCa: Type.Array(Type.String({ minLength: 1 })),
  scanDnsServers: Type.Array(Type.String({ pattern: '^(\\[[0-9a-fA-F:]+\\]|[0-9.]+|[0-9a-fA-F:]+)(:\\d{1,5})?$' })),
});

export type Config = Static<typeof ConfigSchema>;

export interface ConfigOverrides {
  readonly port?: number | string;
  readonly host?: string;
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly natsUrl?: string;
  readonly role?: string;
  readonly logLevel?: string;
}

function intOf(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : Number.NaN;
}

function boolOf(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** Builds the configuration from flags (which win) and the environment; throws one readable error listing every bad value. */
function validTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new Error(`Invalid configuration:\n  timeZone: EOC_TIME_ZONE must be an IANA time zone such as America/Chicago (got ${JSON.stringify(tz)})`);
  }
}

/** EOC_SCAN_CA_FILE must be a PEM file of certificates: checked at start. */
function caFile(file: string): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`Invalid configuration:\n  scanCa: EOC_SCAN_CA_FILE must be a PEM file of certificates (${file})`);
  return text;
}

/** EOC_STIX_SCHEMA_DIR must hold the OASIS schemas: checked at start, not at the first object stored. */
function schemaDir(dir: string): string {
  if (!fs.existsSync(path.join(dir, 'sdos', 'indicator.json'))) {
    throw new Error(`Invalid configuration:\n  stixSchemaDir: EOC_STIX_SCHEMA_DIR must be the schemas/ folder of the OASIS STIX 2.1 JSON schemas (no sdos/indicator.json in ${dir})`);
  }
  return dir;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const port = intOf(overrides.port ?? env.PORT, 8080);
  const host = overrides.host ?? env.HOST ?? '0.0.0.0';
  const secure = env.EOC_SECURE_COOKIES;
  const candidate = {
    port,
    host,
    dataDir: path.resolve(overrides.dataDir ?? env.EOC_DATA_DIR ?? './data'),
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    natsUrl: overrides.natsUrl ?? (env.NATS_URL || undefined),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.EOC_MAIL_FROM ?? 'Election Ops Center <no-reply@localhost>',
    publicUrl: (env.EOC_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    trustProxy: boolOf(env.EOC_TRUST_PROXY, false),
    secureCookies: secure === undefined || secure === '' || secure === 'auto' ? 'auto' : boolOf(secure, false),
    role: overrides.role ?? env.EOC_ROLE ?? 'all',
    nodeId: env.EOC_NODE_ID ?? `node-${process.pid}`,
    authRateLimit: intOf(env.EOC_AUTH_RATE_LIMIT, 30),
    apiRateLimit: intOf(env.EOC_API_RATE_LIMIT, 0),
    bodyLimitBytes: intOf(env.EOC_BODY_LIMIT_BYTES, 1024 * 1024),
    attachmentLimitBytes: intOf(env.EOC_ATTACHMENT_LIMIT_BYTES, 10 * 1024 * 1024),
    taxiiMaxContentLength: intOf(env.EOC_TAXII_MAX_CONTENT_LENGTH, 64 * 1024 * 1024),
    stixSchemaDir: env.EOC_STIX_SCHEMA_DIR ? schemaDir(path.resolve(env.EOC_STIX_SCHEMA_DIR)) : undefined,
    webhookAllowLoopback: boolOf(env.EOC_WEBHOOK_ALLOW_LOOPBACK, false),
    readCache: boolOf(env.EOC_READ_CACHE, true),
    timeZone: validTimeZone(env.EOC_TIME_ZONE ?? 'America/New_York'),
    scanDnsServers: (env.EOC_SCAN_DNS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    scanCa: env.EOC_SCAN_CA_FILE ? [caFile(path.resolve(env.EOC_SCAN_CA_FILE))] : [],
  };
  const errors = [...Value.Errors(ConfigSchema, candidate)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.path.slice(1) || '(root)'}: ${e.message} (got ${JSON.stringify(e.value)})`);
    throw new Error(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  return candidate as Config;
}
