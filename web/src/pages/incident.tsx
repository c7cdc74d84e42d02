// One incident, its whole case file: what was reported, the analyst's triage, the status flow, tasks from
// playbooks, related incidents and duplicates, escalation, notes, files and the timeline. It refreshes live
// when anyone acts on the case; what each person can do follows their role and the sharing policy.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post, qs, type Page } from '../api.js';
import { Link } from '../router.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading, SuccessAlert, WarningAlert } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { SeverityBadge, SlaBadge } from '../components/incident-badges.js';
import { csrfHeaders } from '../uploads.js';
import { INCIDENT_EVENTS, label, loadTaxonomy, STATUS_LABELS, type Incident, type IncidentSummary, type Status, type Taxonomy } from '../incidents-api.js';

export function IncidentPage({ id }: { id: string }) {
  const [i, setI] = useState<Incident | null>(null);
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const attachmentError = new URLSearchParams(location.search).get('attachmentError');
  const load = useCallback(() => get<Incident>(`/api/v1/incidents/${id}`).then(setI, setError), [id]);
  useEffect(() => {
    void load();
    void loadTaxonomy().then(setTax, setError);
  }, [load]);
  useLiveEvents(INCIDENT_EVENTS, (e) => {
    if (e.recordId === id) void load();
  });
  const run = async (what: string, fn: () => Promise<Incident | unknown>) => {
    setError(null);
    setDone('');
    try {
      const r = await fn();
      if (r && typeof r === 'object' && 'timeline' in r) setI(r as Incident);
      else await load();
      setDone(what);
    } catch (err) {
      setError(err);
    }
  };
  if (!i || !tax) return error ? <ErrorAlert error={error} heading="This incident could not be shown" /> : <Loading what="the incident" />;
  const clock = i.status === 'new' ? i.sla.triage : i.sla.resolve;
  return (
    <article className="incident">
      <p className="margin-bottom-0"><Link to="/incidents">← Incidents</Link></p>
      <div className="display-flex flex-align-center flex-wrap" style={{ gap: '0.5rem' }}>
        <TlpBadge tlp={i.tlp} />
        <SeverityBadge severity={i.severity} />
        <span className="usa-tag">{STATUS_LABELS[i.status]}</span>
        <span className={`usa-tag ${i.kind === 'nefarious' ? 'bg-secondary-dark' : 'bg-primary'}`}>{i.kind === 'nefarious' ? 'Possibly deliberate' : 'Operational'}</span>
        {i.open && <SlaBadge clock={clock} what={i.status === 'new' ? 'triage' : 'resolve'} />}
      </div>
      <h1 className="margin-top-1">{i.ref}: {i.title}</h1>
      {attachmentError && <WarningAlert>{attachmentError}. The report itself was sent.</WarningAlert>}
      {i.mergedInto && (
        <WarningAlert>
          This report was merged as a duplicate{i.mergedInto.id ? <> into <Link to={`/incidents/${i.mergedInto.id}`}>{i.mergedInto.ref}: {i.mergedInto.title}</Link></> : ' into an incident not shared with you'}.
        </WarningAlert>
      )}
      <ErrorAlert error={error} />
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <div className="grid-row grid-gap-4">
        <div className="grid-col-12 desktop:grid-col-7">
          <dl className="incident-facts">
            <dt>Where</dt>
            <dd>{i.jurisdiction.name}{i.location ? `, ${i.location}` : ''}{i.address ? <div className="text-base">{i.address}</div> : null}</dd>
            <dt>What happened</dt>
            <dd>{label(tax.categories, i.category)} — {label(tax.components, i.component)}</dd>
            <dt>How bad</dt>
            <dd>{label(tax.symptoms, i.symptom)}{i.votingAffected ? '. Voting affected.' : ''}{i.countingAffected ? ' Counting affected.' : ''}</dd>
            <dt>When</dt>
            <dd><time dateTime={i.occurredAt}>{new Date(i.occurredAt).toLocaleString()}</time> (reported <time dateTime={i.createdAt}>{new Date(i.createdAt).toLocaleString()}</time>{i.channel === 'hotline' ? ' by phone' : ''})</dd>
            <dt>Reported by</dt>
            <dd>{i.reporter.name ?? '—'}{i.reporter.contact ? ` (${i.reporter.contact})` : ''} for {i.ownerName}</dd>
            <dt>Assessment</dt>
            <dd>{i.assessment ? <><strong>{label(tax.assessments, i.assessment).split(':')[0]}</strong>{i.assessmentRationale ? `: ${i.assessmentRationale}` : ''}</> : 'Not yet assessed'}</dd>
            <dt>Owner</dt>
            <dd>{i.assignee?.name ?? 'Nobody yet'}{i.priority ? ` · priority ${i.priority.toUpperCase()}` : ''}</dd>
            <dt>Severity</dt>
            <dd>{i.severity}{i.severity !== i.computedSeverity ? ` (the table gives ${i.computedSeverity})` : ''}<div className="font-sans-3xs text-base">{i.severityReasons.join(' ')}</div></dd>
            {i.escalationLevel && (<><dt>Escalated to</dt><dd>{i.escalationLevel.replace('-', ' ')}</dd></>)}
          </dl>
          <h2 className="font-sans-lg">What was observed</h2>
          <div className="bulletin-body" dangerouslySetInnerHTML={{ __html: i.descriptionHtml }} />
          <Tasks i={i} run={run} />
          <Timeline i={i} run={run} />
        </div>
        <aside className="grid-col-12 desktop:grid-col-5">
          {i.permissions.work && <Triage i={i} tax={tax} run={run} />}
          {i.permissions.work && i.nextStatuses.length > 0 && <StatusButtons i={i} run={run} />}
          {i.permissions.escalate && <Escalate i={i} run={run} />}
          <Related i={i} run={run} />
          <Files i={i} run={run} />
          <h2 className="font-sans-md">After-action</h2>
          <p>
            <a className="usa-button usa-button--outline" href={`/api/v1/incidents/${i.id}/report?format=pdf`}>PDF report</a>
            <a className="usa-button usa-button--outline" href={`/api/v1/incidents/${i.id}/report?format=csv`}>CSV</a>
          </p>
        </aside>
      </div>
    </article>
  );
}

