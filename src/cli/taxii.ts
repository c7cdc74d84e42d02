// `eoc taxii`: TAXII 2.1 collections of this installation (who reads, who writes, the default TLP).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { SYSTEM } from '../access/actor.js';
import { createCollection, listAllCollections } from '../intel/collections-service.js';
import { isUuid } from '../platform/http/schemas.js';
import { choice, dbOptions, print, withContext, type DbFlags } from './shared.js';


const orgList = (value: string): string[] => {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!isUuid(id)) throw new InvalidArgumentError(`"${id}" is not an organisation id (see eoc orgs list)`);
  return ids;
};

const readersOf = (value: string): 'all' | string[] => (value.trim() === 'all' ? 'all' : orgList(value));

export function registerTaxii(program: Command): void {
  const taxii = program.command('taxii').description('TAXII 2.1 server: collections and who may read or write them');
  const collections = taxii.command('collections').description('Manage TAXII collections');
  dbOptions(
    collections
      .command('create')
      .description('Create a collection; prints its id (the TAXII path is /taxii2/api/collections/ID/)')
      .requiredOption('--title <title>', 'what the collection holds')
      .requiredOption('--readers <list>', '"all" (every member organisation) or comma-separated organisation ids', readersOf)
      .option('--writers <list>', 'comma-separated organisation ids that may add objects', orgList, [] as string[])
      .option('--description <text>', 'a sentence for TAXII clients')
      .option('--default-tlp <tlp>', 'TLP of objects without a TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT', choice(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'] as const, '--default-tlp'), 'AMBER')
      .option('--json', 'print JSON'),
  ).action(async (flags: DbFlags & { title: string; readers: 'all' | string[]; writers: string[]; description?: string; defaultTlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT'; json?: boolean }) => {
    const c = await withContext(flags, (ctx) => createCollection(ctx, SYSTEM, { title: flags.title, description: flags.description ?? null, readers: flags.readers, writers: flags.writers, defaultTlp: flags.defaultTlp }));
    print(flags.json, { id: c.id, title: c.title, readers: c.readersAll ? 'all' : c.readerOrgs, writers: c.writerOrgs, defaultTlp: c.defaultTlp }, `Created collection ${c.id} (${c.title}).`);
  });
  dbOptions(collections.command('list').description('List every collection').option('--json', 'print JSON')).action(async (flags: DbFlags & { json?: boolean }) => {
    const rows = await withContext(flags, (ctx) => listAllCollections(ctx, SYSTEM));
    const items = rows.map((c) => ({ id: c.id, title: c.title, readers: c.readersAll ? 'all' : c.readerOrgs, writers: c.writerOrgs, defaultTlp: c.defaultTlp, objectsAdded: c.objectsAdded, lastAddedAt: c.lastAddedAt?.toISOString() ?? null }));
    const orgs = (n: number) => `${n} organisation${n === 1 ? '' : 's'}`;
    const text = items.map((c) =>
      `${c.id}  ${c.title}  readers: ${c.readers === 'all' ? 'all' : orgs(c.readers.length)}  writers: ${orgs(c.writers.length)}  default ${c.defaultTlp}  ${c.objectsAdded.toLocaleString('en-US')} object${c.objectsAdded === 1 ? '' : 's'} added${c.lastAddedAt ? `, the last at ${c.lastAddedAt}` : ''}`);
    print(flags.json, items, text.join('\n') || 'No collections yet.');
  });
}
