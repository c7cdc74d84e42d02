// Working a case: triage (assessment, severity, priority, owner), the status flow, notes, tasks from playbooks,
// related incidents, merging duplicates, escalation up the ladder and the sharing of the record. Every action
// loads the incident through the policy, writes a timeline entry and an event, and is audited.
import { createHash } from 'node:crypto';
import { and, eq, inArray, max, sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import type { Tx } from '../platform/db/client.js';
import type { Tlp } from '../platform/db/columns.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { checkUpload } from '../platform/files/check-upload.js';
import { recordAudit, recordAuditNow } from '../audit/service.js';
import { type Actor, requireUser, requireWrite, type UserActor } from '../access/actor.js';
import { isAuditedRead, isRaise, mayChangeSharing, readableBy } from '../access/policy.js';
import { orgs, users } from '../access/schema.js';
import { slaDue } from './severity.js';
import { ASSESSMENTS, ESCALATION_LEVELS, type Assessment, type EscalationLevel, type Priority, type Severity, type Status } from './taxonomy.js';
import { incidentAttachments, incidentLinks, incidentTasks, incidents } from './schema.js';
import { checkTransition } from './workflow.js';
import { playbookById } from './playbooks.js';
import { checkIncidentRecipients, formatRef, recordSharingSql, getIncident, isAnalyst, loadReadable, recordChange, type IncidentRow, type Recipients } from './service.js';

function requireAnalyst(actor: Actor): UserActor {
  const user = requireWrite(actor);
  if (!isAnalyst(user)) throw new AppError('forbidden', 'Only analysts work incidents (triage, status, tasks, merge). You can add notes and files.');
  return user;
}

async function update(tx: Tx, id: string, set: Partial<typeof incidents.$inferInsert>): Promise<IncidentRow> {
  const [row] = await tx.update(incidents).set({ ...set, updatedAt: new Date() }).where(eq(incidents.id, id)).returning();
  return row!;
}

/** Runs one case action in a transaction with the incident locked, then delivers its events and returns the case file. */
async function act(ctx: AppContext, user: UserActor, id: string, fn: (tx: Tx, i: IncidentRow) => Promise<void>) {
  await ctx.db.transaction(async (tx) => {
    const i = await loadReadable(tx, user, id, true);
    await fn(tx, i);
  });
  ctx.relay.kick();
  return getIncident(ctx, user, id);
}

/** Active users (of active organisations) who may read the case: the policy decides, in SQL. Join users with orgs. */
function mayReadCase(i: IncidentRow) {
  return and(eq(users.active, true), eq(orgs.active, true), readableBy(recordSharingSql(i), { userId: sql`${users.id}`, orgId: sql`${users.orgId}` }));
}

async function checkAssignee(tx: Tx, i: IncidentRow, assigneeId: string): Promise<string> {
  // The owner of a case must be an active analyst who may read it.
  const [u] = await tx
    .select({ name: users.name, role: users.role })
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(and(eq(users.id, assigneeId), mayReadCase(i)));
  if (!u) throw new AppError('validation-failed', 'The owner must be an active user who can see this incident.', { details: [{ field: 'assigneeId', message: 'cannot see this incident' }] });
  if (u.role !== 'analyst' && u.role !== 'org-admin') throw new AppError('validation-failed', `${u.name} is not an analyst.`, { details: [{ field: 'assigneeId', message: 'not an analyst' }] });
  return u.name;
}

export interface Triage {
  readonly assessment?: Assessment;
  readonly rationale?: string;
  readonly severity?: Severity;
  readonly priority?: Priority;
  /** null removes the owner */
  readonly assigneeId?: string | null;
}

/** Sets any of assessment (with its rationale), severity, priority and owner; a new report becomes triaged. */
export async function triageIncident(ctx: AppContext, actor: Actor, id: string, input: Triage) {
  const user = requireAnalyst(actor);
  if (input.assessment && !input.rationale?.trim()) throw new AppError('validation-failed', 'Say why: an assessment needs a rationale.', { details: [{ field: 'rationale', message: 'required with an assessment' }] });
  return act(ctx, user, id, async (tx, start) => {
    let i = start;
    if (input.assessment && (input.assessment !== i.assessment || input.rationale !== i.assessmentRationale)) {
      i = await update(tx, id, { assessment: input.assessment, assessmentRationale: input.rationale!.trim() });
      await recordChange(tx, user, i, { type: 'incident.updated', kind: 'assessment', text: `Assessed ${ASSESSMENTS[input.assessment].split(':')[0]!.toLowerCase()}: ${input.rationale!.trim()}`, details: { from: start.assessment, to: input.assessment } });
    }
    if (input.severity && input.severity !== i.severity) {
      const from = i.severity;
      // Severity moves the SLA clocks: measured from the report, with the table of the day it was reported.
      const due = slaDue(i.createdAt, input.severity, i.electionDay);
      i = await update(tx, id, { severity: input.severity, triageDueAt: due.triageDueAt, resolveDueAt: due.resolveDueAt });
      await recordChange(tx, user, i, { type: 'incident.updated', kind: 'severity', text: `Severity ${from} → ${input.severity}${input.severity === i.computedSeverity ? '' : ` (the table gives ${i.computedSeverity})`}`, details: { from, to: input.severity } });
    }
    if (input.priority && input.priority !== i.priority) {
      const from = i.priority;
      i = await update(tx, id, { priority: input.priority });
      await recordChange(tx, user, i, { type: 'incident.updated', kind: 'priority', text: `Priority ${from ?? 'none'} → ${input.priority.toUpperCase()}`, details: { from, to: input.priority } });
    }
    if (input.assigneeId !== undefined && input.assigneeId !== i.assigneeId) {
      const name = input.assigneeId ? await checkAssignee(tx, i, input.assigneeId) : null;
      i = await update(tx, id, { assigneeId: input.assigneeId });
      await recordChange(tx, user, i, { type: 'incident.assigned', kind: 'assigned', text: name ? `Owner: ${name}` : 'Owner removed', details: { assigneeId: input.assigneeId } });
    }
    if (i.status === 'new' && i.assessment) {
      i = await update(tx, id, { status: 'triaged', triagedAt: new Date() });
      await recordChange(tx, user, i, { type: 'incident.status-changed', kind: 'status', text: 'Status new → triaged', details: { from: 'new', to: 'triaged' } });
    }
    if (i !== start) await recordAudit(tx, user, { action: 'incident.triaged', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { ...input } });
  });
}

export async function changeStatus(ctx: AppContext, actor: Actor, id: string, to: Status, note?: string) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx, i) => {
    if (i.mergedInto) throw new AppError('conflict', 'This incident was merged into another; work the primary incident or un-merge it first.');
    const check = checkTransition(i.status, to, i.assessment);
    if (!check.ok) throw new AppError('conflict', check.reason, { details: [{ field: 'status', message: check.reason }] });
    const now = new Date();
    const set: Partial<typeof incidents.$inferInsert> = { status: to };
    if (to === 'resolved') set.resolvedAt = now;
    if (to === 'closed') set.closedAt = now;
    if (check.reopen) Object.assign(set, { resolvedAt: null, closedAt: null });
    const updated = await update(tx, id, set);
    const text = `${check.reopen ? 'Reopened' : 'Status'} ${i.status} → ${to}${note?.trim() ? `: ${note.trim()}` : ''}`;
    await recordChange(tx, user, updated, { type: 'incident.status-changed', kind: 'status', text, details: { from: i.status, to, reopen: check.reopen } });
    await recordAudit(tx, user, { action: 'incident.status-changed', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { from: i.status, to } });
  });
}

