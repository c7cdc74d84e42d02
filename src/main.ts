// The `eoc` command: start a node, run migrations, manage the directory and tokens, load the demo,
// back up and restore, verify the audit log. Every command has --help.
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type ConfigOverrides } from './config.js';
import { createContext, startNode, VERSION } from './app.js';
import type { AppContext } from './platform/context.js';
import { SYSTEM } from './access/actor.js';
import { ORG_TYPES, PRIVATE_KINDS, TOKEN_SCOPES, USER_ROLES, type OrgType, type PrivateKind, type TokenScope, type UserRole } from './access/schema.js';
import { createOrg, listOrgs } from './access/orgs-service.js';
import { createUser, findUserByEmail, listUsers, setUserActive } from './access/users-service.js';
import { createToken, revokeToken } from './access/tokens-service.js';
import { issueSetupLink } from './access/setup-service.js';
import { verifyAuditLog, recordAuditNow } from './audit/service.js';
import { backupTo, restoreFrom } from './platform/db/backup.js';
import { loadDemo, printDemoSignIns } from './demo/load-demo.js';
import { AppError } from './platform/http/errors.js';

interface DbFlags {
  dataDir?: string;
  databaseUrl?: string;
}

function dbOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'embedded database directory (EOC_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); overrides --data-dir');
}

/** Database flags of any command; `users create --role` is a user's role, not the node's. */
function overridesOf(flags: DbFlags): ConfigOverrides {
  return {
    ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
    ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
  };
}

function startOverridesOf(flags: DbFlags & ConfigOverrides): ConfigOverrides {
  return {
    ...overridesOf(flags),
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.host ? { host: flags.host } : {}),
    ...(flags.role ? { role: flags.role } : {}),
  };
}

/** Runs a one-shot command against the database; the log is quiet so --json output stays clean. */
async function withContext<T>(flags: DbFlags, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...overridesOf(flags), logLevel: process.env.LOG_LEVEL ?? 'warn' });
  const ctx = await createContext(config);
  try {
    return await fn(ctx);
  } finally {
    await ctx.relay.stop();
    await ctx.signals.close();
    ctx.mailer.close();
    await ctx.database.close();
  }
}

