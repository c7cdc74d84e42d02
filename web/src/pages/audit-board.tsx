// The audit board's page: two people at a table with paper ballots. They sign in with the passphrase the county
// gave them (no account), enter both names, then for each ballot on their list record what they agree it shows —
// a vote, blank, can't agree, contest not on this ballot, or ballot not found — and sign off when all are done.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, put } from '../api.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';

type Reading = 'vote' | 'blank' | 'cant-agree' | 'not-on-ballot' | 'not-found';
interface Contest {
  readonly id: string;
  readonly name: string;
  readonly votesAllowed: number;
  readonly choices: string[];
}
interface Ballot {
  readonly batchId: string;
  readonly position: number | null;
  readonly container: string | null;
  readonly tabulator: string | null;
  readonly batch: string;
  readonly tickets: string[];
  readonly done: boolean;
}
interface View {
  readonly board: { name: string; members: string[]; signedOffAt: string | null; county: string | null };
  readonly audit: { name: string; auditType: string; round: number | null };
  readonly contests: Contest[];
  readonly ballots: Ballot[];
  readonly done: number;
  readonly total: number;
}
interface Draft {
  reading: Reading | null;
  choices: string[];
  votes: Record<string, string>;
}

const where = (b: Ballot) => [b.container && `Container ${b.container}`, b.tabulator && `Tabulator ${b.tabulator}`, `Batch ${b.batch}`].filter(Boolean).join(' · ');

function SignIn({ onDone }: { onDone: () => void }) {
  const [phrase, setPhrase] = useState('');
  const [error, setError] = useState<unknown>(null);
  return (
    <form className="usa-form" onSubmit={(e) => { e.preventDefault(); post('/api/v1/audit-board/sign-in', { passphrase: phrase }).then(onDone, setError); }}>
      <h1>Audit board sign-in</h1>
      <p>Enter the passphrase your county gave your board. It works once, on this device.</p>
      <ErrorAlert error={error} heading="Not signed in" />
      <label className="usa-label" htmlFor="passphrase">Passphrase</label>
      <span className="usa-hint" id="passphrase-hint">Like 3F9A1C-4821-0937-5564-1208</span>
      <input className="usa-input font-mono-md" id="passphrase" autoComplete="off" autoCapitalize="characters" spellCheck={false} value={phrase} onChange={(e) => setPhrase(e.target.value)} aria-describedby="passphrase-hint" required />
      <button className="usa-button" type="submit">Sign in</button>
    </form>
  );
}

function Members({ onDone }: { onDone: () => void }) {
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [error, setError] = useState<unknown>(null);
  return (
    <form className="usa-form" onSubmit={(e) => { e.preventDefault(); put('/api/v1/audit-board/members', { members: [a, b] }).then(onDone, setError); }}>
      <h2>Who is on this board?</h2>
      <p>Two people, ideally from different parties, agree on every ballot.</p>
      <ErrorAlert error={error} heading="Names not saved" />
      <label className="usa-label" htmlFor="member-1">First member's full name</label>
      <input className="usa-input" id="member-1" value={a} onChange={(e) => setA(e.target.value)} required maxLength={100} />
      <label className="usa-label" htmlFor="member-2">Second member's full name</label>
      <input className="usa-input" id="member-2" value={b} onChange={(e) => setB(e.target.value)} required maxLength={100} />
      <button className="usa-button" type="submit">Start</button>
    </form>
  );
}

