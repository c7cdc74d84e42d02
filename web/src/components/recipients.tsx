// Choosing recipients: organisations found by search, a one-click "all local offices of my state" for
// state officials, and (for RED) named people picked from an organisation's users.
import { useEffect, useState } from 'react';
import { get, qs, type Org, type Page, type User } from '../api.js';
import { useSession } from '../session.js';
import { ErrorAlert } from './alerts.js';

export interface Picked {
  readonly orgs: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, string>;
}

async function allPages<T>(url: (cursor?: string) => string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i += 1) {
    const p = await get<Page<T>>(url(cursor));
    out.push(...p.items);
    if (!p.next) break;
    cursor = p.next;
  }
  return out;
}

function useOrgSearch(q: string) {
  const [results, setResults] = useState<Org[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (q.trim().length < 2) {
      setResults([]);
      return;
    }
    const timer = setTimeout(() => {
      get<Page<Org>>(`/api/v1/orgs${qs({ q: q.trim(), limit: 20 })}`).then((p) => setResults(p.items), setError);
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return { results, error };
}

export function OrgPicker({ picked, onChange }: { picked: ReadonlyMap<string, string>; onChange: (m: Map<string, string>) => void }) {
  const { me } = useSession();
  const [q, setQ] = useState('');
  const { results, error } = useOrgSearch(q);
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const toggle = (o: Pick<Org, 'id' | 'name'>, on: boolean) => {
    const m = new Map(picked);
    if (on) m.set(o.id, o.name);
    else m.delete(o.id);
    onChange(m);
  };
  const isState = me && (me.org.type === 'state' || me.org.type === 'territory');
  const addMyLocals = async () => {
    if (!me) return;
    setBusy(true);
    try {
      const locals = await allPages<Org>((cursor) => `/api/v1/orgs${qs({ parentId: me.org.id, limit: 200, cursor })}`);
      const m = new Map(picked);
      for (const o of locals) m.set(o.id, o.name);
      onChange(m);
    } catch (err) {
      setLoadError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      {isState && (
        <button type="button" className="usa-button usa-button--outline margin-bottom-1" onClick={() => void addMyLocals()} disabled={busy}>
          {busy ? 'Adding…' : `Add all local offices of ${me.org.name}`}
        </button>
      )}
      <ErrorAlert error={loadError ?? error} />
      <label className="usa-label" htmlFor="org-search">
        Find an organisation
      </label>
      <span className="usa-hint" id="org-search-hint">
        Type part of a name, a state code (GA) or a FIPS code.
      </span>
      <input className="usa-input" id="org-search" type="search" aria-describedby="org-search-hint" value={q} onChange={(e) => setQ(e.target.value)} />
      {results.length > 0 && (
        <fieldset className="usa-fieldset recipient-box margin-top-1">
          <legend className="usa-sr-only">Search results</legend>
          {results.map((o) => (
            <div className="usa-checkbox" key={o.id}>
              <input className="usa-checkbox__input" id={`org-${o.id}`} type="checkbox" checked={picked.has(o.id)} onChange={(e) => toggle(o, e.target.checked)} />
              <label className="usa-checkbox__label" htmlFor={`org-${o.id}`}>
                {o.name} <span className="text-base">({o.type}{o.stateCode ? `, ${o.stateCode}` : ''})</span>
              </label>
            </div>
          ))}
        </fieldset>
      )}
      <PickedList title="Organisations that will receive it" picked={picked} onRemove={(id) => toggle({ id, name: '' }, false)} />
    </div>
  );
}

export function UserPicker({ picked, onChange }: { picked: ReadonlyMap<string, string>; onChange: (m: Map<string, string>) => void }) {
  const [q, setQ] = useState('');
  const { results } = useOrgSearch(q);
  const [org, setOrg] = useState<Org | null>(null);
  const [people, setPeople] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!org) return;
    get<{ items: User[] }>(`/api/v1/orgs/${org.id}/users`).then((r) => setPeople(r.items.filter((u) => u.active)), setError);
  }, [org]);
  const toggle = (id: string, name: string, on: boolean) => {
    const m = new Map(picked);
    if (on) m.set(id, name);
    else m.delete(id);
    onChange(m);
  };
  return (
    <div>
      <label className="usa-label" htmlFor="person-org-search">
        Find the organisation of the person
      </label>
      <input className="usa-input" id="person-org-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      {results.length > 0 && !org && (
        <ul className="usa-list usa-list--unstyled recipient-box margin-top-1">
          {results.map((o) => (
            <li key={o.id}>
              <button type="button" className="usa-button usa-button--unstyled padding-y-05" onClick={() => setOrg(o)}>
                {o.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorAlert error={error} />
      {org && (
        <fieldset className="usa-fieldset recipient-box margin-top-1">
          <legend className="usa-legend font-sans-sm margin-top-0">
            People at {org.name}{' '}
            <button type="button" className="usa-button usa-button--unstyled" onClick={() => setOrg(null)}>
              (choose another organisation)
            </button>
          </legend>
          {people.map((u) => (
            <div className="usa-checkbox" key={u.id}>
              <input className="usa-checkbox__input" id={`user-${u.id}`} type="checkbox" checked={picked.has(u.id)} onChange={(e) => toggle(u.id, u.name, e.target.checked)} />
              <label className="usa-checkbox__label" htmlFor={`user-${u.id}`}>
                {u.name} <span className="text-base">({u.email})</span>
              </label>
            </div>
          ))}
        </fieldset>
      )}
      <PickedList title="People who will receive it" picked={picked} onRemove={(id) => toggle(id, '', false)} />
    </div>
  );
}

function PickedList({ title, picked, onRemove }: { title: string; picked: ReadonlyMap<string, string>; onRemove: (id: string) => void }) {
  if (picked.size === 0) return null;
  return (
    <div className="margin-top-2">
      <h3 className="font-sans-sm margin-bottom-05">
        {title} ({picked.size})
      </h3>
      <ul className="usa-list usa-list--unstyled" data-testid="picked-recipients">
        {[...picked].map(([id, name]) => (
          <li key={id} className="display-flex flex-align-center eoc-gap-sm">
            {name}
            <button type="button" className="usa-button usa-button--unstyled" onClick={() => onRemove(id)} aria-label={`Remove ${name}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
