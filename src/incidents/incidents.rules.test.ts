// The pure rules of incident handling: the severity table, SLA clocks, the status flow, playbook suggestions
// and upload checks (a .pdf that is a program).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeSeverity, SEVERITY_TABLE, slaClock, slaDue, SLA_MINUTES } from './severity.js';
import { checkTransition, nextStatuses } from './workflow.js';
import { suggestedPlaybooks } from './playbooks.js';
import { COMPONENTS, COMPONENT_IDS, SEVERITIES, STATUSES, SYMPTOM_IDS, type Status } from './taxonomy.js';
import { checkUpload } from '../platform/files/check-upload.js';

describe('severity', () => {
  it('follows the criticality × symptom table far from an election', () => {
    expect(computeSeverity({ component: 'scanner-tabulator', symptom: 'unavailable', daysToElection: 60, votingOrCountingAffected: false }).severity).toBe('critical');
    expect(computeSeverity({ component: 'website', symptom: 'degraded', daysToElection: null, votingOrCountingAffected: false }).severity).toBe('medium');
    expect(computeSeverity({ component: 'email', symptom: 'observed', daysToElection: 30, votingOrCountingAffected: false }).severity).toBe('low');
  });

  it('raises one level from a week before the election through the canvass', () => {
    const base = { component: 'email' as const, symptom: 'observed' as const, votingOrCountingAffected: false };
    expect(computeSeverity({ ...base, daysToElection: 8 }).severity).toBe('low');
    expect(computeSeverity({ ...base, daysToElection: 7 }).severity).toBe('medium');
    const day = computeSeverity({ ...base, daysToElection: 0 });
    expect(day.severity).toBe('medium');
    expect(day.reasons.join(' ')).toContain('election day');
    expect(computeSeverity({ ...base, daysToElection: -3 }).severity).toBe('medium');
    expect(computeSeverity({ ...base, daysToElection: -4 }).severity).toBe('low');
  });

  it('is at least high when voting or counting is affected now, and never lower than the table', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMPONENT_IDS), fc.constantFrom(...SYMPTOM_IDS), fc.option(fc.integer({ min: -30, max: 400 })), fc.boolean(), (component, symptom, days, affected) => {
        const r = computeSeverity({ component, symptom, daysToElection: days, votingOrCountingAffected: affected });
        expect(r.reasons.length).toBeGreaterThan(0);
        if (affected) expect(SEVERITIES.indexOf(r.severity)).toBeGreaterThanOrEqual(SEVERITIES.indexOf('high'));
        const fromTable = SEVERITY_TABLE[COMPONENTS[component].criticality][symptom];
        expect(SEVERITIES.indexOf(r.severity)).toBeGreaterThanOrEqual(SEVERITIES.indexOf(fromTable));
        expect(SEVERITIES.indexOf(r.severity) - SEVERITIES.indexOf(fromTable)).toBeLessThanOrEqual(affected ? 3 : 1);
      }),
    );
  });
});

describe('SLA timers', () => {
  const t0 = new Date('2026-11-03T12:00:00Z');
  it('tighten on election day', () => {
    expect(slaDue(t0, 'critical', false).triageDueAt.toISOString()).toBe('2026-11-03T12:15:00.000Z');
    expect(slaDue(t0, 'critical', true).triageDueAt.toISOString()).toBe('2026-11-03T12:05:00.000Z');
    for (const s of SEVERITIES) {
      expect(SLA_MINUTES['election-day'][s].triage).toBeLessThan(SLA_MINUTES.normal[s].triage);
      expect(SLA_MINUTES['election-day'][s].resolve).toBeLessThan(SLA_MINUTES.normal[s].resolve);
    }
  });

  it('report ok, due soon, breached and met', () => {
    const due = new Date(t0.getTime() + 60 * 60_000);
    expect(slaClock(t0, due, null, new Date(t0.getTime() + 10 * 60_000)).state).toBe('ok');
    expect(slaClock(t0, due, null, new Date(t0.getTime() + 50 * 60_000))).toMatchObject({ state: 'due-soon', minutesLeft: 10 });
    expect(slaClock(t0, due, null, new Date(t0.getTime() + 70 * 60_000))).toMatchObject({ state: 'breached', minutesLeft: -10 });
    expect(slaClock(t0, due, new Date(t0.getTime() + 30 * 60_000), new Date(t0.getTime() + 90 * 60_000)).state).toBe('met');
    expect(slaClock(t0, due, new Date(t0.getTime() + 61 * 60_000), new Date(t0.getTime() + 90 * 60_000)).state).toBe('breached');
  });
});

