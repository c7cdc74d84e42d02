// `eoc backup` and `eoc restore`.
import type { Command } from 'commander';
import { SYSTEM } from '../access/actor.js';
import { recordAuditNow } from '../audit/service.js';
import { backupTo, restoreFrom } from '../platform/db/backup.js';
import { dbOptions, withContext, type DbFlags } from './shared.js';

export function registerBackup(program: Command): void {
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
}
