// `eoc demo`: the demo community.
import type { Command } from 'commander';
import { loadDemo, printDemoSignIns } from '../demo/load-demo.js';
import { dbOptions, print, withContext, type DbFlags } from './shared.js';

export function registerDemo(program: Command): void {
  dbOptions(program.command('demo').description('Load the demo community (operations center, every state and territory, real counties, users of every role, bulletins, elections, incidents, threat intelligence and an advisory)').option('--force', 'load even if the installation has data').option('--json', 'print JSON')).action(
    async (flags: DbFlags & { force?: boolean; json?: boolean }) => {
      await withContext(flags, async (ctx) => {
        const result = await loadDemo(ctx, { ifEmpty: !flags.force });
        if (!result.loaded) throw new Error('The installation already has data; use --force to add the demo anyway.');
        if (flags.json) print(true, result, '');
        else printDemoSignIns(result, ctx.config.publicUrl);
      });
    },
  );
}