export async function addNote(ctx: AppContext, actor: Actor, id: string, text: string) {
  const user = requireWrite(actor);
  return act(ctx, user, id, async (tx, i) => {
    await update(tx, id, {});
    await recordChange(tx, user, i, { type: 'incident.note-added', kind: 'note', text: text.trim() });
  });
}

export async function applyPlaybook(ctx: AppContext, actor: Actor, id: string, playbookId: string) {
  const user = requireAnalyst(actor);
  const playbook = playbookById(playbookId);
  if (!playbook) throw new AppError('validation-failed', 'There is no such playbook.', { details: [{ field: 'playbook', message: 'unknown playbook' }] });
  return act(ctx, user, id, async (tx, i) => {
    const [applied] = await tx.select({ n: sql<number>`count(*)::int` }).from(incidentTasks).where(and(eq(incidentTasks.incidentId, id), eq(incidentTasks.playbook, playbook.id)));
    if ((applied?.n ?? 0) > 0) throw new AppError('conflict', `The playbook "${playbook.title}" is already applied to this incident.`);
    const [last] = await tx.select({ p: max(incidentTasks.position) }).from(incidentTasks).where(eq(incidentTasks.incidentId, id));
    const start = (last?.p ?? 0) + 1;
    await tx.insert(incidentTasks).values(playbook.tasks.map((title, k) => ({ incidentId: id, title, position: start + k, playbook: playbook.id })));
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'playbook', text: `Playbook applied: ${playbook.title} (${playbook.tasks.length} tasks)`, details: { playbook: playbook.id } });
    await recordAudit(tx, user, { action: 'incident.playbook-applied', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { playbook: playbook.id } });
  });
}

