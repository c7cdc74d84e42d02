// `eoc audit-log verify`: checks the hash chain of the audit log.
import type { Command } from 'commander';
import { verifyAuditLog } from '../audit/service.js';
import { dbOptions, print, withContext, type DbFlags } from './shared.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit-log').description('The tamper-evident audit log');
  dbOptions(audit.command('verify').description('Check the hash chain; reports the first row that was altered or removed').option('--json', 'print JSON')).action(async (flags: DbFlags & { json?: boolean }) => {
    const result = await withContext(flags, (ctx) => verifyAuditLog(ctx.db));
    if (result.ok) print(flags.json, result, `Audit log intact: ${result.rows} rows, head ${result.head.slice(0, 16)}…`);
    else {
      print(flags.json, result, `Audit log TAMPERED: ${result.reason} (first bad row: ${result.firstBadSeq}).`);
      process.exitCode = 3;
    }
  });
}
