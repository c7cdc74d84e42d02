// Severity and status of advisories, and a confidence meter for indicators: words and shape, never colour alone.
import { SEVERITY_LABELS, STATUS_WORDS, type AdvisoryStatus, type Severity } from '../intel-api.js';

export function AdvisorySeverity({ severity }: { severity: Severity }) {
  return <span className={`usa-tag eoc-sev eoc-sev--${severity}`}>{SEVERITY_LABELS[severity]}</span>;
}

export function AdvisoryStatusTag({ status }: { status: AdvisoryStatus }) {
  if (status === 'published') return null;
  return <span className={`usa-tag ${status === 'withdrawn' ? 'bg-base-dark' : 'bg-accent-warm-dark'} margin-left-1`}>{STATUS_WORDS[status]}</span>;
}

/** The confidence today against the producer's, as a bar with the number written beside it. */
export function ConfidenceMeter({ current, original }: { current: number | null; original: number | null }) {
  if (current === null) return <span className="text-base">—</span>;
  return (
    <span className="eoc-meter" title={original !== null ? `Producer's confidence ${original}; ${current} after ageing` : `${current} after ageing`}>
      <span className="eoc-meter__track" aria-hidden="true">
        <span className="eoc-meter__fill" style={{ width: `${current}%` }} />
      </span>
      <span>{current}{original !== null && original !== current ? <span className="text-base"> of {original}</span> : null}</span>
    </span>
  );
}
