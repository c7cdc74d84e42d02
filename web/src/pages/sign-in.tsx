// Sign-in: password, then the second factor — a code from the authenticator app, a recovery code, or, for
// administrators and analysts signing in for the first time, enrolment of an authenticator app.
import { useEffect, useState, type FormEvent } from 'react';
import { post, setCsrfToken } from '../api.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { closeLiveEvents } from '../live.js';
import { ErrorAlert } from '../components/alerts.js';

type Step = 'password' | 'mfa' | 'enroll';

export function SignInPage() {
  const { me, refresh } = useSession();
  const [step, setStep] = useState<Step>(me?.pendingMfa === 'verify' ? 'mfa' : me?.pendingMfa === 'enroll' ? 'enroll' : 'password');
  useEffect(() => {
    if (me && !me.pendingMfa) navigate('/', { replace: true });
  }, [me]);
  const finish = async () => {
    closeLiveEvents();
    await refresh();
    navigate('/', { replace: true });
  };
  return (
    <div className="grid-row">
      <div className="grid-col-12 tablet:grid-col-8 desktop:grid-col-6">
        {step === 'password' && <PasswordStep onNext={(next) => (next === 'done' ? void finish() : setStep(next === 'mfa' ? 'mfa' : 'enroll'))} />}
        {step === 'mfa' && <CodeStep onDone={() => void finish()} />}
        {step === 'enroll' && <EnrolStep onDone={() => void finish()} />}
      </div>
    </div>
  );
}

function PasswordStep({ onNext }: { onNext: (next: 'done' | 'mfa' | 'mfa-enroll') => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ next: 'done' | 'mfa' | 'mfa-enroll'; csrfToken: string }>('/api/v1/auth/login', { email, password });
      setCsrfToken(r.csrfToken);
      onNext(r.next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
      <h1>Sign in</h1>
      <p className="usa-intro">Election Ops Center is for election officials and their partners.</p>
      <ErrorAlert error={error} heading="Could not sign you in" />
      <label className="usa-label" htmlFor="email">
        Email address
      </label>
      <input className="usa-input" id="email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <label className="usa-label" htmlFor="password">
        Password
      </label>
      <input className="usa-input" id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button className="usa-button margin-top-3" type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function CodeStep({ onDone }: { onDone: () => void }) {
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/auth/mfa', useRecovery ? { recoveryCode: code.trim() } : { code: code.replace(/\s/g, '') });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
      <h1>Enter your code</h1>
      <ErrorAlert error={error} heading="That code did not work" />
      <label className="usa-label" htmlFor="code">
        {useRecovery ? 'Recovery code' : '6-digit code from your authenticator app'}
      </label>
      <input
        className="usa-input usa-input--medium"
        id="code"
        name="code"
        autoComplete="one-time-code"
        inputMode={useRecovery ? 'text' : 'numeric'}
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button className="usa-button margin-top-3" type="submit">
        Continue
      </button>
      <p>
        <button type="button" className="usa-button usa-button--unstyled" onClick={() => setUseRecovery(!useRecovery)}>
          {useRecovery ? 'Use a code from the app instead' : 'Lost your phone? Use a recovery code'}
        </button>
      </p>
    </form>
  );
}

function EnrolStep({ onDone }: { onDone: () => void }) {
  const [material, setMaterial] = useState<{ secret: string; qrDataUrl: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    post<{ secret: string; qrDataUrl: string; otpauthUrl: string }>('/api/v1/auth/mfa/enroll').then(setMaterial, setError);
  }, []);
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await post<{ recoveryCodes: string[] }>('/api/v1/auth/mfa/enroll/confirm', { code: code.replace(/\s/g, '') });
      setCodes(r.recoveryCodes);
    } catch (err) {
      setError(err);
    }
  };
  if (codes) {
    return (
      <div>
        <h1>Save your recovery codes</h1>
        <p>If you lose your phone, each of these codes lets you sign in once. Print them or keep them in a password manager. They are shown only now.</p>
        <ul className="recovery-codes usa-list usa-list--unstyled padding-2 bg-base-lightest" data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
        <div className="usa-checkbox margin-y-2">
          <input className="usa-checkbox__input" id="saved" type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="saved">
            I saved my recovery codes
          </label>
        </div>
        <button className="usa-button" type="button" disabled={!saved} onClick={onDone}>
          Continue
        </button>
      </div>
    );
  }
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => void confirm(e)}>
      <h1>Set up your authenticator app</h1>
      <p>Your role needs a second step at sign-in. Scan this code with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password), then enter the 6-digit code it shows.</p>
      <ErrorAlert error={error} heading="That code did not work" />
      {material && (
        <>
          <img className="qr" src={material.qrDataUrl} width={220} height={220} alt="QR code to add Election Ops Center to your authenticator app" />
          <p>
            Cannot scan? Enter this key in the app instead:
            <br />
            <span className="secret" data-testid="totp-secret">
              {material.secret}
            </span>
          </p>
        </>
      )}
      <label className="usa-label" htmlFor="enrol-code">
        6-digit code
      </label>
      <input className="usa-input usa-input--medium" id="enrol-code" name="code" autoComplete="one-time-code" inputMode="numeric" pattern="\d{6}" required value={code} onChange={(e) => setCode(e.target.value)} />
      <button className="usa-button margin-top-3" type="submit" disabled={!material}>
        Confirm
      </button>
    </form>
  );
}
