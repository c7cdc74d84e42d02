// The live board of election day: a map of states coloured by the worst open incident, a drill-down to
// counties, operational vs possibly-deliberate counts over time, SLA breaches and the latest activity. It is
// fed by the event stream (which resumes after a dropped connection) and shows only what the policy allows.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { get, qs } from '../api.js';
import { Link } from '../router.js';
import { useLiveEvents, useLiveStatus } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { UsMap, type MapState } from '../components/us-map.js';
import { CountyMap } from '../components/county-map.js';
import { SeverityBadge, SlaBadge } from '../components/incident-badges.js';
import { INCIDENT_EVENTS, label, loadTaxonomy, relativeMinutes, SEVERITY_COLORS, STATE_FIPS, STATUS_LABELS, type Board, type Severity, type Taxonomy } from '../incidents-api.js';

const FIPS_STATE = Object.fromEntries(Object.entries(STATE_FIPS).map(([code, fips]) => [fips, code]));
const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export function BoardPage() {
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [board, setBoard] = useState<Board | null>(null);
  const [state, setState] = useState<string>(new URLSearchParams(location.search).get('state') ?? '');
  const [component, setComponent] = useState('');
  const [category, setCategory] = useState('');
  const [hours, setHours] = useState(24);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [announce, setAnnounce] = useState('');
  const live = useLiveStatus();
  const url = `/api/v1/incidents/board${qs({ state, component, category, hours })}`;
  const load = useCallback(() => get<Board>(url).then((b) => { setBoard(b); setUpdated(new Date()); setError(null); }, setError), [url]);
  useEffect(() => void load(), [load]);
  useEffect(() => void loadTaxonomy().then(setTax, setError), []);
  // Many events arrive together on election day: refresh at most twice a second.
  const pending = useRef<number | null>(null);
  useLiveEvents(INCIDENT_EVENTS, (e) => {
    if (e.type === 'incident.reported') setAnnounce(`New report: ${String(e.data.title ?? '')}, ${String(e.data.jurisdictionName ?? '')}`);
    if (pending.current === null) pending.current = window.setTimeout(() => { pending.current = null; void load(); }, 500);
  });
  // After a reconnect the stream replays what was missed; reload the whole board too, in case the server restarted.
  useEffect(() => {
    if (live === 'open') void load();
  }, [live, load]);

  const mapStates: MapState[] = useMemo(() => (board?.states ?? []).filter((s) => STATE_FIPS[s.stateCode]).map((s) => ({ fips: STATE_FIPS[s.stateCode]!, name: s.stateCode, value: s.worst ? SEVERITY_RANK[s.worst] : 0 })), [board]);
  const byCode = new Map((board?.states ?? []).map((s) => [s.stateCode, s]));
  if (!board) return error ? <ErrorAlert error={error} heading="The board could not be loaded" /> : <Loading what="the live board" />;
  const severityLegend = (
    <figcaption className="map-legend margin-top-1">
      <span>Most severe open incident:</span>
      {(['critical', 'high', 'medium', 'low'] as const).map((s) => (
        <span key={s}><svg width="16" height="16" aria-hidden="true"><rect width="16" height="16" fill={SEVERITY_COLORS[s]} stroke="#71767a" /></svg> {s}</span>
      ))}
      <span><svg width="16" height="16" aria-hidden="true"><rect width="16" height="16" fill="#f0f0f0" stroke="#71767a" /></svg> none</span>
    </figcaption>
  );
  const c = board.countdown;
  return (
    <>
      <div className="display-flex flex-justify flex-align-center flex-wrap">
        <h1 className="margin-y-1">Live board</h1>
        <p className="margin-0 font-sans-2xs" aria-live="off">
          <span className={`live-dot live-dot--${live}`} aria-hidden="true" /> {live === 'open' ? 'Live' : live === 'connecting' ? 'Reconnecting…' : 'Offline'} · updated {updated?.toLocaleTimeString()}
        </p>
      </div>
      <div className="usa-sr-only" aria-live="polite">{announce}</div>
      {c.next && (
        <div className={`usa-alert ${c.electionDay ? 'usa-alert--emergency' : 'usa-alert--info'} usa-alert--slim margin-bottom-2`}>
          <div className="usa-alert__body"><p className="usa-alert__text">{c.electionDay ? <><strong>Election day:</strong> {c.next.name}. Tighter response times apply.</> : <>{c.daysLeft} day{c.daysLeft === 1 ? '' : 's'} to the {c.next.name} ({c.next.day}).</>}</p></div>
        </div>
      )}
      <ErrorAlert error={error} heading="Could not refresh; showing the last figures" />
      <div className="grid-row grid-gap-2 margin-bottom-2">
        <div className="grid-col-6 tablet:grid-col-3">
          <label className="usa-label margin-top-0" htmlFor="b-component">Affected</label>
          <select className="usa-select" id="b-component" value={component} onChange={(e) => setComponent(e.target.value)}>
            <option value="">Everything</option>
            {tax?.components.map((x) => <option key={x.id} value={x.id}>{x.label}</option>)}
          </select>
        </div>
        <div className="grid-col-6 tablet:grid-col-3">
          <label className="usa-label margin-top-0" htmlFor="b-category">What happened</label>
          <select className="usa-select" id="b-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">Anything</option>
            {tax?.categories.map((x) => <option key={x.id} value={x.id}>{x.label}</option>)}
          </select>
        </div>
        <div className="grid-col-6 tablet:grid-col-3">
          <label className="usa-label margin-top-0" htmlFor="b-hours">Chart</label>
          <select className="usa-select" id="b-hours" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            <option value={12}>Last 12 hours</option>
            <option value={24}>Last 24 hours</option>
            <option value={72}>Last 3 days</option>
            <option value={168}>Last 7 days</option>
          </select>
        </div>
      </div>
      <ul className="board-tiles" aria-label="Open incidents">
        <Tile n={board.totals.open} text="open" />
        <Tile n={board.totals.nefarious} text="possibly deliberate" tone="nefarious" />
        <Tile n={board.totals.operational} text="operational" />
        <Tile n={board.totals.unassessed} text="not yet assessed" />
        <Tile n={board.totals.breached} text="past their SLA" tone={board.totals.breached ? 'alert' : undefined} />
        <Tile n={board.totals.votingAffected} text="affecting voting or counting" tone={board.totals.votingAffected ? 'alert' : undefined} />
      </ul>
      <MonitorTiles />
      <div className="grid-row grid-gap-4">
        <div className="grid-col-12 desktop:grid-col-8">
          <h2 className="font-sans-lg">{state ? `${state}: open incidents by county` : 'Open incidents by state'}</h2>
          {state && <button type="button" className="usa-button usa-button--unstyled margin-bottom-1" onClick={() => setState('')}>← All states</button>}
          {state && STATE_FIPS[state] ? (
            <>
              <CountyMap
                stateFips={STATE_FIPS[state]!}
                label={`Map of the counties of ${state}, coloured by their most severe open incident`}
                values={board.counties.map((c) => ({ fips: c.countyFips, fill: c.worst ? SEVERITY_COLORS[c.worst] : '#f0f0f0', label: `${c.name ?? c.countyFips}: ${c.open} open, worst ${c.worst}${c.breached ? `, ${c.breached} past SLA` : ''}` }))}
              />
              {severityLegend}
            </>
          ) : (
            <UsMap
              states={mapStates}
              selected={state ? STATE_FIPS[state] ?? null : null}
              onSelect={(fips) => setState(FIPS_STATE[fips] ?? '')}
              look={{
                label: 'Map of states coloured by their most severe open incident. Choose a state to see its counties.',
                allSelectable: true,
                fillOf: (s) => (s.value ? SEVERITY_COLORS[(['low', 'medium', 'high', 'critical'] as const)[s.value - 1]!] : '#f0f0f0'),
                describe: (name, s) => {
                  const st = s ? byCode.get(FIPS_STATE[s.fips] ?? '') : undefined;
                  return st ? `${name}: ${st.open} open, worst ${st.worst}${st.breached ? `, ${st.breached} past SLA` : ''}` : `${name}: no open incidents`;
                },
                legend: severityLegend,
              }}
            />
          )}
          {state ? <CountyTable board={board} /> : <StateTable board={board} onPick={setState} />}
          <h2 className="font-sans-lg">Reports over time</h2>
          <Chart series={board.series} hours={hours} />
        </div>
        <div className="grid-col-12 desktop:grid-col-4">
          <h2 className="font-sans-lg">SLA: past due or due within 30 minutes</h2>
          {board.breaches.length === 0 ? <p className="text-base">Nothing is about to breach.</p> : (
            <ul className="usa-list usa-list--unstyled board-list">
              {board.breaches.map((i) => (
                <li key={i.id}>
                  <Link to={`/incidents/${i.id}`}>{i.title}</Link> <SeverityBadge severity={i.severity} />
                  <div className="font-sans-3xs">{i.jurisdiction.name} · <SlaBadge clock={i.status === 'new' ? i.sla.triage : i.sla.resolve} what={i.status === 'new' ? 'triage' : 'resolve'} /></div>
                </li>
              ))}
            </ul>
          )}
          <h2 className="font-sans-lg">Latest activity</h2>
          <ol className="usa-list usa-list--unstyled board-list" aria-label="Latest activity">
            {board.feed.map((i) => (
              <li key={i.id} className={i.kind === 'nefarious' ? 'is-nefarious' : undefined}>
                <Link to={`/incidents/${i.id}`}>{i.ref}: {i.title}</Link>
                <div className="font-sans-3xs">
                  {i.jurisdiction.name} · {tax ? label(tax.categories, i.category) : i.category} · {STATUS_LABELS[i.status]} · <SeverityBadge severity={i.severity} /> · {relativeMinutes(Math.round((Date.parse(i.updatedAt) - Date.now()) / 60_000))}
                </div>
              </li>
            ))}
          </ol>
        </div>
      </div>
    </>
  );
}

