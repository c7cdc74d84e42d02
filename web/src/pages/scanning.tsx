// Cyber hygiene scanning for election offices: ask to be scanned (the scope and the terms, accepted once),
// see what the scans found with what to fix first and by when — before election day — mark a false positive,
// scan again, and download the report for the county board. Operations center analysts approve requests and
// see every office's findings they are sent; a state sees its counties in a roll-up.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, qs } from '../api.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { useSession } from '../session.js';

type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
interface Authorization {
  readonly id: string;
  readonly orgId: string;
  readonly orgName?: string;
  readonly scope: string[];
  readonly status: 'requested' | 'approved' | 'rejected' | 'revoked';
  readonly window: { days: number[]; start: string; end: string } | null;
  readonly ratePerSecond: number;
  readonly acceptance: { acceptedBy: string; acceptedAt: string; version: string };
  readonly decision: { by: string; at: string; note: string | null } | null;
  readonly nextScanAt: string | null;
}
interface Finding {
  readonly id: string;
  readonly orgName?: string;
  readonly check: string;
  readonly severity: Severity;
  readonly title: string;
  readonly host: string;
  readonly port: number | null;
  readonly evidence: string;
  readonly fix: string;
  readonly status: string;
  readonly dueAt: string | null;
  readonly dueElectionDay: string | null;
  readonly overdue: boolean;
  readonly daysOpen: number;
}
interface Scan {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly trigger: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly orgName?: string;
  readonly summary: { hosts: number; new: number; mitigated: number; redetected: number } | null;
}
interface Report {
  readonly card: { open: Record<'critical' | 'high' | 'medium' | 'low', number>; kev: number; riskyServices: number; overdue: number; dueBeforeElection: number; hostsScanned: number; lastScan: string | null; nextScan: string | null };
  readonly trend: Array<{ at: string; open: Record<string, number> }>;
  readonly election: { name: string; day: string; daysLeft: number } | null;
}
interface Rollup {
  readonly offices: Array<{ orgId: string; name: string; critical: number; high: number; medium: number; low: number; kev: number; overdue: number; lastScan: string | null }>;
}

const COLORS: Record<string, string> = { critical: '#8b0a03', high: '#d54309', medium: '#936f38', low: '#2378c3', info: '#71767a' };
const RANKED = ['critical', 'high', 'medium', 'low'] as const;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' }) : '—');

function SeverityTag({ severity }: { severity: string }) {
  return <span className="usa-tag" style={{ background: COLORS[severity] ?? '#71767a' }}>{severity}</span>;
}

/** Open findings after each scan, stacked by severity. */
function TrendChart({ trend }: { trend: Report['trend'] }) {
  if (trend.length < 2) return null;
  const max = Math.max(1, ...trend.map((t) => RANKED.reduce((n, s) => n + (t.open[s] ?? 0), 0)));
  const w = 560;
  const h = 140;
  const bar = Math.max(6, Math.min(36, (w - 20) / trend.length - 6));
  return (
    <figure className="margin-x-0">
      <svg role="img" aria-label={`Open findings after each of the last ${trend.length} scans`} viewBox={`0 0 ${w} ${h + 20}`} width="100%" style={{ maxWidth: w }}>
        <line x1={0} y1={h} x2={w} y2={h} stroke="#a9aeb1" />
        {trend.map((t, i) => {
          let y = h;
          return RANKED.map((s) => {
            const v = t.open[s] ?? 0;
            const hh = (v / max) * (h - 10);
            y -= hh;
            return v ? <rect key={`${i}-${s}`} x={10 + i * (bar + 6)} y={y} width={bar} height={hh} fill={COLORS[s]}><title>{`${day(t.at)}: ${v} ${s}`}</title></rect> : null;
          });
        })}
        {RANKED.map((s, i) => (
          <g key={s}><rect x={10 + i * 100} y={h + 8} width={10} height={10} fill={COLORS[s]} /><text x={24 + i * 100} y={h + 17} fontSize={12}>{s}</text></g>
        ))}
      </svg>
      <figcaption className="text-base font-body-2xs">Open findings after each scan (tallest bar: {max}).</figcaption>
    </figure>
  );
}