export async function addTask(ctx: AppContext, actor: Actor, id: string, title: string) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx) => {
    const [last] = await tx.select({ p: max(incidentTasks.position) }).from(incidentTasks).where(eq(incidentTasks.incidentId, id));
    await tx.insert(incidentTasks).values({ incidentId: id, title: title.trim(), position: (last?.p ?? 0) + 1 });
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'task-added', text: `Task added: ${title.trim()}` });
  });
}

export async function updateTask(ctx: AppContext, actor: Actor, id: string, taskId: string, patch: { title?: string; done?: boolean; position?: number }) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx) => {
    const [task] = await tx.select().from(incidentTasks).where(and(eq(incidentTasks.id, taskId), eq(incidentTasks.incidentId, id)));
    if (!task) throw notFound('The task');
    const set: Partial<typeof incidentTasks.$inferInsert> = {};
    if (patch.title !== undefined && patch.title.trim() !== task.title) set.title = patch.title.trim();
    if (patch.position !== undefined) set.position = patch.position;
    if (patch.done !== undefined && patch.done !== task.done) Object.assign(set, patch.done ? { done: true, doneAt: new Date(), doneBy: user.userId } : { done: false, doneAt: null, doneBy: null });
    if (!Object.keys(set).length) return;
    await tx.update(incidentTasks).set(set).where(eq(incidentTasks.id, taskId));
    const i = await update(tx, id, {});
    if (set.title) await recordChange(tx, user, i, { type: 'incident.updated', kind: 'task-edited', text: `Task renamed: ${task.title} → ${set.title}` });
    if (patch.done !== undefined && patch.done !== task.done) await recordChange(tx, user, i, { type: 'incident.updated', kind: patch.done ? 'task-done' : 'task-reopened', text: `${patch.done ? 'Done' : 'Not done'}: ${set.title ?? task.title}` });
  });
}

export async function removeTask(ctx: AppContext, actor: Actor, id: string, taskId: string) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx) => {
    const [task] = await tx.delete(incidentTasks).where(and(eq(incidentTasks.id, taskId), eq(incidentTasks.incidentId, id))).returning();
    if (!task) throw notFound('The task');
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'task-removed', text: `Task removed: ${task.title}` });
  });
}

const pair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

export async function linkIncidents(ctx: AppContext, actor: Actor, id: string, otherId: string) {
  const user = requireAnalyst(actor);
  if (id === otherId) throw new AppError('validation-failed', 'An incident cannot be related to itself.', { details: [{ field: 'incidentId', message: 'same incident' }] });
  return act(ctx, user, id, async (tx, i) => {
    const other = await loadReadable(tx, user, otherId);
    const [a, b] = pair(id, otherId);
    const inserted = await tx.insert(incidentLinks).values({ a, b, createdBy: user.userId }).onConflictDoNothing().returning();
    if (!inserted.length) return;
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'linked', text: `Related to ${formatRef(other.ref)}`, details: { incidentId: otherId } });
    await recordChange(tx, user, await update(tx, otherId, {}), { type: 'incident.updated', kind: 'linked', text: `Related to ${formatRef(i.ref)}`, details: { incidentId: id } });
  });
}

