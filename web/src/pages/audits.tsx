// Risk-limiting audits: the audits you take part in, and for a state's audit administrators the setup form —
// contests with their reported results, the risk limit, the audit type and the counties taking part.
import { useCallback, useEffect, useState } from 'react';
import { get, post, qs, type Org } from '../api.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';

interface AuditSummary {
  readonly id: string;
  readonly name: string;
  readonly auditType: string;
  readonly riskLimit: number;
  readonly status: 'setup' | 'in-progress' | 'complete';
  readonly state: string | null;
  readonly createdAt: string;
}

export const AUDIT_TYPE_WORDS: Record<string, string> = {
  'ballot-polling': 'Ballot polling',
  'ballot-comparison': 'Ballot comparison',
  'batch-comparison': 'Batch comparison',
};
export const STATUS_WORDS: Record<string, string> = { setup: 'Being set up', 'in-progress': 'Under way', complete: 'Complete' };

interface ChoiceDraft {
  name: string;
  votes: string;
}
interface ContestDraft {
  name: string;
  ballotsCast: string;
  numWinners: string;
  choices: ChoiceDraft[];
  /** Counties of the audit whose ballots do not carry the contest. */
  notIn: Set<string>;
}

const emptyContest = (): ContestDraft => ({ name: '', ballotsCast: '', numWinners: '1', choices: [{ name: '', votes: '' }, { name: '', votes: '' }], notIn: new Set() });

