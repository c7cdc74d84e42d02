// One audit, for everyone taking part. The state sees every county's files and progress (live), enters the seed
// from the dice ceremony, and draws each round from the sample-size options; a county uploads its manifest (and
// cast vote records or tallies), sets up its audit boards and prints its retrieval list; all see the risk fall
// round by round, the discrepancies (one click makes one an incident), and the record and public summary.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, post } from '../api.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { uploadWithProgress } from '../intel-api.js';
import { useLiveEvents } from '../live.js';
import { Link } from '../router.js';
import { CountyMap } from '../components/county-map.js';
import { STATUS_WORDS } from './audits.js';

interface CountyFile {
  readonly file: string | null;
  readonly sha256: string;
  readonly batches?: number | null;
  readonly ballots?: number | null;
  readonly rows?: number | null;
  readonly encoding?: string | null;
  readonly uploadedBy: string | null;
  readonly uploadedAt: string | null;
}
interface County {
  readonly orgId: string;
  readonly name: string;
  readonly fips: string | null;
  readonly ballotsCast: number | null;
  readonly manifest: CountyFile | null;
  readonly results: CountyFile | null;
  readonly round: { toRead: number; read: number };
  readonly boards: Array<{ id: string; name: string; signedIn: boolean; members: string[]; signedOffAt: string | null }>;
}
interface Option {
  readonly key: string;
  readonly size: number;
  readonly prob: number | null;
}
interface RoundResult {
  readonly contestId: string;
  readonly name: string;
  readonly sampleSize: number;
  readonly risk: number;
  readonly confirmed: boolean;
}
interface Discrepancy {
  readonly interpretationId: string;
  readonly county: string;
  readonly countyOrgId: string;
  readonly batch: string;
  readonly position: number | null;
  readonly contest: string;
  readonly reported: string;
  readonly audited: string;
  readonly countedAs: number | null;
  readonly incidentId: string | null;
}
interface Audit {
  readonly id: string;
  readonly name: string;
  readonly state: string | null;
  readonly auditType: string;
  readonly auditTypeName: string;
  readonly riskLimit: number;
  readonly election: { id: string; name: string; day: string } | null;
  readonly status: 'setup' | 'in-progress' | 'complete';
  readonly seed: string | null;
  readonly seedEnteredBy: string | null;
  readonly seedEnteredAt: string | null;
  readonly youAre: 'state' | 'county' | 'observer';
  readonly yourCounty: string | null;
  readonly contests: Array<{ id: string; name: string; ballotsCast: number; numWinners: number; choices: Array<{ name: string; votes: number }>; winners: string[]; counties: string[] | null }>;
  readonly counties: County[];
  readonly rounds: Array<{ number: number; startedAt: string; endedAt: string | null; sizes: Record<string, { size: number; key: string }>; results: RoundResult[] | null }>;
  readonly nextRound: { number: number; contests: Array<{ contestId: string; name: string; options: Option[]; error?: string }> } | null;
  readonly discrepancies: Discrepancy[];
}

const n = (x: number | null | undefined) => (x ?? 0).toLocaleString('en-US');
const pct = (x: number) => `${x < 0.001 && x > 0 ? '< 0.1' : (Math.round(x * 1000) / 10).toString()}%`;
const OPTION_WORDS: Record<string, string> = { asn: 'Average sample number', '0.7': '70% chance to finish in one round', '0.8': '80% chance to finish in one round', '0.9': '90% chance to finish in one round', 'all-ballots': 'Full hand count', supersimple: 'Ballot comparison sample', macro: 'Batches to count', 'all-batches': 'Every remaining batch (full hand count)' };