export async function unlinkIncidents(ctx: AppContext, actor: Actor, id: string, otherId: string) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx, i) => {
    const other = await loadReadable(tx, user, otherId);
    const [a, b] = pair(id, otherId);
    const removed = await tx.delete(incidentLinks).where(and(eq(incidentLinks.a, a), eq(incidentLinks.b, b))).returning();
    if (!removed.length) throw notFound('The link');
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'unlinked', text: `No longer related to ${formatRef(other.ref)}`, details: { incidentId: otherId } });
    await recordChange(tx, user, await update(tx, otherId, {}), { type: 'incident.updated', kind: 'unlinked', text: `No longer related to ${formatRef(i.ref)}`, details: { incidentId: id } });
  });
}

/** Marks `id` a duplicate of `into`: it leaves the queue and the board, its history stays, and it can be un-merged. */
export async function mergeIncident(ctx: AppContext, actor: Actor, id: string, into: string) {
  const user = requireAnalyst(actor);
  if (id === into) throw new AppError('validation-failed', 'An incident cannot be merged into itself.', { details: [{ field: 'into', message: 'same incident' }] });
  return act(ctx, user, id, async (tx, dup) => {
    const primary = await loadReadable(tx, user, into, true);
    if (dup.mergedInto) throw new AppError('conflict', 'This incident is already merged; un-merge it first.');
    if (primary.mergedInto) throw new AppError('conflict', `${formatRef(primary.ref)} is itself merged into another incident; merge into that one.`, { details: [{ field: 'into', message: 'is a duplicate' }] });
    const [children] = await tx.select({ n: sql<number>`count(*)::int` }).from(incidents).where(eq(incidents.mergedInto, id));
    if ((children?.n ?? 0) > 0) throw new AppError('conflict', 'Other incidents are merged into this one; merge the other way round, or un-merge them first.');
    const merged = await update(tx, id, { mergedInto: into });
    await recordChange(tx, user, merged, { type: 'incident.merged', kind: 'merged', text: `Merged into ${formatRef(primary.ref)} as a duplicate`, details: { into } });
    await recordChange(tx, user, await update(tx, into, {}), { type: 'incident.updated', kind: 'merged', text: `${formatRef(dup.ref)} merged into this incident as a duplicate`, details: { duplicate: id } });
    await recordAudit(tx, user, { action: 'incident.merged', targetKind: 'incident', targetId: id, orgIds: [dup.ownerOrg, primary.ownerOrg], details: { into } });
  });
}

export async function unmergeIncident(ctx: AppContext, actor: Actor, id: string) {
  const user = requireAnalyst(actor);
  return act(ctx, user, id, async (tx, dup) => {
    if (!dup.mergedInto) throw new AppError('conflict', 'This incident is not merged.');
    const from = dup.mergedInto;
    const restored = await update(tx, id, { mergedInto: null });
    await recordChange(tx, user, restored, { type: 'incident.unmerged', kind: 'unmerged', text: 'Un-merged: a separate incident again', details: { from } });
    const [primary] = await tx.select().from(incidents).where(eq(incidents.id, from));
    if (primary) await recordChange(tx, user, await update(tx, from, {}), { type: 'incident.updated', kind: 'unmerged', text: `${formatRef(dup.ref)} un-merged from this incident`, details: { duplicate: id } });
    await recordAudit(tx, user, { action: 'incident.unmerged', targetKind: 'incident', targetId: id, orgIds: [dup.ownerOrg], details: { from } });
  });
}

