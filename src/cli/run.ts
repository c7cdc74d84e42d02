// Runs a parsed `eoc` program: problems with the input exit with 2 and their details, anything else with 1.
import type { Command } from 'commander';
import { AppError } from '../platform/http/errors.js';

export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  // Output piped into a command that stops reading early (`eoc orgs list --json | head`): the rest of the
  // output goes nowhere and the command finishes its work as usual (rather than stopping with a stack trace,
  // or stopping half-way through what it was doing).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const message = error instanceof AppError ? `${error.message}${error.details.length ? `\n${error.details.map((d) => `  ${d.field ?? ''}: ${d.message}`).join('\n')}` : ''}` : error instanceof Error ? error.message : String(error);
    process.stderr.write(`eoc: ${message}\n`);
    process.exitCode = error instanceof AppError && error.status < 500 ? 2 : 1;
  }
}