describe('status flow', () => {
  it('leaves new only through triage with an assessment', () => {
    expect(checkTransition('new', 'triaged', null).ok).toBe(false);
    expect(checkTransition('new', 'triaged', 'operational').ok).toBe(true);
    expect(checkTransition('new', 'resolved', 'operational').ok).toBe(false);
  });

  it('moves forward, skipping steps, and reopens only to investigating', () => {
    expect(checkTransition('triaged', 'resolved', 'operational').ok).toBe(true);
    expect(checkTransition('investigating', 'closed', 'suspicious').ok).toBe(false);
    expect(checkTransition('triaged', 'closed', 'unfounded').ok).toBe(true);
    expect(checkTransition('resolved', 'closed', 'operational').ok).toBe(true);
    expect(checkTransition('closed', 'investigating', 'operational')).toEqual({ ok: true, reopen: true });
    expect(checkTransition('contained', 'investigating', 'operational').ok).toBe(false);
    expect(checkTransition('closed', 'new', 'operational').ok).toBe(false);
  });

  it('never allows a move to the same status and always offers a way on from every status but closed-or-resolved reopen', () => {
    for (const s of STATUSES) {
      expect(checkTransition(s, s, 'operational').ok).toBe(false);
      expect(nextStatuses(s as Status, 'operational').length).toBeGreaterThan(0);
    }
  });
});

describe('playbooks', () => {
  it('suggest the fitting template first', () => {
    expect(suggestedPlaybooks('ddos', 'election-night-results-site')[0]!.id).toBe('results-site-down');
    expect(suggestedPlaybooks('phishing', 'email')[0]!.id).toBe('phishing-reported');
    expect(suggestedPlaybooks('equipment-malfunction', 'e-pollbook')[0]!.id).toBe('equipment-failure-polling-place');
  });
});

describe('uploads', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
  const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(100)]);

  it('accepts a real PDF and a text file', async () => {
    await expect(checkUpload('notice.pdf', 'application/pdf', pdf)).resolves.toEqual({ filename: 'notice.pdf', contentType: 'application/pdf' });
    await expect(checkUpload('headers.eml', 'message/rfc822', Buffer.from('From: a@b.c\nSubject: hi\n\nbody'))).resolves.toMatchObject({ contentType: 'message/rfc822' });
  });

  it('refuses a program dressed as a PDF, a text file or an image', async () => {
    await expect(checkUpload('ballots.pdf', 'application/pdf', exe)).rejects.toMatchObject({ code: 'unsupported-media-type', message: expect.stringContaining('is a program') });
    await expect(checkUpload('notes.txt', 'text/plain', elf)).rejects.toMatchObject({ code: 'unsupported-media-type' });
    await expect(checkUpload('run.txt', 'text/plain', Buffer.from('#!/bin/sh\nrm -rf /\n'))).rejects.toMatchObject({ code: 'unsupported-media-type' });
    await expect(checkUpload('photo.png', 'image/png', pdf)).rejects.toMatchObject({ code: 'unsupported-media-type', message: expect.stringContaining('application/pdf') });
  });

  it('refuses a name that disagrees with the type, and unknown types', async () => {
    await expect(checkUpload('notice.exe', 'application/pdf', pdf)).rejects.toMatchObject({ code: 'unsupported-media-type', message: expect.stringContaining('does not match') });
    await expect(checkUpload('x.bin', 'application/octet-stream', pdf)).rejects.toMatchObject({ code: 'unsupported-media-type' });
  });
});
