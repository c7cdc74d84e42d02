// What a user is told about, in the app and by email.
import { useEffect, useState } from 'react';
import { get, put } from '../api.js';
import { ErrorAlert, SuccessAlert } from '../components/alerts.js';

interface Kind {
  readonly kind: string;
  readonly label: string;
  readonly inApp: boolean;
  readonly email: boolean;
}

export function NotificationSettings() {
  const [kinds, setKinds] = useState<Kind[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<{ kinds: Kind[] }>('/api/v1/me/notifications').then((r) => setKinds(r.kinds), setError);
  }, []);
  const change = async (kind: Kind, channel: 'inApp' | 'email', value: boolean) => {
    setSaved(false);
    setError(null);
    try {
      const r = await put<{ kinds: Kind[] }>('/api/v1/me/notifications', { [kind.kind]: { inApp: kind.inApp, email: kind.email, [channel]: value } });
      setKinds(r.kinds);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="margin-top-5">
      <h2>Notifications</h2>
      <p>Choose what you are told about. Emails about TLP:AMBER+STRICT and TLP:RED bulletins never include their content.</p>
      <ErrorAlert error={error} />
      {saved && <SuccessAlert>Saved.</SuccessAlert>}
      {kinds && (
        <table className="usa-table usa-table--borderless">
          <caption className="usa-sr-only">Notification settings</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">In the app</th>
              <th scope="col">By email</th>
            </tr>
          </thead>
          <tbody>
            {kinds.map((k) => (
              <tr key={k.kind}>
                <th scope="row">{k.label}</th>
                {(['inApp', 'email'] as const).map((channel) => (
                  <td key={channel}>
                    <div className="usa-checkbox">
                      <input className="usa-checkbox__input" id={`${k.kind}-${channel}`} type="checkbox" checked={k[channel]} onChange={(e) => void change(k, channel, e.target.checked)} />
                      <label className="usa-checkbox__label" htmlFor={`${k.kind}-${channel}`}>
                        <span className="usa-sr-only">
                          {channel === 'inApp' ? 'In the app' : 'By email'}: {k.label}
                        </span>
                      </label>
                    </div>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
