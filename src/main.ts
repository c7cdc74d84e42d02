// The `eoc` command: start a node, run migrations, manage the directory and tokens, load the demo,
// back up and restore, verify the audit log. Every command has --help; each group lives in src/cli/.
import { Command } from 'commander';
import { VERSION } from './app.js';
import { runProgram } from './cli/run.js';
import { registerStart } from './cli/start.js';
import { registerDirectory } from './cli/directory.js';
import { registerTokens } from './cli/tokens.js';
import { registerDemo } from './cli/demo.js';
import { registerBackup } from './cli/backup.js';
import { registerAudit } from './cli/audit.js';
import { registerTaxii } from './cli/taxii.js';
import { registerVulns } from './cli/vulns.js';
import { registerMatch } from './cli/match.js';
import { registerScan } from './cli/scan.js';
import { registerRla } from './cli/rla.js';

export function buildProgram(): Command {
  const program = new Command('eoc').description('Election Ops Center: a security operations platform for election offices').version(VERSION).showHelpAfterError();
  registerStart(program);
  registerDirectory(program);
  registerTokens(program);
  registerDemo(program);
  registerBackup(program);
  registerAudit(program);
  registerTaxii(program);
  registerVulns(program);
  registerMatch(program);
  registerScan(program);
  registerRla(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await runProgram(buildProgram(), argv);
}
