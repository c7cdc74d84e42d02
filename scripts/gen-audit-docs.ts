// Writes docs/audit-events.md from the audit event registry.
import fs from 'node:fs';
import { renderAuditEventsDoc } from '../src/audit/docs.js';

fs.writeFileSync(new URL('../docs/audit-events.md', import.meta.url), renderAuditEventsDoc());