function BallotCard({ view, ballot, onDone }: { view: View; ballot: Ballot; onDone: () => void }) {
  const batchAudit = view.audit.auditType === 'batch-comparison';
  const blank = (): Record<string, Draft> => Object.fromEntries(view.contests.map((c) => [c.id, { reading: null, choices: [], votes: {} }]));
  const [drafts, setDrafts] = useState<Record<string, Draft>>(blank);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setDrafts(blank()), [ballot.batchId, ballot.position]); // eslint-disable-line react-hooks/exhaustive-deps
  const set = (id: string, d: Partial<Draft>) => setDrafts({ ...drafts, [id]: { ...drafts[id]!, ...d } });
  const submit = async (notFound: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const readings = view.contests.map((c) => {
        const d = drafts[c.id]!;
        if (notFound) return { contestId: c.id, reading: 'not-found' as const };
        if (batchAudit) return { contestId: c.id, reading: 'vote' as const, votes: Object.fromEntries(c.choices.map((ch) => [ch, Number(d.votes[ch] ?? '')])) };
        return { contestId: c.id, reading: d.reading ?? 'vote', choices: d.reading === 'vote' ? d.choices : [] };
      });
      await post('/api/v1/audit-board/readings', { batchId: ballot.batchId, position: ballot.position, readings });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const complete = view.contests.every((c) => {
    const d = drafts[c.id]!;
    return batchAudit ? c.choices.every((ch) => /^\d+$/.test(d.votes[ch] ?? '')) : d.reading !== null && (d.reading !== 'vote' || d.choices.length > 0);
  });
  return (
    <section className="border-2px border-primary radius-md padding-2 margin-y-2" aria-labelledby="ballot-heading">
      <h2 id="ballot-heading" className="margin-top-0">{batchAudit ? `Batch ${ballot.batch}` : `Ballot ${ballot.position}`}</h2>
      <p className="font-body-lg margin-top-0">{where(ballot)}{ballot.tickets.length > 1 ? ` · drawn ${ballot.tickets.length} times` : ''}</p>
      <ErrorAlert error={error} heading="Not saved" />
      {view.contests.map((c) => {
        const d = drafts[c.id]!;
        if (batchAudit) {
          return (
            <fieldset className="usa-fieldset margin-y-2" key={c.id}>
              <legend className="usa-legend usa-legend--large">{c.name}: votes counted by hand</legend>
              {c.choices.map((ch) => (
                <div key={ch}>
                  <label className="usa-label" htmlFor={`v-${c.id}-${ch}`}>{ch}</label>
                  <input className="usa-input usa-input--small" id={`v-${c.id}-${ch}`} inputMode="numeric" value={d.votes[ch] ?? ''} onChange={(e) => set(c.id, { votes: { ...d.votes, [ch]: e.target.value } })} />
                </div>
              ))}
            </fieldset>
          );
        }
        const single = c.votesAllowed === 1;
        return (
          <fieldset className="usa-fieldset margin-y-2" key={c.id}>
            <legend className="usa-legend usa-legend--large">{c.name}{single ? '' : ` (vote for up to ${c.votesAllowed})`}</legend>
            {c.choices.map((ch) => (
              <div className={single ? 'usa-radio' : 'usa-checkbox'} key={ch}>
                <input
                  className={single ? 'usa-radio__input usa-radio__input--tile' : 'usa-checkbox__input usa-checkbox__input--tile'}
                  type={single ? 'radio' : 'checkbox'}
                  id={`r-${c.id}-${ch}`}
                  name={`r-${c.id}`}
                  checked={d.reading === 'vote' && d.choices.includes(ch)}
                  onChange={(e) => set(c.id, single ? { reading: 'vote', choices: [ch] } : { reading: 'vote', choices: e.target.checked ? [...(d.reading === 'vote' ? d.choices : []), ch] : d.choices.filter((x) => x !== ch) })}
                />
                <label className={single ? 'usa-radio__label' : 'usa-checkbox__label'} htmlFor={`r-${c.id}-${ch}`}>{ch}</label>
              </div>
            ))}
            {([['blank', 'Blank: no vote in this contest'], ['cant-agree', 'We can\u2019t agree'], ['not-on-ballot', 'This contest is not on this ballot']] as const).map(([value, label]) => (
              <div className="usa-radio" key={value}>
                <input className="usa-radio__input usa-radio__input--tile" type="radio" id={`r-${c.id}-${value}`} name={`r-${c.id}`} checked={d.reading === value} onChange={() => set(c.id, { reading: value, choices: [] })} />
                <label className="usa-radio__label" htmlFor={`r-${c.id}-${value}`}>{label}</label>
              </div>
            ))}
          </fieldset>
        );
      })}
      <button type="button" className="usa-button usa-button--big" disabled={!complete || busy} onClick={() => void submit(false)}>{busy ? 'Saving…' : 'We both agree: save'}</button>
      <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => { if (confirm(`Mark ${batchAudit ? 'this batch' : 'this ballot'} as not found? It counts against the reported outcome.`)) void submit(true); }}>{batchAudit ? 'Batch not found' : 'Ballot not found'}</button>
    </section>
  );
}

