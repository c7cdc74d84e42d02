// `eoc start` (a node: web UI, API, workers) and `eoc migrate`.
import { Option, type Command } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { startNode, VERSION } from '../app.js';
import { issueSetupLink } from '../access/setup-service.js';
import { loadDemo, printDemoSignIns } from '../demo/load-demo.js';
import { dbOptions, startOverridesOf, withContext, type DbFlags } from './shared.js';

export function registerStart(program: Command): void {
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
    const node = await startNode(config, { http: role === 'all' || role === 'api', workers: role === 'all' || role === 'worker', scanner: role === 'all' || role === 'scanner' });
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
}