/** The monitored public services, beside the incidents: how many are down, changed or slow (refreshed every 15 s). */
function MonitorTiles() {
  const [counts, setCounts] = useState<Record<string, number> | null>(null);
  useEffect(() => {
    const load = () => void get<{ counts: Record<string, number>; total: number }>('/api/v1/monitors?limit=1').then((r) => setCounts(r.total ? r.counts : null), () => undefined);
    load();
    const t = window.setInterval(load, 15_000);
    return () => window.clearInterval(t);
  }, []);
  if (!counts) return null;
  return (
    <ul className="board-tiles" aria-label="Monitored public services">
      <Tile n={counts.down ?? 0} text="services down" tone={counts.down ? 'alert' : undefined} />
      <Tile n={counts.changed ?? 0} text="changed (content or DNS)" tone={counts.changed ? 'alert' : undefined} />
      <Tile n={counts.degraded ?? 0} text="slow or certificate expiring" />
      <Tile n={counts.up ?? 0} text="services up" />
      <li className="board-tile"><Link to="/monitoring">See every monitored service</Link></li>
    </ul>
  );
}

function Tile({ n, text, tone }: { n: number; text: string; tone?: 'alert' | 'nefarious' | undefined }) {
  return (
    <li className={`board-tile${tone ? ` board-tile--${tone}` : ''}`}>
      <span className="board-tile__n">{n.toLocaleString()}</span> <span className="board-tile__t">{text}</span>
    </li>
  );
}

