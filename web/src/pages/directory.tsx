// The directory: a map of states shaded by their local offices, then search and filters over every
// organisation, with a table for those who would rather read than look.
import { useEffect, useState, type FormEvent } from 'react';
import { get, qs, type Org, type OrgType, type Page } from '../api.js';
import { Link } from '../router.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { UsMap } from '../components/us-map.js';

interface StateRow {
  readonly id: string;
  readonly name: string;
  readonly type: OrgType;
  readonly fips: string | null;
  readonly stateCode: string | null;
  readonly localOffices: number;
}

export const ORG_TYPE_LABEL: Record<OrgType, string> = {
  'operations-center': 'Operations center',
  federal: 'Federal partner',
  state: 'State election office',
  territory: 'Territory election office',
  local: 'Local election office',
  tribal: 'Tribal nation',
  private: 'Private partner',
};

export function DirectoryPage() {
  const [states, setStates] = useState<StateRow[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [type, setType] = useState<OrgType | ''>('');
  const [items, setItems] = useState<Org[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    get<{ items: StateRow[] }>('/api/v1/directory/states').then((r) => setStates(r.items), setError);
  }, []);
  const state = states?.find((s) => s.fips === selected) ?? null;
  const url = (cursor?: string) => `/api/v1/orgs${qs({ q: query, type, stateCode: state?.stateCode ?? undefined, limit: 50, cursor })}`;
  useEffect(() => {
    setItems(null);
    get<Page<Org>>(url()).then((p) => {
      setItems(p.items);
      setNext(p.next);
    }, setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, type, state?.stateCode]);
  const more = async () => {
    if (!next) return;
    const p = await get<Page<Org>>(url(next));
    setItems((old) => [...(old ?? []), ...p.items]);
    setNext(p.next);
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };
  return (
    <>
      <h1>Directory</h1>
      <p className="usa-intro">Election offices and partners in the community. Choose a state on the map to see its offices.</p>
      <ErrorAlert error={error} />
      {states ? (
        <UsMap states={states.filter((s) => s.fips).map((s) => ({ fips: s.fips!, name: s.name, value: s.localOffices }))} selected={selected} onSelect={(f) => setSelected(selected === f ? null : f)} />
      ) : (
        <Loading what="the map" />
      )}
      <h2 className="margin-top-4">{state ? `Organisations in ${state.name.replace(/ Elections Division$/, '')}` : 'All organisations'}</h2>
      {state && (
        <p>
          <Link to={`/orgs/${state.id}`}>{state.name}</Link> · {state.localOffices} local offices ·{' '}
          <button type="button" className="usa-button usa-button--unstyled" onClick={() => setSelected(null)}>
            Show every state
          </button>
        </p>
      )}
      <div className="display-flex flex-wrap flex-align-end eoc-gap margin-bottom-2">
        <form className="usa-search usa-search--small" role="search" onSubmit={search}>
          <label className="usa-sr-only" htmlFor="directory-search">
            Search organisations
          </label>
          <input className="usa-input" id="directory-search" type="search" placeholder="Name, state code or FIPS" value={q} onChange={(e) => setQ(e.target.value)} />
          <button className="usa-button" type="submit">
            <span className="usa-search__submit-text">Search</span>
          </button>
        </form>
        <div>
          <label className="usa-label margin-top-0" htmlFor="org-type">
            Kind
          </label>
          <select className="usa-select" id="org-type" value={type} onChange={(e) => setType(e.target.value as OrgType | '')}>
            <option value="">Every kind</option>
            {(Object.keys(ORG_TYPE_LABEL) as OrgType[]).map((t) => (
              <option key={t} value={t}>
                {ORG_TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!items && <Loading what="organisations" />}
      {items && items.length === 0 && <p>No organisation matches.</p>}
      {items && items.length > 0 && (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">Organisations</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col">FIPS</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id}>
                <th scope="row" data-label="Name">
                  <Link to={`/orgs/${o.id}`}>{o.name}</Link>
                </th>
                <td data-label="Kind">{ORG_TYPE_LABEL[o.type]}</td>
                <td data-label="State">{o.stateCode ?? '—'}</td>
                <td data-label="FIPS">{o.fips ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" className="usa-button usa-button--outline" onClick={() => void more()}>
          Show more
        </button>
      )}
    </>
  );
}
