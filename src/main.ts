// The `eoc` command: start a node, run migrations, manage the directory and tokens, load the demo,
// back up and restore, verify the audit log. Every command has --help; each group lives in src/cli/.
import { Command } from 'commander';
import { VERSION } from './app.js';
import { AppError } from './platform/http/errors.js';
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