function StateTable({ board, onPick }: { board: Board; onPick: (code: string) => void }) {
  if (!board.states.length) return <p>No open incidents you can see.</p>;
  const rows = [...board.states].sort((a, b) => (SEVERITY_RANK[b.worst ?? 'low'] - SEVERITY_RANK[a.worst ?? 'low']) || b.open - a.open);
  return (
    <table className="usa-table usa-table--compact width-full">
      <caption>Open incidents by state, worst first</caption>
      <thead><tr><th scope="col">State</th><th scope="col">Open</th><th scope="col">Worst</th><th scope="col">Possibly deliberate</th><th scope="col">Past SLA</th></tr></thead>
      <tbody>
        {rows.map((s) => (
          <tr key={s.stateCode}>
            <th scope="row"><button type="button" className="usa-button usa-button--unstyled" onClick={() => onPick(s.stateCode)}>{s.stateCode}</button></th>
            <td>{s.open}</td><td>{s.worst && <SeverityBadge severity={s.worst} />}</td><td>{s.nefarious}</td><td>{s.breached}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CountyTable({ board }: { board: Board }) {
  if (!board.counties.length) return <p>No open incidents in counties of this state that you can see.</p>;
  return (
    <table className="usa-table usa-table--compact width-full">
      <caption>Open incidents by county</caption>
      <thead><tr><th scope="col">County</th><th scope="col">FIPS</th><th scope="col">Open</th><th scope="col">Worst</th><th scope="col">Possibly deliberate</th><th scope="col">Past SLA</th></tr></thead>
      <tbody>
        {board.counties.map((c) => (
          <tr key={c.countyFips}>
            <th scope="row">{c.name ?? c.countyFips}</th><td>{c.countyFips}</td><td>{c.open}</td><td>{c.worst && <SeverityBadge severity={c.worst} />}</td><td>{c.nefarious}</td><td>{c.breached}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Stacked bars per hour: operational below, possibly deliberate above; the same figures in a table for screen readers. */
function Chart({ series, hours }: { series: Board['series']; hours: number }) {
  const buckets = useMemo(() => {
    const byHour = new Map(series.map((s) => [s.hour, s]));
    const now = new Date();
    now.setUTCMinutes(0, 0, 0);
    return Array.from({ length: hours }, (_, k) => {
      const t = new Date(now.getTime() - (hours - 1 - k) * 3_600_000);
      const key = `${t.toISOString().slice(0, 13)}:00:00Z`;
      const s = byHour.get(key);
      return { t, operational: s?.operational ?? 0, nefarious: s?.nefarious ?? 0 };
    });
  }, [series, hours]);
  const max = Math.max(1, ...buckets.map((b) => b.operational + b.nefarious));
  const w = 720;
  const h = 180;
  const bw = w / buckets.length;
  const total = buckets.reduce((n, b) => n + b.operational + b.nefarious, 0);
  return (
    <figure className="margin-0">
      <svg viewBox={`0 0 ${w} ${h + 24}`} className="board-chart" role="img" aria-label={`${total} reports in the last ${hours} hours; the table below has the figures per hour`}>
        {[0.5, 1].map((f) => <line key={f} x1={0} x2={w} y1={h - h * f} y2={h - h * f} stroke="#dfe1e2" />)}
        <text x={2} y={12} fontSize="11" fill="#565c65">{max}</text>
        {buckets.map((b, k) => {
          const ho = (b.operational / max) * h;
          const hn = (b.nefarious / max) * h;
          return (
            <g key={k}>
              <rect x={k * bw + 1} width={Math.max(1, bw - 2)} y={h - ho} height={ho} fill="#005ea2" />
              <rect x={k * bw + 1} width={Math.max(1, bw - 2)} y={h - ho - hn} height={hn} fill="#d83933" />
              {k % Math.ceil(buckets.length / 8) === 0 && <text x={k * bw} y={h + 16} fontSize="11" fill="#565c65">{b.t.toLocaleTimeString([], { hour: 'numeric' })}</text>}
            </g>
          );
        })}
      </svg>
      <figcaption className="map-legend">
        <span><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="#005ea2" /></svg> operational</span>
        <span><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="#d83933" /></svg> possibly deliberate</span>
      </figcaption>
      <details className="margin-top-1">
        <summary>Figures per hour</summary>
        <table className="usa-table usa-table--compact">
          <thead><tr><th scope="col">Hour</th><th scope="col">Operational</th><th scope="col">Possibly deliberate</th></tr></thead>
          <tbody>{buckets.filter((b) => b.operational + b.nefarious > 0).map((b) => <tr key={b.t.toISOString()}><th scope="row">{b.t.toLocaleString([], { month: 'short', day: 'numeric', hour: 'numeric' })}</th><td>{b.operational}</td><td>{b.nefarious}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  );
}
