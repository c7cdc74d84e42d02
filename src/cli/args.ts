// Argument parsers for `eoc` options. Kept apart from the database helpers so that offline commands (eoc rla)
// start without loading the server.
import { InvalidArgumentError } from 'commander';

export const choice = <T extends string>(values: readonly T[], what: string) => (value: string): T => {
  if (!(values as readonly string[]).includes(value)) throw new InvalidArgumentError(`${what} must be one of: ${values.join(', ')}`);
  return value as T;
};

export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};