type Run = (what: string, fn: () => Promise<unknown>) => Promise<void>;

function Triage({ i, tax, run }: { i: Incident; tax: Taxonomy; run: Run }) {
  const [assessment, setAssessment] = useState<string>(i.assessment ?? '');
  const [rationale, setRationale] = useState(i.assessmentRationale ?? '');
  const [severity, setSeverity] = useState<string>(i.severity);
  const [priority, setPriority] = useState<string>(i.priority ?? '');
  const [owner, setOwner] = useState<string>(i.assignee?.id ?? '');
  const [owners, setOwners] = useState<Array<{ id: string; name: string; orgName: string }>>([]);
  useEffect(() => void get<{ items: Array<{ id: string; name: string; orgName: string }> }>(`/api/v1/incidents/${i.id}/owners`).then((r) => setOwners(r.items), () => undefined), [i.id]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = {
      ...(assessment && (assessment !== i.assessment || rationale !== (i.assessmentRationale ?? '')) ? { assessment, rationale } : {}),
      ...(severity !== i.severity ? { severity } : {}),
      ...(priority && priority !== i.priority ? { priority } : {}),
      ...(owner !== (i.assignee?.id ?? '') ? { assigneeId: owner || null } : {}),
    };
    if (!Object.keys(body).length) return;
    void run('Triage saved.', () => post(`/api/v1/incidents/${i.id}/triage`, body));
  };
  return (
    <form className="usa-form bg-base-lightest padding-2 radius-md margin-bottom-2" onSubmit={submit} aria-labelledby="triage-h">
      <h2 id="triage-h" className="font-sans-md margin-top-0">Triage</h2>
      <fieldset className="usa-fieldset">
        <legend className="usa-legend margin-top-0">Assessment</legend>
        {tax.assessments.map((a) => (
          <div className="usa-radio bg-transparent" key={a.id}>
            <input className="usa-radio__input" type="radio" id={`as-${a.id}`} name="assessment" checked={assessment === a.id} onChange={() => setAssessment(a.id)} />
            <label className="usa-radio__label" htmlFor={`as-${a.id}`}>{a.label}</label>
          </div>
        ))}
      </fieldset>
      <label className="usa-label" htmlFor="rationale">Why</label>
      <textarea className="usa-textarea height-10" id="rationale" value={rationale} onChange={(e) => setRationale(e.target.value)} required={Boolean(assessment)} />
      <div className="grid-row grid-gap-1">
        <div className="grid-col-6">
          <label className="usa-label" htmlFor="severity">Severity</label>
          <select className="usa-select" id="severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>
            {tax.severities.map((s) => <option key={s} value={s}>{s}{s === i.computedSeverity ? ' (from the table)' : ''}</option>)}
          </select>
        </div>
        <div className="grid-col-6">
          <label className="usa-label" htmlFor="priority">Priority</label>
          <select className="usa-select" id="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
            <option value="">—</option>
            {tax.priorities.map((p) => <option key={p} value={p}>{p.toUpperCase()}</option>)}
          </select>
        </div>
        <div className="grid-col-12">
          <label className="usa-label" htmlFor="owner">Owner</label>
          <select className="usa-select" id="owner" value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="">Nobody</option>
            {owners.map((o) => <option key={o.id} value={o.id}>{o.name} ({o.orgName})</option>)}
          </select>
        </div>
      </div>
      <button className="usa-button margin-top-2" type="submit">Save triage</button>
    </form>
  );
}