function SetupForm({ onCancel }: { onCancel: () => void }) {
  const { me } = useSession();
  const [counties, setCounties] = useState<Org[] | null>(null);
  const [elections, setElections] = useState<Array<{ id: string; name: string; day: string }>>([]);
  const [electionId, setElectionId] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [name, setName] = useState('');
  const [auditType, setAuditType] = useState('ballot-polling');
  const [riskLimit, setRiskLimit] = useState('10');
  const [contests, setContests] = useState<ContestDraft[]>([emptyContest()]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<{ items: Org[] }>(`/api/v1/orgs${qs({ parentId: me!.org.id, type: 'local', limit: 200 })}`).then((r) => setCounties(r.items), setError);
    // Audits follow an election: the recent ones first.
    get<{ items: Array<{ id: string; name: string; day: string }> }>(`/api/v1/elections${qs({ when: 'past', limit: 20 })}`).then((r) => setElections(r.items), () => undefined);
  }, [me]);

  const change = (i: number, patch: Partial<ContestDraft>) => setContests(contests.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const changeChoice = (i: number, k: number, patch: Partial<ChoiceDraft>) => change(i, { choices: contests[i]!.choices.map((ch, j) => (j === k ? { ...ch, ...patch } : ch)) });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const audit = await post<{ id: string }>('/api/v1/audits', {
        name,
        ...(electionId ? { electionId } : {}),
        auditType,
        riskLimit: Number(riskLimit),
        counties: [...chosen],
        contests: contests.map((c) => {
          const inCounties = [...chosen].filter((id) => !c.notIn.has(id));
          return { name: c.name, ballotsCast: Number(c.ballotsCast), numWinners: Number(c.numWinners), choices: c.choices.filter((ch) => ch.name.trim()).map((ch) => ({ name: ch.name, votes: Number(ch.votes) })), ...(inCounties.length < chosen.size ? { counties: inCounties } : {}) };
        }),
      });
      navigate(`/audits/${audit.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="usa-form usa-form--large maxw-full" onSubmit={(e) => void submit(e)}>
      <h2>Set up an audit</h2>
      <ErrorAlert error={error} heading="The audit was not set up" />
      <label className="usa-label" htmlFor="audit-name">Name of the audit</label>
      <input className="usa-input" id="audit-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="November general election" />
      {elections.length > 0 && (
        <>
          <label className="usa-label" htmlFor="audit-election">Election audited</label>
          <select className="usa-select" id="audit-election" value={electionId} onChange={(e) => setElectionId(e.target.value)}>
            <option value="">— not linked to an election —</option>
            {elections.map((el) => <option key={el.id} value={el.id}>{el.name} ({el.day})</option>)}
          </select>
        </>
      )}
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend">How the paper is checked</legend>
        {[
          ['ballot-polling', 'Ballot polling', 'Boards read randomly chosen ballots; no cast vote records needed.'],
          ['ballot-comparison', 'Ballot comparison', 'Each chosen ballot is compared with its cast vote record; the fewest ballots.'],
          ['batch-comparison', 'Batch comparison', 'Whole batches are hand counted and compared with their reported tallies.'],
        ].map(([value, label, hint]) => (
          <div className="usa-radio" key={value}>
            <input className="usa-radio__input usa-radio__input--tile" id={`type-${value}`} type="radio" name="audit-type" value={value} checked={auditType === value} onChange={() => setAuditType(value!)} />
            <label className="usa-radio__label" htmlFor={`type-${value}`}>
              {label}
              <span className="usa-checkbox__label-description">{hint}</span>
            </label>
          </div>
        ))}
      </fieldset>
      <label className="usa-label" htmlFor="risk-limit">Risk limit (percent)</label>
      <span className="usa-hint" id="risk-hint">The largest chance you accept that a wrong outcome goes unnoticed: 1 to 20. Lower means more ballots.</span>
      <input className="usa-input usa-input--small" id="risk-limit" type="number" min={1} max={20} value={riskLimit} onChange={(e) => setRiskLimit(e.target.value)} aria-describedby="risk-hint" required />
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend">Counties taking part</legend>
        {!counties && <Loading what="your counties" />}
        {counties?.length === 0 && <p>Your state has no local offices in the directory yet.</p>}
        <div className="grid-row grid-gap-sm">
          {counties?.map((c) => (
            <div className="usa-checkbox grid-col-12 tablet:grid-col-6" key={c.id}>
              <input className="usa-checkbox__input" id={`county-${c.id}`} type="checkbox" checked={chosen.has(c.id)} onChange={(e) => { const n = new Set(chosen); if (e.target.checked) n.add(c.id); else n.delete(c.id); setChosen(n); }} />
              <label className="usa-checkbox__label" htmlFor={`county-${c.id}`}>{c.name}</label>
            </div>
          ))}
        </div>
      </fieldset>
      {contests.map((c, i) => (
        <fieldset className="usa-fieldset margin-top-3 border-1px border-base-lighter padding-2" key={i}>
          <legend className="usa-legend">Contest {i + 1}</legend>
          <label className="usa-label" htmlFor={`contest-${i}`}>Contest name</label>
          <input className="usa-input" id={`contest-${i}`} value={c.name} onChange={(e) => change(i, { name: e.target.value })} required maxLength={200} />
          <div className="grid-row grid-gap">
            <div className="grid-col-6">
              <label className="usa-label" htmlFor={`ballots-${i}`}>Ballots cast</label>
              <input className="usa-input" id={`ballots-${i}`} type="number" min={1} value={c.ballotsCast} onChange={(e) => change(i, { ballotsCast: e.target.value })} required />
            </div>
            <div className="grid-col-6">
              <label className="usa-label" htmlFor={`winners-${i}`}>Number of winners</label>
              <input className="usa-input" id={`winners-${i}`} type="number" min={1} value={c.numWinners} onChange={(e) => change(i, { numWinners: e.target.value })} required />
            </div>
          </div>
          <table className="usa-table usa-table--borderless width-full margin-top-2">
            <caption className="text-left">Reported results</caption>
            <thead>
              <tr>
                <th scope="col">Choice</th>
                <th scope="col">Votes</th>
              </tr>
            </thead>
            <tbody>
              {c.choices.map((ch, k) => (
                <tr key={k}>
                  <td><input className="usa-input margin-top-0" aria-label={`Contest ${i + 1}, choice ${k + 1} name`} value={ch.name} onChange={(e) => changeChoice(i, k, { name: e.target.value })} maxLength={200} /></td>
                  <td><input className="usa-input margin-top-0" aria-label={`Contest ${i + 1}, choice ${k + 1} votes`} type="number" min={0} value={ch.votes} onChange={(e) => changeChoice(i, k, { votes: e.target.value })} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="usa-button usa-button--outline" onClick={() => change(i, { choices: [...c.choices, { name: '', votes: '' }] })}>Add a choice</button>
          {chosen.size > 1 && (
            <fieldset className="usa-fieldset margin-top-2">
              <legend className="usa-legend font-body-sm">Counties whose ballots carry this contest</legend>
              {counties?.filter((county) => chosen.has(county.id)).map((county) => (
                <div className="usa-checkbox" key={county.id}>
                  <input className="usa-checkbox__input" id={`in-${i}-${county.id}`} type="checkbox" checked={!c.notIn.has(county.id)} onChange={(e) => { const n = new Set(c.notIn); if (e.target.checked) n.delete(county.id); else n.add(county.id); change(i, { notIn: n }); }} />
                  <label className="usa-checkbox__label" htmlFor={`in-${i}-${county.id}`}>{county.name}</label>
                </div>
              ))}
            </fieldset>
          )}
          {contests.length > 1 && <button type="button" className="usa-button usa-button--unstyled margin-left-2" onClick={() => setContests(contests.filter((_, j) => j !== i))}>Remove this contest</button>}
        </fieldset>
      ))}
      <button type="button" className="usa-button usa-button--outline margin-top-2" onClick={() => setContests([...contests, emptyContest()])}>Add a contest</button>
      <div className="margin-top-3">
        <button type="submit" className="usa-button" disabled={busy}>{busy ? 'Setting up…' : 'Set up the audit'}</button>
        <button type="button" className="usa-button usa-button--unstyled" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

export function AuditsPage() {
  const { me } = useSession();
  const [items, setItems] = useState<AuditSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [setup, setSetup] = useState(false);
  const load = useCallback(() => get<{ items: AuditSummary[] }>('/api/v1/audits').then((r) => setItems(r.items), setError), []);
  useEffect(() => void load(), [load]);
  const isState = (me?.org.type === 'state' || me?.org.type === 'territory') && me.user.role !== 'viewer';
  return (
    <>
      <h1>Audits of paper ballots</h1>
      <p className="usa-intro">A risk-limiting audit checks randomly chosen paper ballots against the reported results and stops as soon as the chance that a wrong outcome slipped through is below the risk limit.</p>
      <ErrorAlert error={error} />
      {isState && !setup && <button type="button" className="usa-button" onClick={() => setSetup(true)}>Set up an audit</button>}
      {setup && <SetupForm onCancel={() => setSetup(false)} />}
      {!items && !error && <Loading what="audits" />}
      {items?.length === 0 && <p>No audits yet.{isState ? ' Set one up after the canvass, once the results are final.' : ' Your state will set one up after the canvass.'}</p>}
      {items && items.length > 0 && (
        <table className="usa-table usa-table--borderless width-full">
          <thead>
            <tr>
              <th scope="col">Audit</th>
              <th scope="col">State</th>
              <th scope="col">Type</th>
              <th scope="col">Risk limit</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <td><Link to={`/audits/${a.id}`}>{a.name}</Link></td>
                <td>{a.state}</td>
                <td>{AUDIT_TYPE_WORDS[a.auditType]}</td>
                <td>{a.riskLimit}%</td>
                <td><span className={`usa-tag ${a.status === 'complete' ? 'bg-green' : a.status === 'in-progress' ? 'bg-primary' : 'bg-base'}`}>{STATUS_WORDS[a.status]}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