function Steps({ audit }: { audit: Audit }) {
  const files = audit.counties.every((c) => c.manifest && (audit.auditType === 'ballot-polling' || c.results));
  const steps: Array<[string, boolean]> = [['Set up', true], ['Counties\u2019 files', files], ['Random seed', audit.seed !== null], ['Rounds', audit.status === 'complete'], ['Complete', audit.status === 'complete']];
  const current = steps.findIndex(([, done]) => !done);
  return (
    <div className="usa-step-indicator usa-step-indicator--counters-sm margin-y-3" aria-label="Progress of the audit">
      <ol className="usa-step-indicator__segments">
        {steps.map(([label, done], i) => (
          <li key={label} className={`usa-step-indicator__segment ${done ? 'usa-step-indicator__segment--complete' : i === current ? 'usa-step-indicator__segment--current' : ''}`} aria-current={i === current ? 'step' : undefined}>
            <span className="usa-step-indicator__segment-label">{label}{done ? <span className="usa-sr-only"> completed</span> : <span className="usa-sr-only"> not completed</span>}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

const STAGE: Record<string, [string, string]> = { files: ['#e5a000', 'waiting for its files'], ready: ['#97d4ea', 'files in'], working: ['#005ea2', 'reading ballots'], done: ['#00a91c', 'done this round'] };

function stageOf(audit: Audit, c: County): keyof typeof STAGE {
  if (!c.manifest || (audit.auditType !== 'ballot-polling' && !c.results)) return 'files';
  const round = audit.rounds[audit.rounds.length - 1];
  if (!round) return 'ready';
  if (round.endedAt || c.round.read >= c.round.toRead) return 'done';
  return 'working';
}

/** The state's counties in the audit, coloured by where each one is: the map people look at first. */
function AuditMap({ audit }: { audit: Audit }) {
  const withFips = audit.counties.filter((c) => c.fips && c.fips.length === 5);
  if (!withFips.length) return null;
  return (
    <figure className="margin-x-0 maxw-tablet">
      <CountyMap
        stateFips={withFips[0]!.fips!.slice(0, 2)}
        blank="not in the audit"
        label={`Map of the counties in the audit: ${withFips.map((c) => `${c.name} ${STAGE[stageOf(audit, c)]![1]}`).join('; ')}`}
        values={withFips.map((c) => ({ fips: c.fips!, fill: STAGE[stageOf(audit, c)]![0], label: `${c.name}: ${STAGE[stageOf(audit, c)]![1]}${c.round.toRead ? `, ${c.round.read} of ${c.round.toRead} entered` : ''}` }))}
      />
      <figcaption className="font-body-2xs text-base">
        {Object.values(STAGE).map(([color, words]) => <span key={words} className="margin-right-2"><span aria-hidden="true" style={{ color }}>■</span> {words}</span>)}
        <span><span aria-hidden="true" style={{ color: '#f0f0f0' }}>■</span> not in the audit</span>
      </figcaption>
    </figure>
  );
}

/** Ballots read this round, per county, as bars: where the audit is waiting. */
function ProgressChart({ counties }: { counties: County[] }) {
  const rows = counties.filter((c) => c.round.toRead > 0);
  if (!rows.length) return null;
  const w = 560;
  const bar = 22;
  const label = 200;
  return (
    <figure className="margin-x-0">
      <svg role="img" aria-label={`Ballots read this round: ${rows.map((c) => `${c.name} ${c.round.read} of ${c.round.toRead}`).join('; ')}`} viewBox={`0 0 ${w} ${rows.length * (bar + 10)}`} width="100%" style={{ maxWidth: w }}>
        {rows.map((c, i) => {
          const share = c.round.read / c.round.toRead;
          const y = i * (bar + 10);
          return (
            <g key={c.orgId}>
              <text x={0} y={y + 16} fontSize={13} fill="#1b1b1b">{c.name.length > 28 ? `${c.name.slice(0, 27)}…` : c.name}</text>
              <rect x={label} y={y} width={w - label - 70} height={bar} fill="#dfe1e2" />
              <rect x={label} y={y} width={(w - label - 70) * share} height={bar} fill={share >= 1 ? '#00a91c' : '#005ea2'} />
              <text x={w - 64} y={y + 16} fontSize={13} fill="#1b1b1b">{c.round.read}/{c.round.toRead}</text>
            </g>
          );
        })}
      </svg>
      <figcaption className="font-body-2xs text-base">Ballots entered by the audit boards this round, by county. Green: done.</figcaption>
    </figure>
  );
}

/** Risk per round for each contest, against the limit: the audit stops when every line is under it. */
function RiskChart({ audit }: { audit: Audit }) {
  const ended = audit.rounds.filter((r) => r.results);
  if (!ended.length) return null;
  const w = 480;
  const h = 160;
  // Point 0 is the start (risk 100%); point i the end of round i.
  const x = (i: number) => 40 + (i * (w - 60)) / ended.length;
  const y = (risk: number) => 10 + (1 - risk) * (h - 30);
  const colors = ['#005ea2', '#8168b3', '#e5a000', '#00a91c', '#b50909'];
  return (
    <figure className="margin-x-0">
      <svg role="img" aria-label={`Risk by round: ${audit.contests.map((c) => `${c.name} ${ended.map((r) => pct(r.results!.find((x) => x.contestId === c.id)?.risk ?? 1)).join(', ')}`).join('; ')}; limit ${audit.riskLimit}%`} viewBox={`0 0 ${w} ${h}`} width="100%" style={{ maxWidth: w }}>
        <line x1={40} x2={w - 20} y1={y(audit.riskLimit / 100)} y2={y(audit.riskLimit / 100)} stroke="#b50909" strokeDasharray="4 3" />
        <text x={w - 20} y={y(audit.riskLimit / 100) - 4} fontSize={11} textAnchor="end" fill="#b50909">limit {audit.riskLimit}%</text>
        <text x={0} y={y(1) + 4} fontSize={11}>100%</text>
        <text x={0} y={y(0) + 4} fontSize={11}>0%</text>
        {audit.contests.map((c, k) => {
          const pts = [[x(0), y(1)] as const, ...ended.map((r, i) => [x(i + 1), y(r.results!.find((z) => z.contestId === c.id)?.risk ?? 1)] as const)];
          return (
            <g key={c.id}>
              <polyline points={pts.map((p) => p.join(',')).join(' ')} fill="none" stroke={colors[k % colors.length]} strokeWidth={2} />
              {pts.map(([px, py], i) => <circle key={i} cx={px} cy={py} r={4} fill={colors[k % colors.length]} />)}
            </g>
          );
        })}
        <text x={x(0)} y={h - 2} fontSize={11} textAnchor="start">Start</text>
        {ended.map((r, i) => <text key={r.number} x={x(i + 1)} y={h - 2} fontSize={11} textAnchor="middle">Round {r.number}</text>)}
      </svg>
      <figcaption className="font-body-2xs text-base">{audit.contests.map((c, k) => <span key={c.id} style={{ color: colors[k % colors.length] }} className="margin-right-2">● {c.name}</span>)}</figcaption>
    </figure>
  );
}

function RowProblems({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.fields.length < 2) return <ErrorAlert error={error} heading="The file was not accepted" />;
  return (
    <div className="usa-alert usa-alert--error margin-y-2" role="alert">
      <div className="usa-alert__body">
        <h3 className="usa-alert__heading">{error.detail}</h3>
        <ul className="usa-list">
          {error.fields.slice(0, 50).map((f, i) => <li key={i}><strong>{f.field}</strong>: {f.message}</li>)}
        </ul>
      </div>
    </div>
  );
}

function CountyFiles({ audit, county, onDone }: { audit: Audit; county: County; onDone: () => void }) {
  const [ballotsCast, setBallotsCast] = useState(county.ballotsCast === null ? '' : String(county.ballotsCast));
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const locked = audit.rounds.length > 0;
  const send = async (kind: 'manifest' | 'results', file: File | undefined) => {
    if (!file) return;
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const url = kind === 'manifest' ? `/api/v1/audits/${audit.id}/counties/${county.orgId}/manifest?ballotsCast=${encodeURIComponent(ballotsCast)}` : `/api/v1/audits/${audit.id}/counties/${county.orgId}/results`;
      await uploadWithProgress(url, file, 'text/csv', setProgress, { method: 'PUT', filename: file.name });
      setDone(kind === 'manifest' ? 'Manifest accepted.' : 'Records accepted.');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  if (locked) return null;
  const resultsWord = audit.auditType === 'ballot-comparison' ? 'cast vote records' : 'batch tallies';
  return (
    <div className="border-1px border-base-lighter padding-2 margin-y-2">
      <h3 className="margin-top-0">Files for {county.name}</h3>
      <RowProblems error={error} />
      {done && <SuccessAlert>{done}</SuccessAlert>}
      {progress !== null && <div role="progressbar" aria-label="Upload" aria-valuenow={Math.round(progress * 100)} aria-valuemin={0} aria-valuemax={100} className="bg-base-lighter margin-y-1" style={{ height: 8 }}><div className="bg-primary" style={{ height: 8, width: `${progress * 100}%` }} /></div>}
      <div className="grid-row grid-gap">
        <div className="grid-col-12 tablet:grid-col-4">
          <label className="usa-label" htmlFor={`cast-${county.orgId}`}>Ballots cast in {county.name}</label>
          <span className="usa-hint" id={`cast-hint-${county.orgId}`}>Your official count; the manifest must add up to it.</span>
          <input className="usa-input" id={`cast-${county.orgId}`} type="number" min={0} value={ballotsCast} onChange={(e) => setBallotsCast(e.target.value)} aria-describedby={`cast-hint-${county.orgId}`} />
        </div>
        <div className="grid-col-12 tablet:grid-col-8">
          <label className="usa-label" htmlFor={`manifest-${county.orgId}`}>Ballot manifest (CSV)</label>
          <span className="usa-hint" id={`manifest-hint-${county.orgId}`}>Columns: Container and Tabulator (if you use them), Batch Name, Number of Ballots. No totals row.</span>
          <input className="usa-file-input" id={`manifest-${county.orgId}`} type="file" accept=".csv,text/csv" disabled={!ballotsCast} aria-describedby={`manifest-hint-${county.orgId}`} onChange={(e) => void send('manifest', e.target.files?.[0])} />
        </div>
      </div>
      {audit.auditType !== 'ballot-polling' && county.manifest && (
        <>
          <label className="usa-label" htmlFor={`results-${county.orgId}`}>{resultsWord[0]!.toUpperCase() + resultsWord.slice(1)} (CSV)</label>
          <span className="usa-hint" id={`results-hint-${county.orgId}`}>{audit.auditType === 'ballot-comparison' ? 'Columns: Tabulator (if used), Batch Name, Ballot Position, then one column per choice with 1 or 0 (empty when the contest is not on the ballot).' : 'Columns: Tabulator (if used), Batch Name, then one column per choice with its votes in that batch.'}</span>
          <input className="usa-file-input" id={`results-${county.orgId}`} type="file" accept=".csv,text/csv" aria-describedby={`results-hint-${county.orgId}`} onChange={(e) => void send('results', e.target.files?.[0])} />
        </>
      )}
    </div>
  );
}

function SeedForm({ audit, onDone }: { audit: Audit; onDone: () => void }) {
  const [seed, setSeed] = useState('');
  const [error, setError] = useState<unknown>(null);
  const digits = seed.replace(/[\s-]/g, '').length;
  return (
    <form className="usa-form maxw-tablet" onSubmit={(e) => { e.preventDefault(); post(`/api/v1/audits/${audit.id}/seed`, { seed }).then(onDone, setError); }}>
      <h2>Random seed</h2>
      <p>Roll ten-sided dice in public, at least 20 times, and enter the digits in the order rolled. Once entered, the seed cannot change: it and the manifests decide the sample, so anyone can check it.</p>
      <ErrorAlert error={error} heading="The seed was not accepted" />
      <label className="usa-label" htmlFor="seed">Digits rolled</label>
      <span className="usa-hint" id="seed-hint">{digits} digit{digits === 1 ? '' : 's'} so far; at least 20.</span>
      <input className="usa-input" id="seed" inputMode="numeric" autoComplete="off" value={seed} onChange={(e) => setSeed(e.target.value)} aria-describedby="seed-hint" />
      <button className="usa-button" type="submit" disabled={digits < 20}>Enter and freeze the seed</button>
    </form>
  );
}

function NextRound({ audit, onDone }: { audit: Audit; onDone: () => void }) {
  const next = audit.nextRound!;
  const [picked, setPicked] = useState<Record<string, string>>(() => Object.fromEntries(next.contests.map((c) => [c.contestId, (c.options.find((o) => o.key === '0.9') ?? c.options[0])?.key ?? ''])));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ready = audit.seed && audit.counties.every((c) => c.manifest && (audit.auditType === 'ballot-polling' || c.results));
  const draw = async () => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/v1/audits/${audit.id}/rounds`, { sizes: Object.fromEntries(Object.entries(picked).filter(([, k]) => k).map(([id, key]) => [id, { key }])) });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="next-round">
      <h2 id="next-round">Round {next.number}: how many {audit.auditType === 'batch-comparison' ? 'batches' : 'ballots'}</h2>
      {next.number > 1 && <p>The risk is still above the limit for the contests below. Draw another round; as a last resort the audit becomes a full hand count.</p>}
      <ErrorAlert error={error} heading="The round was not drawn" />
      {next.contests.filter((c) => c.options.length || c.error).map((c) => (
        <fieldset className="usa-fieldset margin-bottom-2" key={c.contestId}>
          <legend className="usa-legend">{c.name}</legend>
          {c.error && <p className="text-secondary-dark">{c.error}</p>}
          {c.options.map((o) => (
            <div className="usa-radio" key={o.key}>
              <input className="usa-radio__input" type="radio" id={`opt-${c.contestId}-${o.key}`} name={`opt-${c.contestId}`} checked={picked[c.contestId] === o.key} onChange={() => setPicked({ ...picked, [c.contestId]: o.key })} />
              <label className="usa-radio__label" htmlFor={`opt-${c.contestId}-${o.key}`}>
                <strong>{n(o.size)}</strong> {audit.auditType === 'batch-comparison' ? 'batches' : 'ballots'} — {OPTION_WORDS[o.key] ?? o.key}
                {o.key === 'asn' && o.prob !== null ? ` (${Math.round(o.prob * 100)}% chance to finish in one round)` : ''}
              </label>
            </div>
          ))}
        </fieldset>
      ))}
      {!ready && <p className="text-base">Waiting for {!audit.seed ? 'the random seed' : 'every county\u2019s files'} before the sample can be drawn.</p>}
      <button type="button" className="usa-button" disabled={!ready || busy} onClick={() => void draw()}>{busy ? 'Drawing…' : `Draw round ${next.number}`}</button>
    </section>
  );
}

function Boards({ audit, county, onDone }: { audit: Audit; county: County; onDone: () => void }) {
  const [count, setCount] = useState('1');
  const [made, setMade] = useState<Array<{ name: string; passphrase: string; ballots: number }> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const round = audit.rounds[audit.rounds.length - 1];
  if (!round || round.endedAt) return null;
  const retrieval = `/api/v1/audits/${audit.id}/counties/${county.orgId}/retrieval-list`;
  return (
    <div className="border-1px border-base-lighter padding-2 margin-y-2">
      <h3 className="margin-top-0">{county.name}: round {round.number}</h3>
      <p>
        {n(county.round.toRead)} {audit.auditType === 'batch-comparison' ? 'batches' : 'ballots'} to check, {n(county.round.read)} entered. Retrieval list: <a href={`${retrieval}?format=pdf`}>printable PDF with ballot labels</a> · <a href={`${retrieval}?format=csv`}>CSV</a>
      </p>
      <ErrorAlert error={error} heading="The boards were not set up" />
      {made && (
        <div className="usa-alert usa-alert--warning" role="status">
          <div className="usa-alert__body">
            <h4 className="usa-alert__heading">Passphrases: shown only now</h4>
            <p className="usa-alert__text">Write each down or print this page and hand it to its board. Each works once, on the board's device, at <strong>{location.origin}/audit-board</strong>.</p>
            <table className="usa-table usa-table--borderless">
              <thead><tr><th scope="col">Board</th><th scope="col">Passphrase</th><th scope="col">Ballots</th></tr></thead>
              <tbody>{made.map((b) => <tr key={b.name}><td>{b.name}</td><td><code className="font-mono-md">{b.passphrase}</code></td><td>{b.ballots}</td></tr>)}</tbody>
            </table>
          </div>
        </div>
      )}
      {county.boards.length > 0 ? (
        <ul className="usa-list">
          {county.boards.map((b) => <li key={b.id}>{b.name}: {b.signedOffAt ? `signed off by ${b.members.join(' and ')}` : b.members.length ? `${b.members.join(' and ')} at work` : b.signedIn ? 'signed in' : 'not signed in yet'}</li>)}
        </ul>
      ) : (
        county.round.toRead > 0 && (
          <form className="usa-form" onSubmit={(e) => { e.preventDefault(); post<{ boards: Array<{ name: string; passphrase: string; ballots: number }> }>(`/api/v1/audits/${audit.id}/counties/${county.orgId}/audit-boards`, { count: Number(count) }).then((r) => { setMade(r.boards); onDone(); }, setError); }}>
            <label className="usa-label" htmlFor={`boards-${county.orgId}`}>How many audit boards (two people each)?</label>
            <input className="usa-input usa-input--small" id={`boards-${county.orgId}`} type="number" min={1} max={20} value={count} onChange={(e) => setCount(e.target.value)} />
            <button className="usa-button" type="submit">Set up audit boards</button>
          </form>
        )
      )}
    </div>
  );
}

function Discrepancies({ audit, onDone }: { audit: Audit; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  if (!audit.discrepancies.length) return null;
  const mayReport = (d: Discrepancy) => audit.youAre === 'state' || audit.yourCounty === d.countyOrgId;
  return (
    <section aria-labelledby="discrepancies">
      <h2 id="discrepancies">Discrepancies ({audit.discrepancies.length})</h2>
      <ErrorAlert error={error} heading="The incident was not opened" />
      <table className="usa-table usa-table--borderless width-full">
        <thead><tr><th scope="col">Where</th><th scope="col">Contest</th><th scope="col">Counted</th><th scope="col">Paper</th><th scope="col">Incident</th></tr></thead>
        <tbody>
          {audit.discrepancies.map((d) => (
            <tr key={d.interpretationId}>
              <td>{d.county}, batch {d.batch}{d.position !== null ? `, ballot ${d.position}` : ''}</td>
              <td>{d.contest}</td>
              <td>{d.reported}</td>
              <td>{d.audited}{d.countedAs !== null ? ` (${d.countedAs > 0 ? '+' : ''}${d.countedAs} vote${Math.abs(d.countedAs) === 1 ? '' : 's'})` : ''}</td>
              <td>{d.incidentId ? <Link to={`/incidents/${d.incidentId}`}>Open the incident</Link> : mayReport(d) ? <button type="button" className="usa-button usa-button--outline usa-button--small" onClick={() => post(`/api/v1/audits/${audit.id}/discrepancies/${d.interpretationId}/incident`).then(onDone, setError)}>Report as an incident</button> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AuditPage({ id }: { id: string }) {
  const [audit, setAudit] = useState<Audit | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => get<Audit>(`/api/v1/audits/${id}`).then(setAudit, setError), [id]);
  useEffect(() => void load(), [load]);
  // Boards enter ballots by the second on audit day: one reload per second at most, however many arrive.
  const pending = useRef<number | null>(null);
  useEffect(() => () => { if (pending.current) clearTimeout(pending.current); }, []);
  useLiveEvents(['audit.changed', 'audit.progress'], (e) => {
    if (e.recordId !== id || pending.current) return;
    pending.current = window.setTimeout(() => {
      pending.current = null;
      void load();
    }, e.type === 'audit.changed' ? 0 : 1000);
  });
  if (error && !audit) return <ErrorAlert error={error} heading="This audit could not be shown" />;
  if (!audit) return <Loading what="the audit" />;
  const mine = audit.counties.filter((c) => audit.youAre === 'state' || c.orgId === audit.yourCounty);
  const lastRound = audit.rounds[audit.rounds.length - 1];
  return (
    <>
      <p className="margin-bottom-0"><Link to="/audits">Audits</Link></p>
      <h1 className="margin-top-1">{audit.name}</h1>
      <p className="usa-intro">
        {audit.state}{audit.election ? ` · ${audit.election.name} (${audit.election.day})` : ''} · {audit.auditTypeName} · risk limit {audit.riskLimit}% · <span className={`usa-tag ${audit.status === 'complete' ? 'bg-green' : 'bg-primary'}`}>{STATUS_WORDS[audit.status]}</span>
      </p>
      <Steps audit={audit} />
      {audit.status === 'complete' && (
        <SuccessAlert>
          The audit is complete: every contest's risk is at or under {audit.riskLimit}%, so the reported winners are confirmed. <a href={`/public/audits/${audit.id}`}>Public summary</a> · <a href={`/api/v1/audits/${audit.id}/report?format=pdf`}>Audit record (PDF)</a> · <a href={`/api/v1/audits/${audit.id}/report?format=csv`}>(CSV)</a>
        </SuccessAlert>
      )}
      <h2>Contests and reported results</h2>
      <div className="grid-row grid-gap">
        {audit.contests.map((c) => (
          <div className="grid-col-12 tablet:grid-col-6" key={c.id}>
          <table className="usa-table usa-table--borderless width-full">
            <caption className="text-left">{c.name} · {n(c.ballotsCast)} ballots cast{c.counties ? ` · in ${c.counties.join(', ')}` : ''}</caption>
            <thead><tr><th scope="col">Choice</th><th scope="col" className="text-right">Votes</th></tr></thead>
            <tbody>{c.choices.map((ch) => <tr key={ch.name}><td>{ch.name}{c.winners.includes(ch.name) ? ' (reported winner)' : ''}</td><td className="text-right">{n(ch.votes)}</td></tr>)}</tbody>
          </table>
          </div>
        ))}
      </div>

      <h2>Counties</h2>
      <table className="usa-table usa-table--borderless width-full">
        <thead><tr><th scope="col">County</th><th scope="col">Ballot manifest</th>{audit.auditType !== 'ballot-polling' && <th scope="col">{audit.auditType === 'ballot-comparison' ? 'Cast vote records' : 'Batch tallies'}</th>}{lastRound && <th scope="col">Round {lastRound.number}</th>}</tr></thead>
        <tbody>
          {audit.counties.map((c) => (
            <tr key={c.orgId}>
              <th scope="row">{c.name}</th>
              <td>{c.manifest ? <>{n(c.manifest.batches)} batches, {n(c.manifest.ballots)} ballots <span className="text-base font-body-2xs">({c.manifest.file}, SHA-256 {c.manifest.sha256.slice(0, 12)}…)</span></> : <span className="text-secondary-dark">Waiting for the county</span>}</td>
              {audit.auditType !== 'ballot-polling' && <td>{c.results ? `${n(c.results.rows)} rows` : <span className="text-secondary-dark">Waiting</span>}</td>}
              {lastRound && <td>{c.round.toRead === 0 ? 'Nothing drawn here' : `${c.round.read} of ${c.round.toRead} entered`}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <AuditMap audit={audit} />
      {lastRound && !lastRound.endedAt && <ProgressChart counties={audit.counties} />}
      {audit.youAre !== 'observer' && mine.map((c) => <CountyFiles key={`f-${c.orgId}`} audit={audit} county={c} onDone={() => void load()} />)}

      {audit.youAre === 'state' && !audit.seed && <SeedForm audit={audit} onDone={() => void load()} />}
      {audit.seed && <p>Random seed: <code>{audit.seed}</code>, entered by {audit.seedEnteredBy} on {new Date(audit.seedEnteredAt!).toLocaleString('en-US')}. Check the sample yourself: <code>eoc rla sample --seed {audit.seed} --size N --manifest COUNTY=FILE …</code></p>}

      {audit.youAre !== 'observer' && lastRound && !lastRound.endedAt && mine.map((c) => <Boards key={`b-${c.orgId}`} audit={audit} county={c} onDone={() => void load()} />)}
      {audit.youAre === 'state' && audit.nextRound && audit.status !== 'complete' && <NextRound audit={audit} onDone={() => void load()} />}

      {audit.rounds.length > 0 && (
        <section aria-labelledby="rounds">
          <h2 id="rounds">Rounds and risk</h2>
          <RiskChart audit={audit} />
          <table className="usa-table usa-table--borderless width-full">
            <thead><tr><th scope="col">Round</th><th scope="col">Contest</th><th scope="col" className="text-right">Drawn</th><th scope="col" className="text-right">Risk</th><th scope="col">Outcome</th></tr></thead>
            <tbody>
              {audit.rounds.flatMap((r) => Object.entries(r.sizes).map(([contest, s]) => {
                const res = r.results?.find((x) => x.name === contest);
                return (
                  <tr key={`${r.number}-${contest}`}>
                    <td>{r.number}</td>
                    <td>{contest}</td>
                    <td className="text-right">{n(s.size)}</td>
                    <td className="text-right">{res ? pct(res.risk) : '—'}</td>
                    <td>{res ? (res.confirmed ? <span className="text-green text-bold">Confirmed</span> : 'Above the limit') : 'Under way'}</td>
                  </tr>
                );
              }))}
            </tbody>
          </table>
        </section>
      )}
      <Discrepancies audit={audit} onDone={() => void load()} />
      {audit.status !== 'complete' && audit.rounds.length > 0 && <p><a href={`/api/v1/audits/${audit.id}/report?format=pdf`}>Audit record so far (PDF)</a> · <a href={`/api/v1/audits/${audit.id}/report?format=csv`}>(CSV)</a></p>}
    </>
  );
}
