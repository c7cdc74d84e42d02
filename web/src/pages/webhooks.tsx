// An organisation's webhooks (its administrators): register, test, see deliveries, remove.
import { useEffect, useState, type FormEvent } from 'react';
import { del, get, post } from '../api.js';
import { ErrorAlert } from '../components/alerts.js';

interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: string[];
  readonly createdAt: string;
}

interface Delivery {
  readonly id: string;
  readonly eventType: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
}

const EVENT_TYPES = ['bulletin.created', 'bulletin.shared', 'bulletin.tlp-changed'];

export function Webhooks({ orgId }: { orgId: string }) {
  const [items, setItems] = useState<Webhook[]>([]);
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [deliveries, setDeliveries] = useState<Record<string, Delivery[]>>({});
  const [error, setError] = useState<unknown>(null);
  const load = () => get<{ items: Webhook[] }>(`/api/v1/orgs/${orgId}/webhooks`).then((r) => setItems(r.items), setError);
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orgId]);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const w = await post<{ secret: string }>(`/api/v1/orgs/${orgId}/webhooks`, { url, eventTypes: types });
      setSecret(w.secret);
      setUrl('');
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const showDeliveries = async (id: string) => setDeliveries({ ...deliveries, [id]: (await get<{ items: Delivery[] }>(`/api/v1/webhooks/${id}/deliveries?limit=20`)).items });
  const test = async (id: string) => {
    await post(`/api/v1/webhooks/${id}/test`).catch(setError);
    setTimeout(() => void showDeliveries(id), 1500);
  };
  return (
    <>
      <p>Webhooks let your own systems hear about bulletins shared with your organisation. Each call is signed (HMAC-SHA256, header X-EOC-Signature) with a secret shown once.</p>
      <ErrorAlert error={error} />
      {secret && (
        <div className="usa-alert usa-alert--warning" role="status">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading">Copy the signing secret now</h3>
            <code className="secret">{secret}</code>
          </div>
        </div>
      )}
      <ul className="usa-list usa-list--unstyled">
        {items.map((w) => (
          <li key={w.id} className="border-bottom border-base-lighter padding-y-1">
            <code>{w.url}</code> — {w.eventTypes.length ? w.eventTypes.join(', ') : 'every event'}{' '}
            <button type="button" className="usa-button usa-button--unstyled margin-left-1" onClick={() => void test(w.id)}>
              Send a test
            </button>
            <button type="button" className="usa-button usa-button--unstyled margin-left-1" onClick={() => void showDeliveries(w.id)}>
              Recent deliveries
            </button>
            <button type="button" className="usa-button usa-button--unstyled text-secondary margin-left-1" onClick={() => void del(`/api/v1/webhooks/${w.id}`).then(load, setError)}>
              Remove
            </button>
            {deliveries[w.id] && (
              <table className="usa-table usa-table--compact margin-top-1">
                <caption className="usa-sr-only">Deliveries</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last answer</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries[w.id]!.map((d) => (
                    <tr key={d.id}>
                      <td>{new Date(d.createdAt).toLocaleString()}</td>
                      <td>{d.eventType}</td>
                      <td>{d.status}</td>
                      <td>{d.attempts}</td>
                      <td>{d.lastError ?? d.lastStatusCode ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </li>
        ))}
      </ul>
      <form className="usa-form usa-form--large" onSubmit={(e) => void create(e)}>
        <label className="usa-label" htmlFor="webhook-url">
          Receiver URL (https)
        </label>
        <input className="usa-input" id="webhook-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        <fieldset className="usa-fieldset margin-top-2">
          <legend className="usa-legend">Events (none ticked: every event)</legend>
          {EVENT_TYPES.map((t) => (
            <div className="usa-checkbox" key={t}>
              <input className="usa-checkbox__input" id={`wh-${t}`} type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))} />
              <label className="usa-checkbox__label" htmlFor={`wh-${t}`}>
                {t}
              </label>
            </div>
          ))}
        </fieldset>
        <button className="usa-button margin-top-2" type="submit">
          Add webhook
        </button>
      </form>
    </>
  );
}
