// Tables of the directory and identity: organisations, contacts, users, sessions, MFA, API tokens, invitations.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, textArray } from '../platform/db/columns.js';

export const ORG_TYPES = ['operations-center', 'federal', 'state', 'territory', 'local', 'tribal', 'private'] as const;
export type OrgType = (typeof ORG_TYPES)[number];
export const orgTypeEnum = pgEnum('org_type', ORG_TYPES);

export const PRIVATE_KINDS = ['vendor', 'hosting-provider'] as const;
export type PrivateKind = (typeof PRIVATE_KINDS)[number];

export const USER_ROLES = ['org-admin', 'analyst', 'member', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const userRoleEnum = pgEnum('user_role', USER_ROLES);

export const CONTACT_ROLES = ['director', 'it', 'communications', 'voting-system-lead', 'e-pollbook-lead'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const orgs = pgTable(
  'orgs',
  {
    id: id(),
    name: text('name').notNull(),
    type: orgTypeEnum('type').notNull(),
    /** For private partners: vendor or hosting-provider. */
    privateKind: text('private_kind'),
    parentId: uuid('parent_id'),
    /** State FIPS (2 digits) or county FIPS (5 digits) where they apply. */
    fips: text('fips'),
    /** Two-letter postal code of a state or territory, or of a local office's state. */
    stateCode: text('state_code'),
    active: boolean('active').notNull().default(true),
    /** The office lets its state see the threats matched against its inventory (victim notifications). */
    shareMatchesWithState: boolean('share_matches_with_state').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    index('orgs_parent_idx').on(t.parentId),
    uniqueIndex('orgs_name_parent_uq').on(sql`lower(${t.name})`, sql`coalesce(${t.parentId}, '00000000-0000-0000-0000-000000000000'::uuid)`),
    index('orgs_name_lower_idx').on(sql`lower(${t.name}) text_pattern_ops`),
  ],
);

export const orgContacts = pgTable(
  'org_contacts',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    rank: text('rank').notNull(), // primary | backup
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
  },
  (t) => [uniqueIndex('org_contacts_role_rank_uq').on(t.orgId, t.role, t.rank)],
);

export const users = pgTable(
  'users',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => orgs.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: userRoleEnum('role').notNull(),
    /** The community's system administrators (the first operations-center admin and whoever they name). */
    systemAdmin: boolean('system_admin').notNull().default(false),
    passwordHash: text('password_hash'),
    active: boolean('active').notNull().default(true),
    mfaSecret: text('mfa_secret'),
    /** A secret being enrolled; it replaces mfa_secret only once a code from it is confirmed. */
    mfaPendingSecret: text('mfa_pending_secret'),
    mfaEnabled: boolean('mfa_enabled').notNull().default(false),
    /** The last TOTP time step accepted: a code is never accepted twice. */
    mfaLastStep: integer('mfa_last_step'),
    recoveryCodes: textArray('recovery_codes'),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    preferences: jsonb('preferences').notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('users_email_uq').on(sql`lower(${t.email})`),
    index('users_org_idx').on(t.orgId),
    // Finds the few who turned on a notification that is off by default, without reading every user.
    index('users_preferences_idx').using('gin', t.preferences.op('jsonb_path_ops')),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value; the value itself is never stored. */
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    mfaVerified: boolean('mfa_verified').notNull().default(false),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the secret part; tokens are 256-bit random so a slow hash adds nothing. */
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    scopes: textArray('scopes'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => orgs.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: userRoleEnum('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: uuid('invited_by').references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('invitations_hash_uq').on(t.tokenHash)],
);

/** Installation-wide one-row facts: the one-time setup link, the node that created the install. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
