// The jobs that leave the platform: notification emails and signed webhook calls. Both check the policy
// again when they run, against the newest sharing of the record: a label raised since the event stops them.
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { PermanentJobError, type ClaimedJob, type JobHandler } from '../platform/jobs/queue.js';
import { outbox } from '../platform/events/schema.js';
import { escapeHtml } from '../platform/text/html.js';
import { readableBy } from '../access/policy.js';
import { orgs, users } from '../access/schema.js';
import { emailLog, webhookDeliveries, webhooks } from './schema.js';
import type { Tlp } from '../platform/db/columns.js';

const NOBODY = '00000000-0000-0000-0000-000000000000';
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The newest event of a record that `viewer` may read, if its newest event is readable at all. */
async function stillReadable(ctx: AppContext, seq: number, viewer: { userId: string; orgId: string }) {
  const [event] = await ctx.db.select().from(outbox).where(eq(outbox.seq, seq));
  if (!event) return null;
  const [latest] = await ctx.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.recordKind, event.recordKind), eq(outbox.recordId, event.recordId), sql`${outbox.seq} is not null`))
    .orderBy(desc(outbox.seq))
    .limit(1);
  const [ok] = await ctx.db.select({ one: sql`1` }).from(outbox).where(and(eq(outbox.id, latest!.id), readableBy(outbox, viewer)));
  return ok ? { event, latest: latest! } : null;
}

/** What an email may say. Email leaves the platform's control, so AMBER+STRICT and RED mails name nothing. */
export function notificationEmail(input: { tlp: Tlp; title: string; excerpt: string; owner: string; link: string; shared: boolean; incident?: { ref: string; headline: string } }) {
  const restricted = input.tlp === 'AMBER+STRICT' || input.tlp === 'RED';
  const noun = input.incident ? 'incident' : 'bulletin';
  const subject = restricted
    ? `[TLP:${input.tlp}] ${input.incident ? 'An incident update' : 'A new bulletin'} for you`
    : input.incident ? `[TLP:${input.tlp}] ${input.incident.ref} ${input.title}: ${input.incident.headline}` : `[TLP:${input.tlp}] ${input.shared ? 'Shared with you: ' : ''}${input.title}`;
  const lines = restricted
    ? [`A TLP:${input.tlp} ${noun} ${input.incident ? 'you can see was updated' : `was ${input.shared ? 'shared with' : 'sent to'} you`}. Its label keeps its content inside Election Ops Center.`, '', `Read it: ${input.link}`]
    : input.incident
      ? [`${input.incident.ref} (${input.owner}): ${input.title}`, '', input.incident.headline, '', `Read it: ${input.link}`, '', `TLP:${input.tlp} — share only as the label allows.`]
      : [`${input.owner} ${input.shared ? 'shared' : 'sent'} a TLP:${input.tlp} bulletin:`, '', input.title, '', input.excerpt, '', `Read it: ${input.link}`, '', `TLP:${input.tlp} — share only as the label allows.`];
  const html = lines.map((l) => (l.startsWith('Read it: ') ? `<p><a href="${escapeHtml(input.link)}">Read it in Election Ops Center</a></p>` : l ? `<p>${escapeHtml(l)}</p>` : '')).join('\n');
  return { subject, text: `${lines.join('\n')}\n\nChange what you are told about: Account → Notifications.\n`, html };
}

