// Election-day monitoring: every public election service an office watches — results site, registration,
// polling-place lookup, DNS, certificates — with its status now, a map of where things are down, and for each
// service its uptime and latency over the day, its outages and what to do. Offices add monitors of their own
// approved systems; the operations center and states see what is shared with them.
import { useCallback, useEffect, useState } from 'react';
import { get, patch, post, qs } from '../api.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { UsMap, type MapState } from '../components/us-map.js';
import { useSession } from '../session.js';

type Status = 'up' | 'degraded' | 'down' | 'changed' | 'pending';
interface Item {
  readonly id: string;
  readonly orgName: string;
  readonly stateCode: string | null;
  readonly stateFips: string | null;
  readonly name: string;
  readonly kind: string;
  readonly target: string;
  readonly status: Status;
  readonly statusSince: string | null;
  readonly message: string | null;
  readonly lastLatencyMs: number | null;
  readonly paused: boolean;
}
interface List {
  readonly counts: Record<Status, number>;
  readonly total: number;
  readonly byState: Array<{ fips: string; stateCode: string | null; counts: Partial<Record<Status, number>> }>;
  readonly items: Item[];
}
interface Detail {
  readonly id: string;
  readonly name: string;
  readonly status: Status;
  readonly message: string | null;
  readonly public: boolean;
  readonly paused: boolean;
  readonly options: { integrity?: boolean };
  readonly outages: Array<{ status: string; message: string; startedAt: string; endedAt: string | null; durationSeconds: number | null; incidentId: string | null }>;
}
interface History {
  readonly uptime: number | null;
  readonly buckets: Array<{ at: string; checks: number; up: number; latencyAvgMs: number | null }>;
}

const COLORS: Record<Status, string> = { up: '#00a91c', degraded: '#e5a000', down: '#b50909', changed: '#8168b3', pending: '#71767a' };
const WORDS: Record<Status, string> = { up: 'Up', degraded: 'Slow or expiring', down: 'Down', changed: 'Changed', pending: 'Waiting for the first check' };
const RANK: Record<Status, number> = { down: 0, changed: 1, degraded: 2, pending: 3, up: 4 };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }) : '—');

function StatusTag({ status }: { status: Status }) {
  return <span className="usa-tag" style={{ background: COLORS[status] }}>{WORDS[status]}</span>;
}

/** Uptime (bars: share of checks up per five minutes) and latency (line) over the day. */
function HistoryChart({ history }: { history: History }) {
  const b = history.buckets;
  if (b.length < 2) return <p>Not enough checks yet for a chart.</p>;
  const w = 600;
  const h = 120;
  const step = w / b.length;
  const maxLatency = Math.max(1, ...b.map((x) => x.latencyAvgMs ?? 0));
  const points = b.map((x, i) => `${(i + 0.5) * step},${h - ((x.latencyAvgMs ?? 0) / maxLatency) * (h - 10)}`).join(' ');
  return (
    <figure className="margin-x-0">
      <svg role="img" aria-label={`Uptime ${history.uptime === null ? 'unknown' : `${(history.uptime * 100).toFixed(2)} %`} over the period; latency up to ${maxLatency} ms`} viewBox={`0 0 ${w} ${h + 4}`} width="100%" style={{ maxWidth: w }}>
        {b.map((x, i) => {
          const share = x.checks ? x.up / x.checks : 0;
          return <rect key={x.at} x={i * step} y={0} width={Math.max(1, step - 1)} height={h} fill={share >= 1 ? '#ecf3ec' : share > 0 ? '#faf3d1' : '#f4e3db'}><title>{`${when(x.at)}: ${x.up} of ${x.checks} checks up`}</title></rect>;
        })}
        <polyline points={points} fill="none" stroke="#005ea2" strokeWidth={2} />
      </svg>
      <figcaption className="font-body-2xs text-base">Background: checks up in each five minutes (green all, yellow some, red none). Line: average response time (top of the chart: {maxLatency} ms).</figcaption>
    </figure>
  );
}