function RequestForm({ orgName, onDone }: { orgName: string; onDone: () => void }) {
  const [terms, setTerms] = useState<{ text: string; version: string } | null>(null);
  const [scope, setScope] = useState('');
  const [accept, setAccept] = useState(false);
  const [useWindow, setUseWindow] = useState(false);
  const [days, setDays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [start, setStart] = useState('20:00');
  const [end, setEnd] = useState('06:00');
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void get<{ text: string; version: string }>('/api/v1/scan-authorizations/terms').then(setTerms, setError), []);
  const submit = async () => {
    setError(null);
    try {
      await post('/api/v1/scan-authorizations', { scope: scope.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean), accept, ...(useWindow ? { window: { days, start, end } } : {}) });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const fieldError = error instanceof ApiError && error.fields.some((e) => e.field === 'scope') ? error.message : null;
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-labelledby="ask-heading">
      <h3 id="ask-heading">Ask to be scanned</h3>
      <ErrorAlert error={error} />
      <div className={`usa-form-group ${fieldError ? 'usa-form-group--error' : ''}`}>
        <label className="usa-label" htmlFor="scan-scope">Your internet-facing systems</label>
        <span className="usa-hint" id="scan-scope-hint">One per line: web addresses without https:// (results.county.gov), IP addresses, or address ranges (203.0.113.0/28). Only list systems your office owns or runs.</span>
        {fieldError && <span className="usa-error-message" role="alert">{fieldError}</span>}
        <textarea className="usa-textarea" id="scan-scope" aria-describedby="scan-scope-hint" value={scope} onChange={(e) => setScope(e.target.value)} required />
      </div>
      <div className="usa-checkbox margin-top-2">
        <input className="usa-checkbox__input" id="scan-window" type="checkbox" checked={useWindow} onChange={(e) => setUseWindow(e.target.checked)} />
        <label className="usa-checkbox__label" htmlFor="scan-window">Only scan at set times</label>
      </div>
      {useWindow && (
        <fieldset className="usa-fieldset margin-top-1">
          <legend className="usa-legend">Days and hours (your local time)</legend>
          <div className="display-flex flex-wrap">
            {DAYS.map((d, i) => (
              <div className="usa-checkbox margin-right-2" key={d}>
                <input className="usa-checkbox__input" id={`day-${i}`} type="checkbox" checked={days.includes(i)} onChange={(e) => setDays(e.target.checked ? [...days, i].sort() : days.filter((x) => x !== i))} />
                <label className="usa-checkbox__label" htmlFor={`day-${i}`}>{d}</label>
              </div>
            ))}
          </div>
          <label className="usa-label" htmlFor="window-start">From</label>
          <input className="usa-input usa-input--small" id="window-start" type="time" value={start} onChange={(e) => setStart(e.target.value)} />
          <label className="usa-label" htmlFor="window-end">Until</label>
          <input className="usa-input usa-input--small" id="window-end" type="time" value={end} onChange={(e) => setEnd(e.target.value)} />
        </fieldset>
      )}
      <div className="usa-summary-box margin-top-2" role="region" aria-labelledby="terms-heading">
        <div className="usa-summary-box__body">
          <h4 className="usa-summary-box__heading" id="terms-heading">The terms (version {terms?.version ?? '…'})</h4>
          <p className="usa-summary-box__text">{terms?.text ?? 'Loading…'}</p>
        </div>
      </div>
      <div className="usa-checkbox margin-top-2">
        <input className="usa-checkbox__input" id="scan-accept" type="checkbox" checked={accept} onChange={(e) => setAccept(e.target.checked)} />
        <label className="usa-checkbox__label" htmlFor="scan-accept">I accept these terms on behalf of {orgName}</label>
      </div>
      <button type="submit" className="usa-button margin-top-2" disabled={!accept || !scope.trim()}>Send the request</button>
    </form>
  );
}

