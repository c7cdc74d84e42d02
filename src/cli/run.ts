// Runs a parsed `eoc` program: problems with the input exit with 2 and their details, anything else with 1.
import type { Command } from 'commander';
import { AppError } from '../platform/http/errors.js';

export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const message = error instanceof AppError ? `${error.message}${error.details.length ? `\n${error.details.map((d) => `  ${d.field ?? ''}: ${d.message}`).join('\n')}` : ''}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`eoc: ${message}\n`);
    process.exitCode = error instanceof AppError && error.status < 500 ? 2 : 1;
  }
}
