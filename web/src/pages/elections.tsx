// The election calendar: upcoming and past elections that concern the viewer, with the after-action report of
// each; analysts of the operations center (anywhere) and of a state (its own state and offices) add elections.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, post, qs } from '../api.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { OrgPicker } from '../components/recipients.js';

interface Election {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly day: string;
  readonly jurisdictions: string[];
  readonly nationwide: boolean;
  readonly daysLeft: number;
}

const KINDS = [['general', 'General'], ['primary', 'Primary'], ['special', 'Special'], ['runoff', 'Runoff'], ['municipal', 'Municipal']] as const;

function when(e: Election): string {
  if (e.daysLeft === 0) return 'today';
  if (e.daysLeft > 0) return `in ${e.daysLeft} day${e.daysLeft === 1 ? '' : 's'}`;
  return `${-e.daysLeft} day${e.daysLeft === -1 ? '' : 's'} ago`;
}

export function ElectionsPage() {
  const { me } = useSession();
  const [scope, setScope] = useState<'upcoming' | 'past'>('upcoming');
  const [items, setItems] = useState<Election[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const mayManage = (me!.user.role === 'analyst' || me!.user.role === 'org-admin' || me!.user.systemAdmin) && ['operations-center', 'state', 'territory'].includes(me!.org.type);
  const load = useCallback(() => get<{ items: Election[] }>(`/api/v1/elections${qs({ when: scope })}`).then((r) => setItems(r.items), setError), [scope]);
  useEffect(() => void load(), [load]);

  return (
    <>
      <h1>Elections</h1>
      <p className="usa-intro">The days left to the next election show on every screen; on election day, response times tighten and the live board comes first.</p>
      <ErrorAlert error={error} />
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <div className="usa-button-group margin-bottom-2" role="group" aria-label="Which elections">
        <button type="button" className={`usa-button ${scope === 'upcoming' ? '' : 'usa-button--outline'}`} aria-pressed={scope === 'upcoming'} onClick={() => setScope('upcoming')}>Upcoming</button>
        <button type="button" className={`usa-button ${scope === 'past' ? '' : 'usa-button--outline'}`} aria-pressed={scope === 'past'} onClick={() => setScope('past')}>Past</button>
      </div>
      {!items ? <Loading what="elections" /> : items.length === 0 ? <p>No {scope} elections on the calendar.</p> : (
        <table className="usa-table usa-table--borderless width-full">
          <caption className="usa-sr-only">{scope === 'upcoming' ? 'Upcoming elections' : 'Past elections'}</caption>
          <thead><tr><th scope="col">Election</th><th scope="col">Day</th><th scope="col">Where</th><th scope="col">After-action report</th>{mayManage && <th scope="col"><span className="usa-sr-only">Remove</span></th>}</tr></thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <th scope="row">{e.name} <span className="usa-tag margin-left-1">{e.kind}</span></th>
                <td><time dateTime={e.day}>{e.day}</time> ({when(e)})</td>
                <td>{e.nationwide ? 'Nationwide' : `${e.jurisdictions.length} jurisdiction${e.jurisdictions.length === 1 ? '' : 's'}`}</td>
                <td>
                  <a href={`/api/v1/incidents/after-action${qs({ election: e.id, format: 'pdf' })}`}>PDF</a> · <a href={`/api/v1/incidents/after-action${qs({ election: e.id, format: 'csv' })}`}>CSV</a>
                </td>
                {mayManage && (
                  <td>
                    <button type="button" className="usa-button usa-button--unstyled" aria-label={`Remove ${e.name}`} onClick={() => void del(`/api/v1/elections/${e.id}`).then(() => { setDone(`${e.name} removed.`); return load(); }, setError)}>Remove</button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayManage && <AddElection onAdded={(name) => { setDone(`${name} added to the calendar.`); void load(); }} />}
    </>
  );
}

function AddElection({ onAdded }: { onAdded: (name: string) => void }) {
  const { me } = useSession();
  const center = me!.org.type === 'operations-center';
  const [name, setName] = useState('');
  const [kind, setKind] = useState('general');
  const [day, setDay] = useState('');
  const [nationwide, setNationwide] = useState(center);
  const [where, setWhere] = useState<Map<string, string>>(new Map(center ? [] : [[me!.org.id, me!.org.name]]));
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!nationwide && where.size === 0) {
      setError(new ApiError(400, 'validation-failed', 'Where', 'Choose the states or offices voting, or nationwide.'));
      return;
    }
    try {
      await post('/api/v1/elections', { name, kind, day, jurisdictions: nationwide ? [] : [...where.keys()] });
      onAdded(name);
      setName('');
      setDay('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="usa-form usa-form--large margin-top-4" onSubmit={(e) => void submit(e)}>
      <h2>Add an election</h2>
      <ErrorAlert error={error} heading="The election was not added" />
      <label className="usa-label" htmlFor="e-name">Name</label>
      <input className="usa-input" id="e-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <label className="usa-label" htmlFor="e-kind">Kind</label>
      <select className="usa-select" id="e-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
        {KINDS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      <label className="usa-label" htmlFor="e-day">Election day</label>
      <input className="usa-input" id="e-day" type="date" required value={day} onChange={(e) => setDay(e.target.value)} />
      {center && (
        <div className="usa-checkbox margin-top-2">
          <input className="usa-checkbox__input" id="e-nationwide" type="checkbox" checked={nationwide} onChange={(e) => setNationwide(e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="e-nationwide">Nationwide</label>
        </div>
      )}
      {!nationwide && (
        <fieldset className="usa-fieldset margin-top-2">
          <legend className="usa-legend">Where (states, territories or offices)</legend>
          <OrgPicker picked={where} onChange={setWhere} />
        </fieldset>
      )}
      <button className="usa-button margin-top-2" type="submit">Add election</button>
    </form>
  );
}