const STATUS_VERBS: Record<Status, string> = { new: 'New', triaged: 'Mark triaged', investigating: 'Start investigating', contained: 'Mark contained', resolved: 'Resolve', closed: 'Close' };

function StatusButtons({ i, run }: { i: Incident; run: Run }) {
  const [note, setNote] = useState('');
  return (
    <section className="margin-bottom-2" aria-labelledby="status-h">
      <h2 id="status-h" className="font-sans-md">Move the case</h2>
      <label className="usa-label margin-top-0" htmlFor="status-note">Note (optional)</label>
      <input className="usa-input" id="status-note" value={note} onChange={(e) => setNote(e.target.value)} />
      <div className="margin-top-1">
        {i.nextStatuses.map((s) => (
          <button key={s} type="button" className="usa-button usa-button--outline margin-bottom-1" onClick={() => void run(`Status: ${STATUS_LABELS[s]}.`, () => post(`/api/v1/incidents/${i.id}/status`, { status: s, ...(note.trim() ? { note } : {}) }).then((r) => { setNote(''); return r; }))}>
            {(i.status === 'resolved' || i.status === 'closed') && s === 'investigating' ? 'Reopen' : STATUS_VERBS[s]}
          </button>
        ))}
      </div>
    </section>
  );
}

function Escalate({ i, run }: { i: Incident; run: Run }) {
  const levels = ['state', 'operations-center', 'federal'];
  const current = i.escalationLevel ? levels.indexOf(i.escalationLevel) : -1;
  const [to, setTo] = useState(levels[current + 1] ?? '');
  if (current >= levels.length - 1 || i.tlp === 'RED') return null;
  return (
    <section className="margin-bottom-2" aria-labelledby="esc-h">
      <h2 id="esc-h" className="font-sans-md">Escalate</h2>
      <p className="font-sans-2xs">Shares the incident upward; they are told at once.</p>
      <div className="display-flex flex-align-end" style={{ gap: '0.5rem' }}>
        <div>
          <label className="usa-label margin-top-0" htmlFor="esc-to">To</label>
          <select className="usa-select" id="esc-to" value={to} onChange={(e) => setTo(e.target.value)}>
            {levels.slice(current + 1).map((l) => <option key={l} value={l}>{l === 'state' ? 'The state' : l === 'operations-center' ? 'The operations center' : 'Federal partners'}</option>)}
          </select>
        </div>
        <button type="button" className="usa-button usa-button--secondary" onClick={() => void run('Escalated.', () => post(`/api/v1/incidents/${i.id}/escalate`, { to }))}>Escalate</button>
      </div>
    </section>
  );
}