export function AuditBoardPage() {
  const [view, setView] = useState<View | null>(null);
  const [signedOut, setSignedOut] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const load = useCallback(() => get<View>('/api/v1/audit-board').then((v) => { setView(v); setSignedOut(false); }, (err) => {
    if (err instanceof ApiError && err.status === 401) setSignedOut(true);
    else setError(err);
  }), []);
  useEffect(() => void load(), [load]);
  if (signedOut) return <SignIn onDone={() => void load()} />;
  if (!view) return error ? <ErrorAlert error={error} /> : <Loading what="your ballots" />;
  const header = (
    <>
      <h1>{view.board.name}, {view.board.county}</h1>
      <p className="usa-intro">{view.audit.name} · round {view.audit.round}{view.board.members.length ? ` · ${view.board.members.join(' and ')}` : ''}</p>
    </>
  );
  if (view.board.signedOffAt) return <>{header}<SuccessAlert>Signed off. Thank you — return the ballots to their batches. You can close this page.</SuccessAlert></>;
  if (view.board.members.length !== 2) return <>{header}<Members onDone={() => void load()} /></>;
  const key = (b: Ballot) => `${b.batchId}:${b.position ?? 0}`;
  const current = view.ballots.find((b) => key(b) === picked && !b.done) ?? view.ballots.find((b) => !b.done);
  const unit = view.audit.auditType === 'batch-comparison' ? 'batches' : 'ballots';
  return (
    <>
      {header}
      <p><strong>{view.done} of {view.total}</strong> {unit} entered</p>
      <div role="progressbar" aria-label={`${unit} entered`} aria-valuenow={view.done} aria-valuemin={0} aria-valuemax={view.total} className="bg-base-lighter" style={{ height: 12 }}>
        <div className="bg-green" style={{ height: 12, width: `${view.total ? (view.done / view.total) * 100 : 100}%` }} />
      </div>
      <ErrorAlert error={error} heading="Not signed off" />
      {current ? (
        <BallotCard view={view} ballot={current} onDone={() => { setPicked(null); void load(); }} />
      ) : (
        <section className="margin-y-3">
          <h2>Every {unit === 'batches' ? 'batch' : 'ballot'} is entered</h2>
          <p>Both of you: check the list below, then sign off. After signing off nothing can be changed.</p>
          <button type="button" className="usa-button usa-button--big" onClick={() => post('/api/v1/audit-board/sign-off').then(() => void load(), setError)}>We sign off: {view.board.members.join(' and ')}</button>
        </section>
      )}
      <h2>Your list</h2>
      <ul className="usa-list usa-list--unstyled">
        {view.ballots.map((b) => (
          <li key={key(b)} className="margin-y-05">
            {b.done ? <span aria-label="entered">✓ </span> : <span aria-label="to do">○ </span>}
            {b.done ? `${where(b)}${b.position !== null ? `, ballot ${b.position}` : ''}` : <button type="button" className="usa-button usa-button--unstyled" onClick={() => setPicked(key(b))}>{where(b)}{b.position !== null ? `, ballot ${b.position}` : ''}</button>}
          </li>
        ))}
      </ul>
    </>
  );
}