/** Advisory emails: what is happening and what to do now, unless the label keeps the content inside. */
export function advisoryEmail(input: { tlp: Tlp; type: string; title: string; severity: string; excerpt: string; actions: string; reason: string; owner: string; responder: string; response: string; link: string }) {
  const restricted = input.tlp === 'AMBER+STRICT' || input.tlp === 'RED';
  const sev = input.severity ? `${input.severity[0]!.toUpperCase()}${input.severity.slice(1)} ` : '';
  let subject: string;
  let lines: string[];
  if (input.type === 'advisory.response') {
    const word = input.response === 'affected' ? 'reports it is affected by' : input.response === 'seen' ? 'reports it saw the activity in' : 'acknowledged';
    subject = restricted ? `[TLP:${input.tlp}] A response to your advisory` : `[TLP:${input.tlp}] ${input.responder} ${word} your advisory`;
    lines = [restricted ? 'A recipient responded to an advisory your organisation published.' : `${input.responder} ${word} “${input.title}”.`, '', `Read it: ${input.link}`];
  } else if (restricted) {
    subject = `[TLP:${input.tlp}] ${input.type === 'advisory.withdrawn' ? 'An advisory was withdrawn' : 'A new advisory for you'}`;
    lines = [`A TLP:${input.tlp} advisory ${input.type === 'advisory.withdrawn' ? 'you received was withdrawn' : 'was published for you'}. Its label keeps its content inside Election Ops Center.`, '', `Read it: ${input.link}`];
  } else if (input.type === 'advisory.withdrawn') {
    subject = `[TLP:${input.tlp}] Withdrawn: ${input.title}`;
    lines = [`${input.owner} withdrew the advisory “${input.title}”.`, '', input.reason ? `Why: ${input.reason}` : '', `Read it: ${input.link}`];
  } else {
    subject = `[TLP:${input.tlp}] ${sev}advisory: ${input.title}`;
    lines = [`${input.owner} published a ${sev.toLowerCase()}advisory:`, '', input.title, '', input.excerpt, '', 'What to do now:', input.actions, '', `Read it: ${input.link}`, '', `TLP:${input.tlp} — share only as the label allows.`];
  }
  const html = lines.map((l) => (l.startsWith('Read it: ') ? `<p><a href="${escapeHtml(input.link)}">Read it in Election Ops Center</a></p>` : l ? `<p>${escapeHtml(l)}</p>` : '')).join('\n');
  return { subject, text: `${lines.join('\n')}\n\nChange what you are told about: Account → Notifications.\n`, html };
}

/** An audit milestone for a county or its state: what to do next, and where. */
export function auditEmail(tlp: Tlp, title: string, link: string) {
  const lines = [title, '', `Open the audit: ${link}`, '', `TLP:${tlp} — share only as the label allows.`];
  const html = lines.map((l) => (l.startsWith('Open the audit: ') ? `<p><a href="${escapeHtml(link)}">Open the audit in Election Ops Center</a></p>` : l ? `<p>${escapeHtml(l)}</p>` : '')).join('\n');
  return { subject: `[TLP:${tlp}] ${title}`, text: `${lines.join('\n')}\n\nChange what you are told about: Account → Notifications.\n`, html };
}

export function emailHandler(ctx: AppContext): JobHandler {
  return async (payload) => {
    const { userId, seq } = payload as { userId: string; seq: number };
    const [user] = await ctx.db.select({ id: users.id, email: users.email, orgId: users.orgId, active: users.active }).from(users).where(eq(users.id, userId));
    if (!user?.active) return;
    const found = await stillReadable(ctx, seq, { userId: user.id, orgId: user.orgId });
    if (!found) return;
    const p = found.event.payload as { title?: string; excerpt?: string; ownerName?: string; ref?: string; text?: string; severity?: string; actions?: string; reason?: string; orgName?: string; kind?: string };
    const incident = found.event.recordKind === 'incident';
    const message = found.event.recordKind === 'victim-match' ? {
      // Email leaves the platform: it says that something touches the office, not what.
      subject: '[TLP:AMBER+STRICT] A threat touches one of your systems',
      text: `A threat shared in Election Ops Center touches one of your organisation's systems. Only your organisation is told.\n\nSee what matched and what to do: ${ctx.config.publicUrl}/inventory/alerts\n\nChange what you are told about: Account → Notifications.\n`,
      html: `<p>A threat shared in Election Ops Center touches one of your organisation's systems. Only your organisation is told.</p><p><a href="${escapeHtml(`${ctx.config.publicUrl}/inventory/alerts`)}">See what matched and what to do</a></p>`,
    } : found.event.recordKind === 'rla-audit' ? auditEmail(found.latest.tlp, p.title ?? 'An audit needs you', `${ctx.config.publicUrl}/audits/${found.event.recordId}`)
      : found.event.recordKind === 'advisory' ? advisoryEmail({
      tlp: found.latest.tlp,
      type: found.event.type,
      title: p.title ?? 'An advisory',
      severity: p.severity ?? '',
      excerpt: p.excerpt ?? '',
      actions: p.actions ?? '',
      reason: p.reason ?? '',
      owner: p.ownerName ?? 'An organisation',
      responder: p.orgName ?? 'A recipient',
      response: p.kind ?? '',
      link: `${ctx.config.publicUrl}/advisories/${found.event.recordId}`,
    }) : notificationEmail({
      tlp: found.latest.tlp,
      title: p.title ?? (incident ? 'An incident' : 'A bulletin'),
      excerpt: p.excerpt ?? '',
      owner: p.ownerName ?? 'An organisation',
      link: `${ctx.config.publicUrl}/${incident ? 'incidents' : 'bulletins'}/${found.event.recordId}`,
      shared: found.event.type === 'bulletin.shared',
      ...(incident ? { incident: { ref: p.ref ?? '', headline: p.text ?? 'Updated' } } : {}),
    });
    await ctx.mailer.send({ to: user.email, ...message });
    await ctx.db.insert(emailLog).values({ userId: user.id, eventSeq: seq, toAddress: user.email, subject: message.subject, status: ctx.mailer.configured ? 'sent' : 'logged', sentAt: new Date() });
  };
}