function print(json: boolean | undefined, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

const choice = <T extends string>(values: readonly T[], what: string) => (value: string): T => {
  if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`${what} must be one of: ${values.join(', ')}`);
  return value as T;
};

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('--password-stdin reads the password from standard input; pipe it in (echo … | eoc users create …).');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function buildProgram(): Command {
  const program = new Command('eoc').description('Election Ops Center: a security operations platform for election offices').version(VERSION).showHelpAfterError();

  dbOptions(
    program
      .command('start')
      .description('Serve the web UI and API, and run the workers (embedded database unless DATABASE_URL is set)')
      .option('-p, --port <port>', 'HTTP port (PORT, default 8080)')
      .option('--host <host>', 'address to listen on (HOST, default 0.0.0.0)')
      .addOption(new Option('--role <role>', 'what this node runs (EOC_ROLE)').choices(['all', 'api', 'worker', 'scanner']))
      .option('--demo', 'load the demo community first (only into an empty installation)'),
  ).action(async (flags: DbFlags & ConfigOverrides & { demo?: boolean }) => {
    const config = loadConfig(startOverridesOf(flags));
    const role = config.role;
    const node = await startNode(config, { http: role === 'all' || role === 'api', workers: role === 'all' || role === 'worker' });
    const log = node.ctx.log;
    if (flags.demo) {
      const result = await loadDemo(node.ctx, { ifEmpty: true });
      if (result.loaded) printDemoSignIns(result, config.publicUrl);
      else process.stdout.write('The installation already has data; the demo was not loaded.\n');
    }
    if (node.app) {
      await node.app.listen({ port: config.port, host: config.host });
      const address = node.app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      process.stdout.write(`Election Ops Center ${VERSION} is running at http://localhost:${port} (${node.ctx.database.kind} database: ${node.ctx.database.location})\n`);
    }
    const setup = await issueSetupLink(node.ctx);
    if (setup) process.stdout.write(`\nFirst start: create the operations center and its administrator with this one-time link (valid 24 hours):\n  ${setup}\n\n`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      // Streams close and jobs in hand finish; a shutdown that hangs must not keep the process alive.
      setTimeout(() => {
        log.error('shutdown took longer than 20 s; exiting');
        process.exit(1);
      }, 20_000).unref();
      await node.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

  dbOptions(program.command('migrate').description('Apply database migrations and exit')).action(async (flags: DbFlags) => {
    await withContext(flags, async (ctx) => process.stdout.write(`Migrations applied (${ctx.database.kind}: ${ctx.database.location}).\n`));
  });

  const orgs = program.command('orgs').description('Manage organisations');
  dbOptions(
    orgs
      .command('create')
      .description('Create an organisation')
      .requiredOption('--name <name>', 'organisation name')
      .requiredOption('--type <type>', `one of: ${ORG_TYPES.join(', ')}`, choice(ORG_TYPES, '--type'))
      .option('--parent <id>', 'parent organisation id (required for local offices: their state)')
      .option('--fips <code>', 'FIPS code (2 digits for a state, 5 for a county)')
      .option('--state-code <code>', 'two-letter postal code of a state or territory')
      .option('--private-kind <kind>', `for private partners: ${PRIVATE_KINDS.join(', ')}`, choice(PRIVATE_KINDS, '--private-kind'))
      .option('--json', 'print JSON'),
  ).action(async (flags: DbFlags & { name: string; type: OrgType; parent?: string; fips?: string; stateCode?: string; privateKind?: PrivateKind; json?: boolean }) => {
    const org = await withContext(flags, (ctx) =>
      createOrg(ctx, SYSTEM, { name: flags.name, type: flags.type, parentId: flags.parent ?? null, fips: flags.fips ?? null, stateCode: flags.stateCode ?? null, privateKind: flags.privateKind ?? null }),
    );
    print(flags.json, { id: org.id, name: org.name, type: org.type, parentId: org.parentId }, `Created ${org.type} organisation "${org.name}" with id ${org.id}`);
  });
  dbOptions(
    orgs
      .command('list')
      .description('List organisations')
      .option('--type <type>', 'filter by type', choice(ORG_TYPES, '--type'))
      .option('--search <text>', 'name, FIPS code or state code')
      .option('--parent <id>', 'only the children of this organisation')
      .option('--json', 'print JSON'),
  ).action(async (flags: DbFlags & { type?: OrgType; search?: string; parent?: string; json?: boolean }) => {
    const items = await withContext(flags, async (ctx) => {
      const all = [];
      let after: string | undefined;
      for (;;) {
        const page = await listOrgs(ctx, SYSTEM, { limit: 200, ...(flags.type ? { type: flags.type } : {}), ...(flags.search ? { q: flags.search } : {}), ...(flags.parent ? { parentId: flags.parent } : {}), ...(after ? { after } : {}) });
        all.push(...page.items);
        if (!page.next) return all;
        after = page.next;
      }
    });
    print(flags.json, { items }, items.map((o) => `${o.id}  ${o.type.padEnd(17)} ${o.fips ?? ''.padEnd(0)}\t${o.name}`).join('\n') || 'No organisations.');
  });

  const users = program.command('users').description('Manage users');
  dbOptions(
    users
      .command('create')
      .description('Create a user; the password is read from standard input')
      .requiredOption('--org <id>', 'organisation id')
      .requiredOption('--email <email>', 'email address (the sign-in name)')
      .requiredOption('--role <role>', `one of: ${USER_ROLES.join(', ')}`, choice(USER_ROLES, '--role'))
      .option('--name <name>', 'display name')
      .option('--password-stdin', 'read the password from standard input')
      .option('--system-admin', 'make the user a system administrator of the installation')
      .option('--json', 'print JSON'),
  ).action(async (flags: DbFlags & { org: string; email: string; role: UserRole; name?: string; passwordStdin?: boolean; systemAdmin?: boolean; json?: boolean }) => {
    if (!flags.passwordStdin) throw new Error('Give --password-stdin and pipe the password in; passwords are never taken as arguments.');
    const password = await readStdin();
    const user = await withContext(flags, (ctx) =>
      createUser(ctx, SYSTEM, { orgId: flags.org, email: flags.email, role: flags.role, password, ...(flags.name ? { name: flags.name } : {}), ...(flags.systemAdmin ? { systemAdmin: true } : {}) }),
    );
    print(flags.json, { id: user.id, email: user.email, orgId: user.orgId, role: user.role }, `Created ${user.role} ${user.email} with id ${user.id}`);
  });
  dbOptions(users.command('list').description('List the users of an organisation').requiredOption('--org <id>', 'organisation id').option('--json', 'print JSON')).action(
    async (flags: DbFlags & { org: string; json?: boolean }) => {
      const items = await withContext(flags, (ctx) => listUsers(ctx, SYSTEM, flags.org));
      print(flags.json, { items }, items.map((u) => `${u.id}  ${u.role.padEnd(9)} ${u.active ? 'active     ' : 'deactivated'} ${u.email}`).join('\n') || 'No users.');
    },
  );
  dbOptions(users.command('deactivate').description('Deactivate a user: ends every session and token at once').argument('<email>', 'the user’s email').option('--json', 'print JSON')).action(
    async (email: string, flags: DbFlags & { json?: boolean }) => {
      const user = await withContext(flags, async (ctx) => {
        const u = await findUserByEmail(ctx, email);
        if (!u) throw new Error(`No user with the email ${email}.`);
        return setUserActive(ctx, SYSTEM, u.id, false);
      });
      print(flags.json, { id: user.id, active: user.active }, `Deactivated ${user.email}.`);
    },
  );

  const tokens = program.command('tokens').description('Manage API tokens');
  dbOptions(
    tokens
      .command('create')
      .description('Create an API token for a user; it is printed once')
      .requiredOption('--user <email>', 'the user the token acts as')
      .option('--name <name>', 'what the token is for', 'cli')
      .option('--scopes <list>', `comma-separated: ${TOKEN_SCOPES.join(', ')}`, 'read,write')
      .option('--expires <days>', 'days until it expires (default: never)', positiveInt)
      .option('--json', 'print JSON'),
  ).action(async (flags: DbFlags & { user: string; name: string; scopes: string; expires?: number; json?: boolean }) => {
    const scopes = flags.scopes.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of scopes) choice(TOKEN_SCOPES, '--scopes')(s);
    const created = await withContext(flags, async (ctx) => {
      const user = await findUserByEmail(ctx, flags.user);
      if (!user) throw new Error(`No user with the email ${flags.user}.`);
      return createToken(ctx, SYSTEM, { userId: user.id, name: flags.name, scopes: scopes as TokenScope[], expiresInDays: flags.expires ?? null });
    });
    print(flags.json, { token: created.token, id: created.id, expiresAt: created.expiresAt }, `${created.token}\n(token id ${created.id}; store it now, it is not shown again)`);
  });
  dbOptions(tokens.command('revoke').description('Revoke an API token').argument('<id>', 'token id').option('--json', 'print JSON')).action(async (id: string, flags: DbFlags & { json?: boolean }) => {
    await withContext(flags, (ctx) => revokeToken(ctx, SYSTEM, id));
    print(flags.json, { id, revoked: true }, `Revoked token ${id}.`);
  });

  dbOptions(program.command('demo').description('Load the demo community (operations center, every state and territory, real counties, users of every role, bulletins)').option('--force', 'load even if the installation has data').option('--json', 'print JSON')).action(
    async (flags: DbFlags & { force?: boolean; json?: boolean }) => {
      await withContext(flags, async (ctx) => {
        const result = await loadDemo(ctx, { ifEmpty: !flags.force });
        if (!result.loaded) throw new Error('The installation already has data; use --force to add the demo anyway.');
        if (flags.json) print(true, result, '');
        else printDemoSignIns(result, ctx.config.publicUrl);
      });
    },
  );

  dbOptions(program.command('backup').description('Write a backup of the whole installation (gzipped JSON lines)').argument('<file>', 'where to write it')).action(async (file: string, flags: DbFlags) => {
    const r = await withContext(flags, async (ctx) => {
      const result = await backupTo(ctx.db, file);
      await recordAuditNow(ctx.db, SYSTEM, { action: 'backup.created', details: { file, ...result } });
      return result;
    });
    process.stdout.write(`Backup written to ${file}: ${r.tables} tables, ${r.rows} rows.\n`);
  });
  dbOptions(program.command('restore').description('Replace all data with a backup (stop the server first)').argument('<file>', 'a file written by eoc backup').option('--yes', 'do not ask; required when not on a terminal')).action(
    async (file: string, flags: DbFlags & { yes?: boolean }) => {
      if (!flags.yes) throw new Error('Restoring replaces every record. Run again with --yes to confirm.');
      const r = await withContext(flags, async (ctx) => {
        const result = await restoreFrom(ctx.db, file);
        await recordAuditNow(ctx.db, SYSTEM, { action: 'backup.restored', details: { file, ...result } });
        return result;
      });
      process.stdout.write(`Restored ${r.rows} rows into ${r.tables} tables from ${file}.\n`);
    },
  );

  const audit = program.command('audit-log').description('The tamper-evident audit log');
  dbOptions(audit.command('verify').description('Check the hash chain; reports the first row that was altered or removed').option('--json', 'print JSON')).action(async (flags: DbFlags & { json?: boolean }) => {
    const result = await withContext(flags, (ctx) => verifyAuditLog(ctx.db));
    if (result.ok) print(flags.json, result, `Audit log intact: ${result.rows} rows, head ${result.head.slice(0, 16)}…`);
    else {
      print(flags.json, result, `Audit log TAMPERED: ${result.reason} (first bad row: ${result.firstBadSeq}).`);
      process.exitCode = 3;
    }
  });
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const message = error instanceof AppError ? `${error.message}${error.details.length ? `\n${error.details.map((d) => `  ${d.field ?? ''}: ${d.message}`).join('\n')}` : ''}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`eoc: ${message}\n`);
    process.exitCode = error instanceof AppError && error.status < 500 ? 2 : 1;
  }
}