function AcceptForm({ finding, onDone }: { finding: Finding; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    try {
      await post(`/api/v1/scan-findings/${finding.id}/accept`, { reason, until: new Date(`${until}T23:59:59Z`).toISOString() });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="usa-form margin-top-1" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <ErrorAlert error={error} />
      <label className="usa-label" htmlFor={`reason-${finding.id}`}>Why it is not a problem</label>
      <textarea className="usa-textarea" id={`reason-${finding.id}`} value={reason} onChange={(e) => setReason(e.target.value)} required />
      <label className="usa-label" htmlFor={`until-${finding.id}`}>Look at it again on</label>
      <input className="usa-input" type="date" id={`until-${finding.id}`} value={until} onChange={(e) => setUntil(e.target.value)} />
      <button type="submit" className="usa-button usa-button--secondary margin-top-1">Mark as not a problem</button>
    </form>
  );
}

function Findings({ findings, showOrg, canDecide, onChange }: { findings: Finding[]; showOrg: boolean; canDecide: boolean; onChange: () => void }) {
  const [accepting, setAccepting] = useState<string | null>(null);
  if (!findings.length) return <p>No open findings.</p>;
  return (
    <table className="usa-table usa-table--borderless usa-table--stacked width-full" data-testid="findings">
      <caption className="usa-sr-only">Open findings, worst and soonest due first</caption>
      <thead><tr><th scope="col">Severity</th>{showOrg && <th scope="col">Office</th>}<th scope="col">What to fix</th><th scope="col">Where</th><th scope="col">Fix by</th></tr></thead>
      <tbody>
        {findings.map((f) => (
          <tr key={f.id}>
            <td data-label="Severity"><SeverityTag severity={f.severity} /></td>
            {showOrg && <td data-label="Office">{f.orgName}</td>}
            <td data-label="What to fix">
              <details>
                <summary><strong>{f.title}</strong>{f.status === 're-detected' ? ' (back again)' : f.status === 'new' ? ' (new)' : ''}</summary>
                <p className="margin-y-05 text-base-dark">{f.evidence}</p>
                <p className="margin-y-05"><strong>How to fix it:</strong> {f.fix}</p>
                {canDecide && (accepting === f.id ? <AcceptForm finding={f} onDone={() => { setAccepting(null); onChange(); }} /> : <button type="button" className="usa-button usa-button--unstyled" onClick={() => setAccepting(f.id)}>This is not a problem…</button>)}
              </details>
            </td>
            <td data-label="Where"><code>{f.host}{f.port ? `:${f.port}` : ''}</code></td>
            <td data-label="Fix by">{f.overdue ? <strong className="text-secondary-dark">overdue ({day(f.dueAt)})</strong> : day(f.dueAt)}{f.dueElectionDay && <div className="font-body-2xs">before the election on {day(`${f.dueElectionDay}T12:00:00Z`)}</div>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ScanningPage() {
  const { me } = useSession();
  const [auths, setAuths] = useState<Authorization[] | null>(null);
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [scans, setScans] = useState<Scan[]>([]);
  const [rollup, setRollup] = useState<Rollup | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const center = me?.org.type === 'operations-center';
  const isState = me?.org.type === 'state' || me?.org.type === 'territory';
  const canWrite = me?.user.role !== 'viewer';
  const orgId = me?.org.id ?? '';
  const load = useCallback(() => {
    if (!orgId) return;
    void get<Authorization[]>('/api/v1/scan-authorizations').then(setAuths, setError);
    void get<{ items: Finding[] }>(`/api/v1/scan-findings${qs({ status: 'open', ...(center ? {} : { orgId }), limit: 500 })}`).then((r) => setFindings(r.items), setError);
    void get<Scan[]>(`/api/v1/scans${qs({ ...(center ? {} : { orgId }), limit: 20 })}`).then(setScans, setError);
    if (!center) void get<Report>(`/api/v1/scan-reports/${orgId}?format=json`).then(setReport, () => setReport(null));
    if (isState) void get<Rollup>(`/api/v1/scan-reports/state/${orgId}?format=json`).then(setRollup, setError);
  }, [orgId, center, isState]);
  useEffect(load, [load]);
  // While a scan is queued or running, its progress is polled.
  const active = scans.find((s) => s.status === 'queued' || s.status === 'running');
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(load, 2000);
    return () => window.clearInterval(t);
  }, [active, load]);
  if (!me) return <Loading what="your account" />;
  const own = (auths ?? []).filter((a) => a.orgId === orgId);
  const approved = own.find((a) => a.status === 'approved');
  const waiting = (auths ?? []).filter((a) => a.status === 'requested' && a.orgId !== orgId);
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await fn();
      setMessage(done);
      load();
    } catch (err) {
      setError(err);
    }
  };
  const c = report?.card;
  return (
    <>
      <h1>Cyber hygiene scanning</h1>
      <p className="usa-intro margin-top-0">The operations center checks your internet-facing systems — results site, voter registration, email — from the outside, as an attacker would see them, and tells you what to fix before election day.</p>
      <ErrorAlert error={error} />
      {message && <SuccessAlert>{message}</SuccessAlert>}
      {center && (
        <section aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">Requests waiting for approval</h2>
          {waiting.length === 0 ? <p>None.</p> : waiting.map((a) => (
            <div className="usa-card margin-bottom-2" key={a.id}>
              <div className="usa-card__container padding-2">
                <h3 className="margin-top-0">{a.orgName}</h3>
                <p>Scope: <code>{a.scope.join(', ')}</code>. Terms {a.acceptance.version} accepted by {a.acceptance.acceptedBy} on {day(a.acceptance.acceptedAt)}.{a.window ? ` Only ${a.window.days.map((d) => DAYS[d]).join(', ') || 'every day'}, ${a.window.start}–${a.window.end}.` : ''}</p>
                <div className="usa-button-group">
                  <button type="button" className="usa-button" onClick={() => void act(() => post(`/api/v1/scan-authorizations/${a.id}/decision`, { decision: 'approve' }), `Approved: ${a.orgName} will be scanned.`)}>Approve</button>
                  <button type="button" className="usa-button usa-button--outline" onClick={() => void act(() => post(`/api/v1/scan-authorizations/${a.id}/decision`, { decision: 'reject', note: 'Please confirm the scope with the operations center.' }), 'Turned down; the office can send a new request.')}>Turn down</button>
                </div>
              </div>
            </div>
          ))}
        </section>
      )}
      {!center && (
        <section aria-labelledby="card-heading">
          <h2 id="card-heading">Report card</h2>
          {!report || !c || !c.lastScan ? <p>No scan has finished yet.</p> : (
            <>
              <ul className="usa-card-group" data-testid="report-card">
                {[
                  ['Critical', c.open.critical, 'critical'], ['High', c.open.high, 'high'], ['Medium', c.open.medium, 'medium'], ['Low', c.open.low, 'low'],
                  ['Known exploited (KEV)', c.kev, c.kev ? 'critical' : ''], ['Overdue', c.overdue, c.overdue ? 'critical' : ''], ['Fix before election day', c.dueBeforeElection, c.dueBeforeElection ? 'medium' : ''],
                ].map(([label, value, tone]) => (
                  <li className="usa-card tablet:grid-col-3" key={String(label)}>
                    <div className="usa-card__container" style={{ borderLeft: `6px solid ${COLORS[String(tone)] ?? '#00a91c'}` }}>
                      <div className="usa-card__body padding-y-1"><p className="font-heading-xl margin-0">{value}</p><p className="margin-0">{label}</p></div>
                    </div>
                  </li>
                ))}
              </ul>
              <p>{c.hostsScanned} system{c.hostsScanned === 1 ? '' : 's'} scanned; last scan {day(c.lastScan)}, next {day(c.nextScan)}.{report.election ? ` ${report.election.name} is in ${report.election.daysLeft} days (${day(`${report.election.day}T12:00:00Z`)}).` : ''}</p>
              <TrendChart trend={report.trend} />
              <p>
                <a className="usa-button usa-button--outline" href={`/api/v1/scan-reports/${orgId}`} target="_blank" rel="noreferrer">Open the report</a>
                <a className="usa-button usa-button--outline" href={`/api/v1/scan-reports/${orgId}?format=pdf`}>Download PDF</a>
                <a className="usa-button usa-button--outline" href={`/api/v1/scan-reports/${orgId}?format=csv`}>Download CSV</a>
              </p>
            </>
          )}
        </section>
      )}
      {isState && rollup && (
        <section aria-labelledby="rollup-heading">
          <h2 id="rollup-heading">Your counties</h2>
          {rollup.offices.length === 0 ? <p>No county shares scan results with you yet.</p> : (
            <table className="usa-table usa-table--borderless width-full">
              <caption className="usa-sr-only">Open findings per office</caption>
              <thead><tr><th scope="col">Office</th><th scope="col">Known exploited</th><th scope="col">Critical</th><th scope="col">High</th><th scope="col">Medium</th><th scope="col">Overdue</th><th scope="col">Last scan</th></tr></thead>
              <tbody>{rollup.offices.map((o) => <tr key={o.orgId}><th scope="row">{o.name}</th><td>{o.kev}</td><td>{o.critical}</td><td>{o.high}</td><td>{o.medium}</td><td>{o.overdue}</td><td>{day(o.lastScan)}</td></tr>)}</tbody>
            </table>
          )}
          <p><a href={`/api/v1/scan-reports/state/${orgId}?format=pdf`}>Download the roll-up (PDF)</a> · <a href={`/api/v1/scan-reports/state/${orgId}?format=csv`}>CSV</a></p>
        </section>
      )}
      <section aria-labelledby="findings-heading">
        <h2 id="findings-heading">{center ? 'Open findings across the offices' : 'What to fix'}</h2>
        {!findings ? <Loading what="the findings" /> : <Findings findings={findings} showOrg={center} canDecide={canWrite && !center} onChange={() => { setMessage('Marked as not a problem; it comes back for review on the date you chose.'); load(); }} />}
      </section>
      {!center && (
        <section aria-labelledby="auth-heading">
          <h2 id="auth-heading">Scanning of your systems</h2>
          {!auths ? <Loading what="your requests" /> : own.length === 0 ? <p>Your office has not asked to be scanned yet.</p> : (
            <ul className="usa-list">
              {own.map((a) => (
                <li key={a.id}>
                  <code>{a.scope.join(', ')}</code> — <strong>{a.status === 'requested' ? 'waiting for the operations center' : a.status}</strong>
                  {a.decision?.note ? ` (${a.decision.note})` : ''}{a.status === 'approved' && a.nextScanAt ? `; next scan ${day(a.nextScanAt)}` : ''}
                </li>
              ))}
            </ul>
          )}
          {active && (
            <div className="margin-y-2" aria-live="polite">
              <p className="margin-bottom-05">Scan {active.status === 'queued' ? 'waiting for a scanner' : 'running'}…</p>
              <progress aria-label="Scan in progress" className="width-full" />
            </div>
          )}
          {canWrite && approved && !active && <button type="button" className="usa-button" onClick={() => void act(() => post('/api/v1/scans', { authorizationId: approved.id }), 'Scan started. This page updates when it finishes.')}>Scan now</button>}
          {canWrite && (asking ? <RequestForm orgName={me.org.name} onDone={() => { setAsking(false); setMessage('Request sent. The operations center will review it.'); load(); }} /> : <button type="button" className="usa-button usa-button--outline" onClick={() => setAsking(true)}>Ask to be scanned</button>)}
        </section>
      )}
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Recent scans</h2>
        {scans.length === 0 ? <p>None yet.</p> : (
          <table className="usa-table usa-table--borderless width-full">
            <caption className="usa-sr-only">Recent scans</caption>
            <thead><tr>{center && <th scope="col">Office</th>}<th scope="col">When</th><th scope="col">Status</th><th scope="col">Result</th></tr></thead>
            <tbody>{scans.map((s) => <tr key={s.id}>{center && <td>{s.orgName}</td>}<td>{day(s.finishedAt ?? s.createdAt)}</td><td>{s.status}{s.trigger === 'schedule' ? ' (scheduled)' : ''}</td><td>{s.summary ? `${s.summary.hosts} system${s.summary.hosts === 1 ? '' : 's'}; ${s.summary.new} new, ${s.summary.mitigated} fixed, ${s.summary.redetected} back again` : s.error ?? '—'}</td></tr>)}</tbody>
          </table>
        )}
      </section>
    </>
  );
}