function Tasks({ i, run }: { i: Incident; run: Run }) {
  const [title, setTitle] = useState('');
  if (!i.tasks.length && !i.permissions.work) return null;
  return (
    <section aria-labelledby="tasks-h">
      <h2 id="tasks-h" className="font-sans-lg">Tasks {i.tasks.length > 0 && <span className="font-sans-sm text-base">({i.tasks.filter((t) => t.done).length} of {i.tasks.length} done)</span>}</h2>
      {i.permissions.work && i.playbooks.length > 0 && (
        <div className="margin-bottom-1">
          {i.playbooks.map((p) => (
            <button key={p.id} type="button" className="usa-button usa-button--outline usa-button--small" disabled={i.tasks.some((t) => t.playbook === p.id)} onClick={() => void run(`Playbook applied: ${p.title}.`, () => post(`/api/v1/incidents/${i.id}/playbooks`, { playbook: p.id }))}>
              Apply playbook: {p.title} ({p.tasks} tasks)
            </button>
          ))}
        </div>
      )}
      <ul className="usa-list usa-list--unstyled">
        {i.tasks.map((t) => (
          <li key={t.id} className="display-flex flex-align-center">
            <div className="usa-checkbox">
              <input className="usa-checkbox__input" id={`task-${t.id}`} type="checkbox" checked={t.done} disabled={!i.permissions.work} onChange={(e) => void run(e.target.checked ? 'Task done.' : 'Task reopened.', () => patch(`/api/v1/incidents/${i.id}/tasks/${t.id}`, { done: e.target.checked }))} />
              <label className="usa-checkbox__label" htmlFor={`task-${t.id}`}>{t.title}</label>
            </div>
            {i.permissions.work && (
              <button type="button" className="usa-button usa-button--unstyled margin-left-1 font-sans-3xs" aria-label={`Remove task: ${t.title}`} onClick={() => void run('Task removed.', () => del(`/api/v1/incidents/${i.id}/tasks/${t.id}`))}>Remove</button>
            )}
          </li>
        ))}
      </ul>
      {i.permissions.work && (
        <form className="display-flex flex-align-end" style={{ gap: '0.5rem' }} onSubmit={(e) => { e.preventDefault(); if (title.trim()) void run('Task added.', () => post(`/api/v1/incidents/${i.id}/tasks`, { title }).then((r) => { setTitle(''); return r; })); }}>
          <div className="flex-fill">
            <label className="usa-label" htmlFor="new-task">Add a task</label>
            <input className="usa-input maxw-full" id="new-task" value={title} onChange={(e) => setTitle(e.target.value)} />
          </div>
          <button type="submit" className="usa-button usa-button--outline">Add</button>
        </form>
      )}
    </section>
  );
}

