// Renders docs/audit-events.md from the typed registry, so the documentation cannot drift from the code.
import { AUDIT_EVENTS } from './events.js';

export function renderAuditEventsDoc(): string {
  const rows = Object.entries(AUDIT_EVENTS).map(([action, description]) => `| \`${action}\` | ${description} |`);
  return [
    '# Audit events',
    '',
    'Generated from `src/audit/events.ts` (`npx tsx scripts/gen-audit-docs.ts`); a test keeps it in step.',
    'Each row of the audit log has the action, outcome (`success`, `denied`, `failure`), actor user and',
    'organisation, target, details, and the hash that chains it to the row before (`eoc audit-log verify`).',
    '',
    '| action | recorded when |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}
