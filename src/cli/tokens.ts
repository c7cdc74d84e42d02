// `eoc tokens`: API tokens for machine clients (printed once, stored hashed).
import type { Command } from 'commander';
import { SYSTEM } from '../access/actor.js';
import { TOKEN_SCOPES, type TokenScope } from '../access/schema.js';
import { findUserByEmail } from '../access/users-service.js';
import { createToken, revokeToken } from '../access/tokens-service.js';
import { choice, dbOptions, positiveInt, print, withContext, type DbFlags } from './shared.js';

export function registerTokens(program: Command): void {
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
}