/** The organisations one rung of the ladder names for an incident. */
async function ladderOrgs(tx: Tx, i: IncidentRow, level: EscalationLevel): Promise<string[]> {
  switch (level) {
    case 'state': {
      const [j] = await tx.select({ id: orgs.id, type: orgs.type, parentId: orgs.parentId }).from(orgs).where(eq(orgs.id, i.jurisdictionId));
      const stateId = j?.type === 'local' || j?.type === 'tribal' ? j.parentId : j?.type === 'state' || j?.type === 'territory' ? j.id : null;
      return stateId ? [stateId] : [];
    }
    case 'operations-center':
      return (await tx.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.type, 'operations-center'), eq(orgs.active, true)))).map((r) => r.id);
    case 'federal':
      return (await tx.select({ id: orgs.id }).from(orgs).where(and(eq(orgs.type, 'federal'), eq(orgs.active, true)))).map((r) => r.id);
  }
}

/**
 * Shares the incident one or more rungs up: its state, the operations center, federal partners. The owner
 * escalates any label but RED (which is for named people); an analyst of a recipient organisation escalates
 * AMBER (the re-share AMBER allows) — never AMBER+STRICT, which stays with the recipients the owner chose.
 */
export async function escalateIncident(ctx: AppContext, actor: Actor, id: string, to: EscalationLevel, note?: string) {
  const user = requireWrite(actor);
  return act(ctx, user, id, async (tx, i) => {
    const owner = mayChangeSharing(i, user);
    if (i.tlp === 'RED') throw new AppError('conflict', 'TLP:RED incidents go to named people only. The reporting office can change the label to AMBER to escalate.');
    if (!owner) {
      if (!isAnalyst(user)) throw new AppError('forbidden', 'Only the reporting office or an analyst who received the incident can escalate it.');
      if (i.tlp === 'AMBER+STRICT') throw new AppError('forbidden', 'AMBER+STRICT may not be shared beyond the recipients the reporting office chose; ask them to escalate.');
    }
    const current = i.escalationLevel ? ESCALATION_LEVELS.indexOf(i.escalationLevel) : -1;
    if (ESCALATION_LEVELS.indexOf(to) <= current) throw new AppError('conflict', `The incident is already escalated to ${i.escalationLevel}.`, { details: [{ field: 'to', message: 'not above the current level' }] });
    const added = new Set<string>();
    for (const level of ESCALATION_LEVELS.slice(current + 1, ESCALATION_LEVELS.indexOf(to) + 1)) for (const orgId of await ladderOrgs(tx, i, level)) added.add(orgId);
    added.delete(i.ownerOrg);
    for (const orgId of i.recipientOrgs) added.delete(orgId);
    if (to === 'federal' && ![...added].length && !(await ladderOrgs(tx, i, 'federal')).length) throw new AppError('conflict', 'There is no federal partner in the directory to escalate to.');
    const updated = await update(tx, id, { escalationLevel: to, recipientOrgs: [...i.recipientOrgs, ...added] });
    const names = added.size ? (await tx.select({ name: orgs.name }).from(orgs).where(inArray(orgs.id, [...added]))).map((r) => r.name) : [];
    await recordChange(tx, user, updated, { type: 'incident.escalated', kind: 'escalated', text: `Escalated to ${to.replace('-', ' ')}${names.length ? ` (shared with ${names.join(', ')})` : ''}${note?.trim() ? `: ${note.trim()}` : ''}`, details: { to, addedOrgs: [...added] } });
    await recordAudit(tx, user, { action: 'incident.escalated', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { to, addedOrgs: [...added] } });
  });
}

