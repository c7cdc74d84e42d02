// `eoc orgs` and `eoc users`: the directory from the command line.
import type { Command } from 'commander';
import { SYSTEM } from '../access/actor.js';
import { ORG_TYPES, PRIVATE_KINDS, USER_ROLES, type OrgType, type PrivateKind, type UserRole } from '../access/schema.js';
import { createOrg, listOrgs } from '../access/orgs-service.js';
import { createUser, findUserByEmail, listUsers, setUserActive } from '../access/users-service.js';
import { choice, dbOptions, print, readStdin, withContext, type DbFlags } from './shared.js';

export function registerDirectory(program: Command): void {
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
}
