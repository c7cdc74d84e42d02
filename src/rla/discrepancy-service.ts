// A discrepancy an audit board found, turned into an incident in one click: filed for the county it happened in
// (by the county itself or its state), operational until an analyst assesses it, linked both ways.
import { eq } from 'drizzle-orm';
import { requireWrite, type Actor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { reportIncident } from '../incidents/report-service.js';
import type { AppContext } from '../platform/context.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { loadAudit } from './audit-service.js';
import { discrepanciesOf } from './report.js';
import { loadState } from './round-service.js';
import { rlaInterpretations } from './schema.js';

export async function reportDiscrepancy(ctx: AppContext, actor: Actor, auditId: string, interpretationId: string) {
  const user = requireWrite(actor);
  const audit = await loadAudit(ctx.db, user, auditId);
  const d = discrepanciesOf(await loadState(ctx.db, audit)).find((x) => x.interpretationId === interpretationId);
  if (!d) throw notFound('That discrepancy');
  if (user.orgId !== audit.ownerOrg && user.orgId !== d.countyOrgId) throw new AppError('forbidden', 'Only the county or its state can report this discrepancy.');
  if (d.incidentId) throw new AppError('conflict', 'This discrepancy is already an incident.', { details: [{ field: 'incidentId', message: d.incidentId }] });
  const where = `${d.county}, ${d.tabulator ? `tabulator ${d.tabulator}, ` : ''}batch ${d.batch}${d.position !== null ? `, ballot ${d.position}` : ''}`;
  const incident = await reportIncident(ctx, user, {
    title: `Audit discrepancy in ${d.contest}: ${where}`.slice(0, 200),
    description: `The risk-limiting audit "${audit.name}" found a difference between the count and the paper in ${d.contest} (${where}). Reported by the count: ${d.reported}. The audit board read: ${d.audited}.${d.countedAs !== null ? ` Overstatement: ${d.countedAs} vote${Math.abs(d.countedAs) === 1 ? '' : 's'}.` : ''} Filed from the audit; operational until an analyst assesses it.`,
    category: 'equipment-malfunction',
    component: 'scanner-tabulator',
    occurredAt: new Date().toISOString(),
    jurisdiction: d.countyOrgId,
  });
  await ctx.db.transaction(async (tx) => {
    await tx.update(rlaInterpretations).set({ incidentId: incident.id }).where(eq(rlaInterpretations.id, interpretationId));
    await recordAudit(tx, user, { action: 'rla.discrepancy-reported', targetKind: 'rla-audit', targetId: auditId, orgIds: [audit.ownerOrg, d.countyOrgId], details: { incidentId: incident.id, where, contest: d.contest } });
  });
  return { incidentId: incident.id };
}
