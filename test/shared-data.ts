// Where the reference data lives (OASIS STIX schemas and examples, MITRE ATT&CK bundles, CISA KEV…): the
// `shared/data` folder beside the project, read at run time and never copied into the repository.
// EOC_SHARED_DATA points elsewhere. A missing folder fails the tests that need it, loudly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function sharedDataDir(): string {
  const dir = process.env.EOC_SHARED_DATA ? path.resolve(process.env.EOC_SHARED_DATA) : path.resolve(root, '..', 'shared', 'data');
  if (!fs.existsSync(path.join(dir, 'stix2.1-schemas'))) {
    throw new Error(`The reference data is not at ${dir}: clone the project beside the shared/ folder, or set EOC_SHARED_DATA.`);
  }
  return dir;
}

/** A file or folder of the reference data. */
export function sharedData(...parts: string[]): string {
  return path.join(sharedDataDir(), ...parts);
}