function Timeline({ i, run }: { i: Incident; run: Run }) {
  const [text, setText] = useState('');
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h" className="font-sans-lg">Timeline</h2>
      {i.permissions.note && (
        <form onSubmit={(e) => { e.preventDefault(); if (text.trim()) void run('Note added.', () => post(`/api/v1/incidents/${i.id}/notes`, { text }).then((r) => { setText(''); return r; })); }}>
          <label className="usa-label margin-top-0" htmlFor="note">Add a note</label>
          <textarea className="usa-textarea height-10" id="note" value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="usa-button usa-button--outline margin-top-1">Add note</button>
        </form>
      )}
      <ol className="timeline">
        {[...i.timeline].reverse().map((t) => (
          <li key={t.id} className={`timeline__item timeline__item--${t.kind}`}>
            <time dateTime={t.at}>{new Date(t.at).toLocaleString()}</time> <strong>{t.actorName}</strong>
            <div>{t.text}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Related({ i, run }: { i: Incident; run: Run }) {
  const [candidates, setCandidates] = useState<IncidentSummary[]>([]);
  const [pick, setPick] = useState('');
  useEffect(() => {
    if (!i.permissions.work) return;
    void get<Page<IncidentSummary>>(`/api/v1/incidents${qs({ status: 'all', limit: 100, state: i.stateCode ?? undefined })}`).then((p) => setCandidates(p.items.filter((c) => c.id !== i.id)), () => undefined);
  }, [i.id, i.permissions.work, i.stateCode]);
  if (!i.links.length && !i.duplicates.length && !i.permissions.work) return null;
  return (
    <section className="margin-bottom-2" aria-labelledby="related-h">
      <h2 id="related-h" className="font-sans-md">Related incidents</h2>
      <ul className="usa-list">
        {i.links.map((l) => (
          <li key={l.id}>
            <Link to={`/incidents/${l.id}`}>{l.ref}: {l.title}</Link> ({STATUS_LABELS[l.status]})
            {i.permissions.work && <button type="button" className="usa-button usa-button--unstyled margin-left-1" onClick={() => void run('Relation removed.', () => del(`/api/v1/incidents/${i.id}/links/${l.id}`))}>remove</button>}
          </li>
        ))}
        {i.duplicates.map((d) => <li key={d.id}>Duplicate: <Link to={`/incidents/${d.id}`}>{d.ref}: {d.title}</Link></li>)}
      </ul>
      {i.permissions.work && (
        <>
          {i.mergedInto ? (
            <button type="button" className="usa-button usa-button--outline" onClick={() => void run('Un-merged.', () => post(`/api/v1/incidents/${i.id}/unmerge`))}>Un-merge: make it separate again</button>
          ) : (
            <>
              <label className="usa-label margin-top-0" htmlFor="related-pick">Another incident</label>
              <select className="usa-select" id="related-pick" value={pick} onChange={(e) => setPick(e.target.value)}>
                <option value="">- Choose -</option>
                {candidates.map((c) => <option key={c.id} value={c.id}>{c.ref}: {c.title} ({c.jurisdiction.name})</option>)}
              </select>
              <div className="margin-top-1">
                <button type="button" className="usa-button usa-button--outline" disabled={!pick} onClick={() => void run('Related.', () => post(`/api/v1/incidents/${i.id}/links`, { incidentId: pick }))}>Relate</button>
                <button type="button" className="usa-button usa-button--outline" disabled={!pick} onClick={() => void run('Merged as a duplicate.', () => post(`/api/v1/incidents/${i.id}/merge`, { into: pick }))}>This is a duplicate of it</button>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

function Files({ i, run }: { i: Incident; run: Run }) {
  const upload = async (files: FileList | null) => {
    for (const f of [...(files ?? [])]) {
      await run(`Attached ${f.name}.`, async () => {
        const res = await fetch(`/api/v1/incidents/${i.id}/attachments`, { method: 'POST', headers: { ...csrfHeaders(), 'content-type': f.type || 'application/octet-stream', 'x-filename': encodeURIComponent(f.name) }, body: f });
        if (!res.ok) {
          const p = (await res.json().catch(() => ({}))) as { detail?: string; code?: string };
          throw new ApiError(res.status, p.code ?? 'error', 'Not attached', p.detail ?? res.statusText);
        }
      });
    }
  };
  return (
    <section className="margin-bottom-2" aria-labelledby="files-h">
      <h2 id="files-h" className="font-sans-md">Files</h2>
      {i.attachments.length === 0 ? <p className="text-base">No files.</p> : (
        <ul className="usa-list">
          {i.attachments.map((a) => (
            <li key={a.id}><a href={`/api/v1/incidents/${i.id}/attachments/${a.id}`}>{a.filename}</a> <span className="font-sans-3xs text-base">({Math.ceil(a.size / 1024)} KB, SHA-256 {a.sha256.slice(0, 12)}…)</span></li>
          ))}
        </ul>
      )}
      {i.permissions.attach && (
        <>
          <label className="usa-label" htmlFor="attach">Attach files</label>
          <input className="usa-file-input" id="attach" type="file" multiple onChange={(e) => void upload(e.target.files)} />
        </>
      )}
    </section>
  );
}
