// `eoc rla …` without loading the server: the offline audit checks start in a fraction of the time.
import { Command } from 'commander';
import { registerRla } from './rla.js';
import { runProgram } from './run.js';

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('eoc').showHelpAfterError();
  registerRla(program);
  await runProgram(program, argv);
}
