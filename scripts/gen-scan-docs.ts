// Writes docs/scanning-checks.md from the check registry.
import fs from 'node:fs';
import { renderScanChecksDoc } from '../src/scanning/docs.js';

fs.writeFileSync(new URL('../docs/scanning-checks.md', import.meta.url), renderScanChecksDoc());
