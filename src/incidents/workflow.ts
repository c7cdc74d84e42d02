// The status flow of a case: new → triaged → investigating → contained → resolved → closed, with reopen.
// Pure: the service asks `checkTransition` and stores the result.
import { STATUSES, type Assessment, type Status } from './taxonomy.js';

export type TransitionResult = { readonly ok: true; readonly reopen: boolean } | { readonly ok: false; readonly reason: string };

const rank = (s: Status) => STATUSES.indexOf(s);

/**
 * Forward moves may skip steps (a power cut is often resolved straight after triage) but a case leaves "new"
 * only through triage, with an assessment; "closed" follows "resolved" (or an unfounded report). Going back is
 * a reopen, from resolved or closed to investigating.
 */
export function checkTransition(from: Status, to: Status, assessment: Assessment | null): TransitionResult {
  if (from === to) return { ok: false, reason: `The incident is already ${to}.` };
  if (rank(to) < rank(from)) {
    if ((from === 'resolved' || from === 'closed') && to === 'investigating') return { ok: true, reopen: true };
    return { ok: false, reason: `An incident that is ${from} can only be reopened (to investigating), not moved back to ${to}.` };
  }
  if (from === 'new' && to !== 'triaged') return { ok: false, reason: 'Triage the report first: give it an assessment.' };
  if (to === 'triaged' && !assessment) return { ok: false, reason: 'An assessment is needed to triage a report.' };
  if (to === 'closed' && from !== 'resolved' && assessment !== 'unfounded') return { ok: false, reason: 'Resolve the incident before closing it (only an unfounded report is closed directly).' };
  return { ok: true, reopen: false };
}

/** The statuses one may move to from `from`, for the buttons a screen shows. */
export function nextStatuses(from: Status, assessment: Assessment | null): Status[] {
  return STATUSES.filter((to) => checkTransition(from, to, assessment).ok);
}
