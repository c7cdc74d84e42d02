// The incident queue: what the viewer may see, open first by the SLA due soonest (analysts) or newest first,
// with filters and full-text search; new reports and changes arrive live and are announced.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { qs } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { usePagedList } from '../paged-list.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { INCIDENT_EVENTS, label, loadTaxonomy, relativeMinutes, STATUS_LABELS, type IncidentSummary, type Taxonomy } from '../incidents-api.js';
import { SeverityBadge, SlaBadge } from '../components/incident-badges.js';

export function IncidentsPage() {
  const { me } = useSession();
  const analyst = me!.user.role === 'analyst' || me!.user.role === 'org-admin';
  const params = new URLSearchParams(location.search);
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [status, setStatus] = useState(params.get('status') ?? 'open');
  const [sort, setSort] = useState<'due' | 'newest'>(analyst ? 'due' : 'newest');
  const [category, setCategory] = useState(params.get('category') ?? '');
  const [component, setComponent] = useState(params.get('component') ?? '');
  const [kind, setKind] = useState(params.get('kind') ?? '');
  const [state, setState] = useState(params.get('state') ?? '');
  const [mine, setMine] = useState(false);
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [announce, setAnnounce] = useState('');

  useEffect(() => void loadTaxonomy().then(setTax, setError), []);
  const url = useCallback(
    (cursor?: string) => `/api/v1/incidents${qs({ status, sort, category, component, kind, state, assignee: mine ? 'me' : undefined, q: query, limit: 50, cursor })}`,
    [status, sort, category, component, kind, state, mine, query],
  );
  const { items, next, error, setError, load, more } = usePagedList<IncidentSummary>(url);
  useLiveEvents(INCIDENT_EVENTS, (event) => {
    if (event.type === 'incident.reported') setAnnounce(`New report: ${String(event.data.title ?? '')}`);
    void load();
  });
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };

  return (
    <>
      <div className="display-flex flex-justify flex-align-center flex-wrap">
        <h1 className="margin-y-1">Incidents</h1>
        <div>
          <Link to="/board" className="usa-button usa-button--outline">Live board</Link>
          {me!.user.role !== 'viewer' && <Link to="/incidents/new" className="usa-button">Report an incident</Link>}
        </div>
      </div>
      <div className="usa-sr-only" aria-live="polite">{announce}</div>
      <form className="usa-search usa-search--small margin-y-2" role="search" onSubmit={search}>
        <label className="usa-sr-only" htmlFor="incident-search">Search incidents</label>
        <input className="usa-input" id="incident-search" type="search" placeholder="Search title, description, place" value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="usa-button" type="submit"><span className="usa-search__submit-text">Search</span></button>
      </form>
      <div className="grid-row grid-gap-2 filters">
        <Filter id="f-status" labelText="Status" value={status} onChange={setStatus} options={[['open', 'Open'], ['all', 'All'], ...Object.entries(STATUS_LABELS)]} />
        <Filter id="f-kind" labelText="Kind" value={kind} onChange={setKind} options={[['', 'Any'], ['operational', 'Operational'], ['nefarious', 'Possibly deliberate']]} />
        <Filter id="f-category" labelText="What happened" value={category} onChange={setCategory} options={[['', 'Any'], ...(tax?.categories.map((c) => [c.id, c.label] as [string, string]) ?? [])]} />
        <Filter id="f-component" labelText="Affected" value={component} onChange={setComponent} options={[['', 'Any'], ...(tax?.components.map((c) => [c.id, c.label] as [string, string]) ?? [])]} />
        <div className="grid-col-6 tablet:grid-col-2">
          <label className="usa-label margin-top-0" htmlFor="f-state">State</label>
          <input className="usa-input" id="f-state" maxLength={2} value={state} onChange={(e) => setState(e.target.value.toUpperCase())} placeholder="GA" />
        </div>
        <Filter id="f-sort" labelText="Order" value={sort} onChange={(v) => setSort(v as 'due' | 'newest')} options={[['due', 'Due soonest'], ['newest', 'Newest first']]} />
      </div>
      {analyst && (
        <div className="usa-checkbox margin-y-1">
          <input className="usa-checkbox__input" id="f-mine" type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="f-mine">Only mine</label>
        </div>
      )}
      <ErrorAlert error={error} />
      {!items ? (
        <Loading what="incidents" />
      ) : items.length === 0 ? (
        <p>No incidents match. {status === 'open' ? 'Nothing is open right now.' : ''}</p>
      ) : (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full incident-table">
          <caption className="usa-sr-only">Incidents</caption>
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Where</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">SLA</th>
              <th scope="col">Reported</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} className={i.kind === 'nefarious' ? 'is-nefarious' : undefined}>
                <th scope="row" data-label="Incident">
                  <Link to={`/incidents/${i.id}`} className="text-bold">{i.title}</Link>
                  <div className="font-sans-3xs text-base">
                    {i.ref} · {tax ? label(tax.categories, i.category) : i.category} · {tax ? label(tax.components, i.component) : i.component} · <TlpBadge tlp={i.tlp} />
                    {(i.votingAffected || i.countingAffected) && <span className="usa-tag bg-secondary-dark margin-left-1">{i.votingAffected ? 'Voting affected' : 'Counting affected'}</span>}
                  </div>
                </th>
                <td data-label="Where">{i.jurisdiction.name}{i.location ? <div className="font-sans-3xs">{i.location}</div> : null}</td>
                <td data-label="Severity"><SeverityBadge severity={i.severity} /></td>
                <td data-label="Status">{STATUS_LABELS[i.status]}{i.assessment ? <div className="font-sans-3xs">{i.assessment.replace('-', ' ')}</div> : null}</td>
                <td data-label="SLA">{i.open ? <SlaBadge clock={i.status === 'new' ? i.sla.triage : i.sla.resolve} what={i.status === 'new' ? 'triage' : 'resolve'} /> : '—'}</td>
                <td data-label="Reported"><time dateTime={i.createdAt}>{relativeMinutes(Math.round((Date.parse(i.createdAt) - Date.now()) / 60_000))}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button className="usa-button usa-button--outline" type="button" onClick={() => void more()}>Show more</button>}
    </>
  );
}

function Filter({ id, labelText, value, onChange, options }: { id: string; labelText: string; value: string; onChange: (v: string) => void; options: Array<[string, string]> }) {
  return (
    <div className="grid-col-6 tablet:grid-col-2">
      <label className="usa-label margin-top-0" htmlFor={id}>{labelText}</label>
      <select className="usa-select" id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </div>
  );
}