function isPrivateAddress(address: string): boolean {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80') || v6.startsWith('::ffff:') ? true : false;
}

/**
 * Webhooks (and TAXII feeds) may only call public https endpoints (no server-side request forgery into the
 * operator's network), unless the operator allows loopback receivers. Checked on creation and again at each
 * call. `what` names the URLs in the answer ("Feed URLs must use https.").
 */
export async function checkWebhookUrl(raw: string, allowLoopback: boolean, what = 'Webhook URLs'): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'The URL is not valid.';
  }
  if (url.username || url.password) return 'The URL must not contain a user name or password.';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : await lookup(host, { all: true }).then((r) => r.map((a) => a.address), () => null);
  if (!addresses || addresses.length === 0) return `The host ${host} could not be resolved.`;
  const loopback = addresses.every((a) => a === '::1' || a.startsWith('127.'));
  if (allowLoopback && loopback) return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'Use an http or https URL.';
  if (url.protocol !== 'https:') return `${what} must use https.`;
  if (addresses.some(isPrivateAddress)) return `${what} must point to a public address.`;
  return null;
}

export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookHandler(ctx: AppContext): JobHandler {
  return async (payload, job: ClaimedJob) => {
    const { deliveryId } = payload as { deliveryId: string };
    const [row] = await ctx.db
      .select({ d: webhookDeliveries, w: webhooks, orgActive: orgs.active })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .innerJoin(orgs, eq(orgs.id, webhooks.orgId))
      .where(eq(webhookDeliveries.id, deliveryId));
    if (!row) return;
    const { d, w } = row;
    const skip = (reason: string) => ctx.db.update(webhookDeliveries).set({ status: 'skipped', lastError: reason }).where(eq(webhookDeliveries.id, d.id));
    if (!w.active || !row.orgActive) return void (await skip('The webhook or its organisation is no longer active.'));
    let body: string;
    if (d.eventSeq === null) {
      body = JSON.stringify({ id: d.id, type: 'ping', occurredAt: new Date().toISOString(), data: { message: 'Election Ops Center test delivery' } });
    } else {
      const found = await stillReadable(ctx, d.eventSeq, { userId: NOBODY, orgId: w.orgId });
      if (!found) return void (await skip('The record is no longer shared with this organisation.'));
      const e = found.event;
      body = JSON.stringify({ id: d.id, type: e.type, seq: e.seq, occurredAt: e.createdAt, record: { kind: e.recordKind, id: e.recordId, tlp: found.latest.tlp }, data: e.payload });
    }
    const problem = await checkWebhookUrl(w.url, ctx.config.webhookAllowLoopback);
    if (problem) {
      await ctx.db.update(webhookDeliveries).set({ status: 'failed', attempts: job.attempts, lastError: problem }).where(eq(webhookDeliveries.id, d.id));
      throw new PermanentJobError(problem);
    }
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: { 'content-type': 'application/json', 'user-agent': 'ElectionOpsCenter-Webhook/1', 'x-eoc-event': d.eventType, 'x-eoc-delivery': d.id, 'x-eoc-signature': signWebhook(w.secret, body, timestamp) },
        body,
      });
      status = res.status;
      await res.body?.cancel();
      if (status < 200 || status >= 300) error = `The receiver answered ${status}.`;
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' ? `No answer within ${WEBHOOK_TIMEOUT_MS / 1000} s.` : err.message) : String(err);
    }
    const final = job.attempts >= job.maxAttempts;
    await ctx.db
      .update(webhookDeliveries)
      .set({ attempts: job.attempts, lastStatusCode: status, lastError: error, status: error ? (final ? 'failed' : 'pending') : 'delivered', ...(error ? {} : { deliveredAt: new Date() }) })
      .where(eq(webhookDeliveries.id, d.id));
    if (error) throw new Error(error);
  };
}