/** The reporting office changes the label or the recipients; a recipient of AMBER adds its own clients. */
export async function changeSharing(ctx: AppContext, actor: Actor, id: string, input: { tlp?: Tlp; recipients?: Recipients }) {
  const user = requireWrite(actor);
  return act(ctx, user, id, async (tx, i) => {
    if (!mayChangeSharing(i, user)) throw new AppError('forbidden', 'Only the reporting office can change the TLP or the recipients of this incident.');
    const tlp = input.tlp ?? i.tlp;
    const recipients = input.recipients ? { orgs: [...new Set(input.recipients.orgs)], users: [...new Set(input.recipients.users)] } : { orgs: i.recipientOrgs, users: i.recipientUsers };
    await checkIncidentRecipients(tx, tlp === 'RED' && !input.recipients ? { orgs: [], users: recipients.users } : recipients, tlp);
    const updated = await update(tx, id, { tlp, recipientOrgs: tlp === 'RED' && !input.recipients ? [] : recipients.orgs, recipientUsers: recipients.users });
    await recordChange(tx, user, updated, { type: 'incident.sharing-changed', kind: 'sharing', text: `Sharing changed: TLP:${i.tlp} → TLP:${tlp}${isRaise(i.tlp, tlp) ? ' (raised)' : ''}`, details: { from: i.tlp, to: tlp } });
    await recordAudit(tx, user, { action: 'incident.sharing-changed', targetKind: 'incident', targetId: id, details: { from: i.tlp, to: tlp, recipientOrgs: updated.recipientOrgs.length, recipientUsers: updated.recipientUsers.length } });
  });
}

export async function addIncidentAttachment(ctx: AppContext, actor: Actor, id: string, file: { filename: string; contentType: string; data: Buffer }) {
  const user = requireWrite(actor);
  if (file.data.length > ctx.config.attachmentLimitBytes) throw new AppError('payload-too-large', `Attachments are limited to ${Math.round(ctx.config.attachmentLimitBytes / 1048576)} MB.`);
  const checked = await checkUpload(file.filename, file.contentType, file.data);
  const sha256 = createHash('sha256').update(file.data).digest('hex');
  let attachmentId = '';
  await act(ctx, user, id, async (tx, i) => {
    const [a] = await tx.insert(incidentAttachments).values({ incidentId: id, filename: checked.filename, contentType: checked.contentType, size: file.data.length, sha256, data: file.data, uploadedBy: user.userId }).returning({ id: incidentAttachments.id });
    attachmentId = a!.id;
    await recordChange(tx, user, await update(tx, id, {}), { type: 'incident.updated', kind: 'attachment', text: `File attached: ${checked.filename} (${file.data.length} bytes, sha256 ${sha256.slice(0, 12)}…)`, details: { attachmentId, sha256 } });
    await recordAudit(tx, user, { action: 'incident.attachment-added', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { filename: checked.filename, size: file.data.length, sha256 } });
  });
  return { id: attachmentId, filename: checked.filename, contentType: checked.contentType, size: file.data.length, sha256 };
}

export async function getIncidentAttachment(ctx: AppContext, actor: Actor, id: string, attachmentId: string) {
  const user = requireUser(actor);
  const i = await loadReadable(ctx.db, user, id);
  const [a] = await ctx.db.select().from(incidentAttachments).where(and(eq(incidentAttachments.id, attachmentId), eq(incidentAttachments.incidentId, id)));
  if (!a) throw notFound('The attachment');
  if (isAuditedRead(i.tlp)) await recordAuditNow(ctx.db, user, { action: 'incident.read-restricted', targetKind: 'incident', targetId: id, orgIds: [i.ownerOrg], details: { via: 'attachment', attachmentId } });
  return a;
}

/** Analysts who could own a case: active analysts and admins whose organisation may read it. */
export async function possibleOwners(ctx: AppContext, actor: Actor, id: string) {
  const user = requireUser(actor);
  const i = await loadReadable(ctx.db, user, id);
  return ctx.db
    .select({ id: users.id, name: users.name, orgName: orgs.name })
    .from(users)
    .innerJoin(orgs, eq(orgs.id, users.orgId))
    .where(and(inArray(users.role, ['analyst', 'org-admin']), mayReadCase(i),
      // CLEAR and GREEN are readable by everyone: offer the analysts of the organisations it concerns.
      i.tlp === 'CLEAR' || i.tlp === 'GREEN' ? inArray(users.orgId, [i.ownerOrg, ...i.recipientOrgs]) : sql`true`))
    .orderBy(orgs.name, users.name)
    .limit(500);
}
