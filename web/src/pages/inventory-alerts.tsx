// Threats that touch the office's own systems, told to the office alone: what matched, why it matters, what
// to do, and an acknowledgement (the producer of the threat learns only that an office acknowledged).
import { useCallback, useEffect, useState } from 'react';
import { get, post } from '../api.js';
import { Link } from '../router.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { shortDate } from '../intel-api.js';

interface Match {
  readonly id: string;
  readonly asset: { id: string; name: string; component: string };
  readonly reason: string;
  readonly matched: string;
  readonly indicator: { type: string; value: string; stixId?: string; name?: string | null };
  readonly why: string;
  readonly todo: string;
  readonly createdAt: string;
  readonly acknowledgedAt: string | null;
}

export function InventoryAlertsPage() {
  const [items, setItems] = useState<Match[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const load = useCallback(() => get<{ items: Match[] }>('/api/v1/victim-matches').then((r) => setItems(r.items), setError), []);
  useEffect(() => void load(), [load]);
  useLiveEvents(['victim.matched'], (e) => {
    setAnnounce(String(e.data.title ?? 'A threat touches one of your systems'));
    void load();
  });
  const acknowledge = async (id: string) => {
    try {
      await post(`/api/v1/victim-matches/${id}/acknowledge`);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  if (!items) return <><ErrorAlert error={error} /><Loading what="threats to your systems" /></>;
  const open = items.filter((m) => !m.acknowledgedAt);
  return (
    <>
      <p className="margin-bottom-0"><Link to="/inventory">Election systems</Link></p>
      <h1 className="margin-top-05">Threats to our systems</h1>
      <div className="usa-sr-only" aria-live="assertive">{announce}</div>
      <p className="usa-intro margin-top-0">{open.length ? `${open.length} waiting for your office.` : 'Nothing waiting.'} Only your office sees these; whoever shared the threat learns only that an office was told and acknowledged.</p>
      <ErrorAlert error={error} />
      {items.map((m) => (
        <div key={m.id} className={`usa-alert ${m.acknowledgedAt ? 'usa-alert--info' : 'usa-alert--warning'} margin-y-2`}>
          <div className="usa-alert__body">
            <h2 className="usa-alert__heading">{m.asset.name}: {m.indicator.value}</h2>
            <p className="usa-alert__text">{m.why}</p>
            <p className="usa-alert__text"><strong>What matched:</strong> <code>{m.matched}</code> in your inventory{m.indicator.name ? <> · the threat: <Link to={`/intel/objects/${m.indicator.stixId}`}>{m.indicator.name}</Link></> : null} · {shortDate(m.createdAt)}</p>
            <p className="usa-alert__text"><strong>What to do:</strong> {m.todo}</p>
            {m.acknowledgedAt ? <p className="usa-alert__text">Acknowledged {shortDate(m.acknowledgedAt)}.</p> : (
              <div className="usa-button-group margin-top-1">
                <button type="button" className="usa-button" onClick={() => void acknowledge(m.id)}>Acknowledge</button>
                <Link className="usa-button usa-button--outline" to="/incidents/new">Report an incident</Link>
              </div>
            )}
          </div>
        </div>
      ))}
    </>
  );
}
