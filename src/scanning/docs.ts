// Renders docs/scanning-checks.md from the check registry, so the documentation cannot drift from the code.
import { CHECKS, type CheckArea } from './checks.js';

const AREAS: Record<CheckArea, string> = { services: 'Services exposed to the internet', tls: 'TLS', http: 'Web', 'email-dns': 'Mail and DNS', software: 'Known vulnerable software', scope: 'What the scanner did not do' };

export function renderScanChecksDoc(): string {
  const out = ['# Hygiene scan checks', '', 'Generated from `src/scanning/checks.ts` (`npx tsx scripts/gen-scan-docs.ts`); a test keeps it in step. Each finding names its check by the id below; the id never changes.', ''];
  for (const [area, title] of Object.entries(AREAS)) {
    out.push(`## ${title}`, '', '| id | severity | finding | what to do |', '|---|---|---|---|');
    for (const [id, c] of Object.entries(CHECKS)) if (c.area === area) out.push(`| \`${id}\` | ${c.severity} | ${c.title} | ${c.fix} |`);
    out.push('');
  }
  return out.join('\n');
}