function AddMonitor({ onDone }: { onDone: () => void }) {
  const [kind, setKind] = useState('http');
  const [target, setTarget] = useState('');
  const [name, setName] = useState('');
  const [interval, setInterval] = useState(60);
  const [keyword, setKeyword] = useState('');
  const [integrity, setIntegrity] = useState(true);
  const [ignore, setIgnore] = useState('');
  const [records, setRecords] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async () => {
    setError(null);
    try {
      const body: Record<string, unknown> = { kind, target, intervalSeconds: interval, ...(name ? { name } : {}) };
      if (kind === 'http') Object.assign(body, { ...(keyword ? { keyword } : {}), integrity, ...(ignore.trim() ? { ignore: ignore.split('\n').map((s) => s.trim()).filter(Boolean) } : {}) });
      if (kind === 'dns') body.records = { A: records.split(/[\s,]+/).filter(Boolean) };
      await post('/api/v1/monitors', body);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const hint: Record<string, string> = { http: 'The full address, e.g. https://results.county.gov/', tls: 'The host, and the port if not 443: results.county.gov', dns: 'The name whose records must not change: results.county.gov', tcp: 'Host and port: vpn.county.gov:443' };
  return (
    <form className="usa-form usa-form--large" onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-labelledby="add-heading">
      <h2 id="add-heading">Watch a service</h2>
      <ErrorAlert error={error} />
      <label className="usa-label" htmlFor="m-kind">What to watch</label>
      <select className="usa-select" id="m-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
        <option value="http">A web page (up, fast, unchanged)</option>
        <option value="tls">A certificate (not expiring, trusted)</option>
        <option value="dns">DNS records (not changed by anyone)</option>
        <option value="tcp">A port (answering)</option>
      </select>
      <label className="usa-label" htmlFor="m-target">Address</label>
      <span className="usa-hint" id="m-target-hint">{hint[kind]}. Only systems in your inventory or your approved scanning scope.</span>
      <input className="usa-input" id="m-target" aria-describedby="m-target-hint" value={target} onChange={(e) => setTarget(e.target.value)} required />
      <label className="usa-label" htmlFor="m-name">Name shown to people</label>
      <input className="usa-input" id="m-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Election-night results" />
      <label className="usa-label" htmlFor="m-interval">Check every</label>
      <select className="usa-select" id="m-interval" value={interval} onChange={(e) => setInterval(Number(e.target.value))}>
        {[10, 30, 60, 300, 900].map((s) => <option key={s} value={s}>{s < 60 ? `${s} seconds` : `${s / 60} minute${s === 60 ? '' : 's'}`}</option>)}
      </select>
      {kind === 'http' && (
        <>
          <label className="usa-label" htmlFor="m-keyword">Text the page must show (optional)</label>
          <input className="usa-input" id="m-keyword" value={keyword} onChange={(e) => setKeyword(e.target.value)} />
          <div className="usa-checkbox margin-top-2">
            <input className="usa-checkbox__input" id="m-integrity" type="checkbox" checked={integrity} onChange={(e) => setIntegrity(e.target.checked)} />
            <label className="usa-checkbox__label" htmlFor="m-integrity">Tell me if the content changes (defacement, altered results)</label>
          </div>
          {integrity && (
            <>
              <label className="usa-label" htmlFor="m-ignore">Lines that change by themselves (optional, one per line)</label>
              <span className="usa-hint" id="m-ignore-hint">Times and dates are ignored already. Add words of lines such as a visit counter: "Visitors".</span>
              <textarea className="usa-textarea" id="m-ignore" aria-describedby="m-ignore-hint" value={ignore} onChange={(e) => setIgnore(e.target.value)} />
            </>
          )}
        </>
      )}
      {kind === 'dns' && (
        <>
          <label className="usa-label" htmlFor="m-records">The approved addresses (A records)</label>
          <input className="usa-input" id="m-records" value={records} onChange={(e) => setRecords(e.target.value)} placeholder="203.0.113.10, 203.0.113.11" required />
        </>
      )}
      <button type="submit" className="usa-button margin-top-2">Start watching</button>
    </form>
  );
}

function MonitorDetail({ id, canChange, onChange }: { id: string; canChange: boolean; onChange: () => void }) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    void get<Detail>(`/api/v1/monitors/${id}`).then(setDetail, setError);
    void get<History>(`/api/v1/monitors/${id}/history?hours=24`).then(setHistory, setError);
  }, [id]);
  useEffect(load, [load]);
  const change = async (body: Record<string, unknown>) => {
    try {
      await patch(`/api/v1/monitors/${id}`, body);
      load();
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  if (!detail) return <Loading what="the monitor" />;
  return (
    <section className="border-1px border-base-lighter padding-2 margin-y-2" aria-labelledby={`d-${id}`}>
      <h2 id={`d-${id}`} className="margin-top-0">{detail.name} <StatusTag status={detail.status} /></h2>
      <ErrorAlert error={error} />
      <p>{detail.message}</p>
      {history && <p>Up {history.uptime === null ? '—' : `${(history.uptime * 100).toFixed(2)} %`} of checks in the last 24 hours.</p>}
      {history && <HistoryChart history={history} />}
      <h3>Outages and changes</h3>
      {detail.outages.length === 0 ? <p>None.</p> : (
        <ul className="usa-list">
          {detail.outages.map((o) => (
            <li key={o.startedAt}>{when(o.startedAt)}: {o.status} — {o.message} {o.endedAt ? `(lasted ${Math.max(1, Math.round((o.durationSeconds ?? 0) / 60))} min)` : '(ongoing)'} {o.incidentId && <a href={`/incidents/${o.incidentId}`}>incident</a>}</li>
          ))}
        </ul>
      )}
      {canChange && (
        <div className="usa-button-group">
          {detail.status === 'changed' && detail.options.integrity && <button type="button" className="usa-button" onClick={() => void change({ acceptContent: true })}>The change is expected: accept the new content</button>}
          <button type="button" className="usa-button usa-button--outline" onClick={() => void change({ paused: !detail.paused })}>{detail.paused ? 'Resume' : 'Pause'}</button>
          <button type="button" className="usa-button usa-button--outline" onClick={() => void change({ public: !detail.public })}>{detail.public ? 'Hide from the public status page' : 'Show on the public status page'}</button>
        </div>
      )}
    </section>
  );
}

export function MonitoringPage() {
  const { me } = useSession();
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const load = useCallback(() => void get<List>(`/api/v1/monitors${qs({ state: state ?? undefined, limit: 500 })}`).then(setList, setError), [state]);
  useEffect(() => {
    load();
    const t = window.setInterval(load, 10_000);
    return () => window.clearInterval(t);
  }, [load]);
  if (!me || !list) return <Loading what="the monitors" />;
  const local = me.org.type !== 'operations-center' && me.org.type !== 'state' && me.org.type !== 'territory' && me.org.type !== 'federal';
  const byState = new Map(list.byState.map((s) => [s.fips, s]));
  const states: MapState[] = list.byState.map((s) => ({ fips: s.fips, name: s.stateCode ?? s.fips, value: Object.entries(s.counts).filter(([k]) => k !== 'up').reduce((n, [, v]) => n + v, 0) }));
  const worst = (fips: string): Status => (Object.keys(byState.get(fips)?.counts ?? {}) as Status[]).reduce<Status>((w, k) => (RANK[k] < RANK[w] ? k : w), 'up');
  const shown = list.items;
  return (
    <>
      <h1>Monitoring</h1>
      <p className="usa-intro margin-top-0">The public services voters rely on — results, registration, polling-place lookup — checked around the clock. An outage or an unexpected change opens an incident and tells the office at once.</p>
      <ErrorAlert error={error} />
      {message && <SuccessAlert>{message}</SuccessAlert>}
      <ul className="usa-card-group" aria-label="Services by status">
        {(['down', 'changed', 'degraded', 'up', 'pending'] as Status[]).map((s) => (
          <li className="usa-card tablet:grid-col" key={s}>
            <div className="usa-card__container" style={{ borderLeft: `6px solid ${COLORS[s]}` }}>
              <div className="usa-card__body padding-y-1"><p className="font-heading-xl margin-0">{list.counts[s] ?? 0}</p><p className="margin-0">{WORDS[s]}</p></div>
            </div>
          </li>
        ))}
      </ul>
      {!local && states.length > 0 && (
        <UsMap states={states} selected={state} onSelect={(f) => setState(state === f ? null : f)} look={{ fillOf: (s) => COLORS[worst(s.fips)], describe: (n, s) => `${n}: ${s ? `${s.value} service${s.value === 1 ? '' : 's'} not up` : 'no monitors'}`, label: 'Monitored services by state, coloured by the worst status', legend: <p className="font-body-2xs">Colour: the worst status of the state's monitored services. Choose a state to list them.</p> }} />
      )}
      {local && <p>Your <a href={`/status/${me.org.id}`}>public status page</a> shows the services you choose (Show on the public status page), to anyone.</p>}
      {local && me.user.role !== 'viewer' && (adding ? <AddMonitor onDone={() => { setAdding(false); setMessage('Watching it now; the first check runs within seconds.'); load(); }} /> : <button type="button" className="usa-button" onClick={() => setAdding(true)}>Watch a service</button>)}
      <table className="usa-table usa-table--borderless usa-table--stacked width-full" data-testid="monitors">
        <caption className="usa-sr-only">Monitored services, worst first</caption>
        <thead><tr><th scope="col">Service</th>{!local && <th scope="col">Office</th>}<th scope="col">Status</th><th scope="col">Since</th><th scope="col">What the last check saw</th></tr></thead>
        <tbody>
          {shown.length === 0 ? <tr><td colSpan={5}>No monitored services yet.</td></tr> : shown.map((m) => (
            <tr key={m.id}>
              <th scope="row" data-label="Service"><button type="button" className="usa-button usa-button--unstyled" onClick={() => setOpen(open === m.id ? null : m.id)}>{m.name}</button><div className="font-body-2xs text-base">{m.kind.toUpperCase()} {m.target}</div></th>
              {!local && <td data-label="Office">{m.orgName}</td>}
              <td data-label="Status"><StatusTag status={m.status} />{m.paused ? ' (paused)' : ''}</td>
              <td data-label="Since">{when(m.statusSince)}</td>
              <td data-label="Last check">{m.message ?? '—'}{m.lastLatencyMs !== null ? ` · ${m.lastLatencyMs} ms` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.total > shown.length && !state && <p className="font-body-2xs">The {shown.length} worst of {list.total.toLocaleString('en-US')} services are listed; choose a state on the map to list its services.</p>}
      {open && <MonitorDetail id={open} canChange={me.user.role !== 'viewer'} onChange={load} />}
    </>
  );
}
