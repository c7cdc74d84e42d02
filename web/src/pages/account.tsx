// The user's own account: change password, and API tokens for scripts (shown once, revocable).
import { useEffect, useState, type FormEvent } from 'react';
import { del, get, post, put } from '../api.js';
import { useSession } from '../session.js';
import { ErrorAlert, SuccessAlert } from '../components/alerts.js';
import { NotificationSettings } from './notification-settings.js';

interface Token {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: string[];
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export function AccountPage() {
  const { me } = useSession();
  if (!me) return null;
  return (
    <>
      <h1>Your account</h1>
      <p>
        {me.user.name} · {me.user.email} · {me.user.role} at {me.org.name}
        {me.user.mfaEnabled ? ' · authenticator app set up' : ''}
      </p>
      <PasswordForm />
      <NotificationSettings />
      <Tokens />
    </>
  );
}

function PasswordForm() {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await put('/api/v1/auth/password', { password });
      setPassword('');
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="usa-form usa-form--large margin-top-4" onSubmit={(e) => void submit(e)}>
      <h2>Change your password</h2>
      {done && <SuccessAlert>Your password was changed.</SuccessAlert>}
      <ErrorAlert error={error} heading="The password was not changed" />
      <label className="usa-label" htmlFor="account-password">
        New password
      </label>
      <span className="usa-hint" id="account-password-hint">
        At least 12 characters; common passwords are refused.
      </span>
      <input className="usa-input" id="account-password" type="password" autoComplete="new-password" aria-describedby="account-password-hint" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button className="usa-button margin-top-2" type="submit">
        Change password
      </button>
    </form>
  );
}

function Tokens() {
  const { me } = useSession();
  const [tokens, setTokens] = useState<Token[]>([]);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('read');
  const [days, setDays] = useState(90);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => get<{ items: Token[] }>('/api/v1/tokens').then((r) => setTokens(r.items), setError);
  useEffect(() => {
    void load();
  }, []);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const t = await post<{ token: string }>('/api/v1/tokens', { name, scopes: scope === 'read' ? ['read'] : ['read', 'write'], expiresInDays: days });
      setCreated(t.token);
      setName('');
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: string) => {
    await del(`/api/v1/tokens/${id}`).catch(setError);
    await load();
  };
  return (
    <section className="margin-top-5">
      <h2>API tokens</h2>
      <p>Scripts and other systems use a token instead of your password. Give each one a name, the least access it needs, and an expiry.</p>
      <ErrorAlert error={error} />
      {created && (
        <div className="usa-alert usa-alert--warning" role="status">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading">Copy your new token now</h3>
            <p className="usa-alert__text">It will not be shown again.</p>
            <code className="secret" data-testid="new-token">
              {created}
            </code>
          </div>
        </div>
      )}
      <form className="usa-form" onSubmit={(e) => void create(e)}>
        <label className="usa-label" htmlFor="token-name">
          Name
        </label>
        <input className="usa-input" id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <label className="usa-label" htmlFor="token-scope">
          Access
        </label>
        <select className="usa-select" id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as 'read' | 'write')}>
          <option value="read">Read only</option>
          {me?.user.role !== 'viewer' && <option value="write">Read and write</option>}
        </select>
        <label className="usa-label" htmlFor="token-days">
          Expires after (days)
        </label>
        <input className="usa-input usa-input--small" id="token-days" type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        <button className="usa-button margin-top-2" type="submit">
          Create token
        </button>
      </form>
      {tokens.length > 0 && (
        <table className="usa-table usa-table--borderless margin-top-3">
          <caption className="usa-sr-only">Your tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Access</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="usa-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>
                  <code>eoc_{t.prefix}</code>
                </td>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : 'never'}</td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>
                  {t.revokedAt ? (
                    'revoked'
                  ) : (
                    <button type="button" className="usa-button usa-button--unstyled text-secondary" onClick={() => void revoke(t.id)}>
                      Revoke<span className="usa-sr-only"> {t.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
