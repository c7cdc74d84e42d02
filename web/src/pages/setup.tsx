// First start (one-time setup link) and invitation acceptance: both set a password under the same policy.
import { useEffect, useState, type FormEvent } from 'react';
import { get, post } from '../api.js';
import { Link, tokenFromHash } from '../router.js';
import { ErrorAlert, SuccessAlert, WarningAlert } from '../components/alerts.js';

const PASSWORD_HINT = 'At least 12 characters. A few unrelated words make a strong password that is easy to remember. Common passwords are refused.';

function PasswordField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <>
      <label className="usa-label" htmlFor="new-password">
        Password
      </label>
      <span className="usa-hint" id="new-password-hint">
        {PASSWORD_HINT}
      </span>
      <input className="usa-input" id="new-password" type="password" autoComplete="new-password" minLength={12} required aria-describedby="new-password-hint" value={value} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}

export function SetupPage() {
  const [token] = useState(tokenFromHash);
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [form, setForm] = useState({ orgName: 'Election Ops Center', name: '', email: '', password: '' });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    get<{ needed: boolean }>('/api/v1/setup').then((r) => setNeeded(r.needed), setError);
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/setup', { token, ...form });
      history.replaceState(null, '', '/setup');
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  if (done) {
    return (
      <>
        <h1>Your operations center is ready</h1>
        <SuccessAlert>The administrator account was created. Sign in to set up your authenticator app, then invite your states and partners.</SuccessAlert>
        <Link className="usa-button" to="/sign-in">
          Sign in
        </Link>
      </>
    );
  }
  if (needed === false) {
    return (
      <>
        <h1>Setup is complete</h1>
        <p>
          This installation already has an administrator. <Link to="/sign-in">Sign in</Link>.
        </p>
      </>
    );
  }
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
      <h1>Set up Election Ops Center</h1>
      <p>Create the operations center and its first administrator. This link works once.</p>
      {!token && <WarningAlert>This page needs the setup link the server printed at its first start.</WarningAlert>}
      <ErrorAlert error={error} heading="Setup did not work" />
      <label className="usa-label" htmlFor="org-name">
        Name of the operations center
      </label>
      <input className="usa-input" id="org-name" required value={form.orgName} onChange={(e) => set('orgName')(e.target.value)} />
      <label className="usa-label" htmlFor="admin-name">
        Your name
      </label>
      <input className="usa-input" id="admin-name" autoComplete="name" required value={form.name} onChange={(e) => set('name')(e.target.value)} />
      <label className="usa-label" htmlFor="admin-email">
        Your email address
      </label>
      <input className="usa-input" id="admin-email" type="email" autoComplete="email" required value={form.email} onChange={(e) => set('email')(e.target.value)} />
      <PasswordField value={form.password} onChange={set('password')} />
      <button className="usa-button margin-top-3" type="submit" disabled={!token}>
        Create the operations center
      </button>
    </form>
  );
}

export function InvitePage() {
  const [token] = useState(tokenFromHash);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/invitations/accept', { token, name, password });
      history.replaceState(null, '', '/invite');
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  if (done) {
    return (
      <>
        <h1>Welcome</h1>
        <SuccessAlert>Your account is ready.</SuccessAlert>
        <Link className="usa-button" to="/sign-in">
          Sign in
        </Link>
      </>
    );
  }
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
      <h1>Accept your invitation</h1>
      <p>Choose the name your colleagues will see and a password.</p>
      {!token && <WarningAlert>Open this page with the link from your invitation email.</WarningAlert>}
      <ErrorAlert error={error} heading="Could not accept the invitation" />
      <label className="usa-label" htmlFor="invitee-name">
        Your name
      </label>
      <input className="usa-input" id="invitee-name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
      <PasswordField value={password} onChange={setPassword} />
      <button className="usa-button margin-top-3" type="submit" disabled={!token}>
        Create my account
      </button>
    </form>
  );
}
