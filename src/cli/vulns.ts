// `eoc vulns import`: the vulnerability catalog from CISA's KEV catalog and CVE JSON 5 records (files, or
// folders of them such as a checkout of CVE.org's or CISA's vulnrichment repository). New and changed entries
// are matched against every inventory by the running platform's workers.
import fs from 'node:fs';
import type { Command } from 'commander';
import { SYSTEM } from '../access/actor.js';
import { importVulnerabilities } from '../vulns/service.js';
import { dbOptions, jsonFiles, print, withContext, type DbFlags } from './shared.js';

export function registerVulns(program: Command): void {
  const vulns = program.command('vulns').description("The vulnerability catalog (CVE records and CISA's Known Exploited Vulnerabilities)");
  dbOptions(
    vulns
      .command('import')
      .description('Import a KEV catalog (known_exploited_vulnerabilities.json) and CVE JSON 5 records, from files or folders')
      .argument('<paths...>', 'files or folders of .json files')
      .option('--json', 'print JSON'),
  ).action(async (paths: string[], flags: DbFlags & { json?: boolean }) => {
    const files = jsonFiles(paths);
    const totals = { files: files.length, received: 0, changed: 0, unchanged: 0, kevCatalogVersion: null as string | null, refused: [] as Array<{ file: string; reason: string }> };
    await withContext(flags, async (ctx) => {
      let batch: unknown[] = [];
      let batchFiles: string[] = [];
      const flush = async () => {
        if (!batch.length) return;
        const r = await importVulnerabilities(ctx, SYSTEM, batch);
        totals.received += r.received;
        totals.changed += r.changed;
        totals.unchanged += r.unchanged;
        for (const x of r.refused) totals.refused.push({ file: batchFiles[x.index]!, reason: x.reason });
        batch = [];
        batchFiles = [];
      };
      for (const file of files) {
        let doc: unknown;
        try {
          doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (error) {
          totals.refused.push({ file, reason: `not JSON: ${(error as Error).message}` });
          continue;
        }
        if (doc && typeof doc === 'object' && Array.isArray((doc as { vulnerabilities?: unknown }).vulnerabilities)) {
          const r = await importVulnerabilities(ctx, SYSTEM, doc);
          totals.received += r.received;
          totals.changed += r.changed;
          totals.unchanged += r.unchanged;
          totals.kevCatalogVersion = r.kevCatalogVersion;
          for (const x of r.refused) totals.refused.push({ file, reason: `entry ${x.index}: ${x.reason}` });
        } else {
          batch.push(doc);
          batchFiles.push(file);
          if (batch.length >= 1000) await flush();
        }
      }
      await flush();
    });
    print(flags.json, totals, [
      `${totals.received.toLocaleString('en-US')} vulnerabilities read from ${totals.files} file${totals.files === 1 ? '' : 's'}${totals.kevCatalogVersion ? ` (KEV catalog ${totals.kevCatalogVersion})` : ''}: ${totals.changed.toLocaleString('en-US')} new or changed, ${totals.unchanged.toLocaleString('en-US')} unchanged.`,
      ...totals.refused.slice(0, 20).map((r) => `  refused ${r.file}: ${r.reason}`),
      totals.changed ? 'The running platform matches them against every inventory now.' : '',
    ].filter(Boolean).join('\n'));
    if (totals.refused.length && !totals.received) process.exitCode = 2;
  });
}
