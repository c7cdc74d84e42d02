// Log matching for an office: upload a log file (any size; it is read as it arrives) and see, while it runs,
// how far it got and what it found; each finished scan lists the threats seen, line by line, and opens an
// incident in one click. Earlier scans are listed below.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, post } from '../api.js';
import { Link, navigate } from '../router.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { shortDate, uploadWithProgress } from '../intel-api.js';

interface Scan {
  readonly id: string;
  readonly name: string;
  readonly format: string;
  readonly status: 'receiving' | 'done' | 'failed';
  readonly bytes: number;
  readonly bytesExpected: number | null;
  readonly lines: number;
  readonly matchedLines: number;
  readonly matches: number;
  readonly offFormat: number;
  readonly binary: number;
  readonly indicators: number;
  readonly incidentId: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly indicatorsSeen?: Array<{ stixId: string; type: string; value: string; count: number; firstLine: number }>;
}

const FORMATS: Array<[string, string]> = [['auto', 'Find out from the lines'], ['combined', 'Web server access log (common or combined)'], ['dns', 'DNS query log'], ['csv', 'Firewall or proxy log (CSV)'], ['syslog', 'Syslog']];
const n = (x: number) => x.toLocaleString('en-US');
const mb = (x: number) => `${(x / 1048576).toFixed(x < 10 * 1048576 ? 1 : 0)} MB`;

function ScanResult({ scan, onIncident }: { scan: Scan; onIncident: () => void }) {
  const seen = scan.indicatorsSeen ?? [];
  return (
    <div className={`usa-alert ${scan.matchedLines ? 'usa-alert--warning' : 'usa-alert--success'} margin-y-2`} data-testid="scan-result">
      <div className="usa-alert__body">
        <h2 className="usa-alert__heading">{scan.name}: {scan.matchedLines ? `${n(scan.matchedLines)} line${scan.matchedLines === 1 ? '' : 's'} match known threats` : 'nothing known found'}</h2>
        <p className="usa-alert__text">{n(scan.lines)} lines read ({mb(scan.bytes)}, {scan.format}) against {n(scan.indicators)} indicators shared with your office.{scan.binary ? ` ${n(scan.binary)} unreadable lines skipped.` : ''}{scan.offFormat ? ` ${n(scan.offFormat)} lines in another format, searched word by word.` : ''}</p>
        {seen.length > 0 && (
          <table className="usa-table usa-table--borderless usa-table--compact">
            <caption className="usa-sr-only">Threats seen in the log</caption>
            <thead><tr><th scope="col">Threat</th><th scope="col">Lines</th><th scope="col">First at line</th></tr></thead>
            <tbody>
              {seen.slice(0, 20).map((s) => (
                <tr key={s.stixId}><td><Link to={`/intel/objects/${s.stixId}`}><code>{s.value}</code></Link> <span className="text-base">{s.type}</span></td><td>{n(s.count)}</td><td>{n(s.firstLine)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        {scan.matchedLines > 0 && (
          <div className="usa-button-group margin-top-1">
            {scan.incidentId ? <Link className="usa-button usa-button--outline" to={`/incidents/${scan.incidentId}`}>See the incident</Link> : <button type="button" className="usa-button" onClick={onIncident}>Report an incident</button>}
          </div>
        )}
      </div>
    </div>
  );
}

export function LogsPage() {
  const [format, setFormat] = useState('auto');
  const [scans, setScans] = useState<Scan[] | null>(null);
  const [current, setCurrent] = useState<Scan | null>(null);
  const [upload, setUpload] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const poll = useRef<number | null>(null);
  const load = useCallback(() => get<{ items: Scan[] }>('/api/v1/log-scans').then((r) => setScans(r.items), setError), []);
  useEffect(() => {
    void load();
    return () => {
      if (poll.current) window.clearInterval(poll.current);
    };
  }, [load]);
  const run = async (file: File) => {
    setError(null);
    setCurrent(null);
    try {
      const scan = await post<Scan>('/api/v1/log-scans', { name: file.name, format });
      setCurrent(scan);
      setUpload(0);
      // What the server has read so far, while the file goes up.
      poll.current = window.setInterval(() => void get<Scan>(`/api/v1/log-scans/${scan.id}`).then(setCurrent, () => undefined), 1000);
      const gzip = file.name.endsWith('.gz');
      const done = await uploadWithProgress<Scan>(`/api/v1/log-scans/${scan.id}/lines`, file, gzip ? 'application/gzip' : 'text/plain', setUpload);
      setCurrent(done);
      void load();
    } catch (err) {
      setError(err);
    } finally {
      if (poll.current) window.clearInterval(poll.current);
      poll.current = null;
      setUpload(null);
    }
  };
  const openIncident = async (scan: Scan) => {
    try {
      const r = await post<{ id: string }>(`/api/v1/log-scans/${scan.id}/incident`, {});
      navigate(`/incidents/${r.id}`);
    } catch (err) {
      setError(err);
    }
  };
  const running = current && current.status === 'receiving';
  const fraction = running && current.bytesExpected ? Math.min(1, current.bytes / current.bytesExpected) : null;
  return (
    <>
      <p className="margin-bottom-0"><Link to="/inventory">Our systems</Link></p>
      <h1 className="margin-top-05">Check our logs</h1>
      <p className="usa-intro margin-top-0">Upload a log from your web server, DNS server, firewall or proxy. Every line is checked against the threats shared with your office. Only your office sees the result; whoever shared a threat you saw is told it was seen, not by whom.</p>
      <ErrorAlert error={error} />
      <div className="usa-form usa-form--large">
        <label className="usa-label" htmlFor="log-format">What kind of log</label>
        <select className="usa-select" id="log-format" value={format} onChange={(e) => setFormat(e.target.value)} disabled={upload !== null}>
          {FORMATS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}
        </select>
        <label className="usa-label" htmlFor="log-file">The log file</label>
        <span className="usa-hint" id="log-file-hint">Any size: plain text, or compressed (.gz). It is read as it arrives.</span>
        <input className="usa-file-input" id="log-file" type="file" aria-describedby="log-file-hint" disabled={upload !== null} onChange={(e) => { const f = e.target.files?.[0]; if (f) void run(f); e.target.value = ''; }} />
      </div>
      {current && running && (
        <div className="margin-y-2" aria-live="polite">
          <p className="margin-bottom-05"><strong>{current.name}</strong>: {upload !== null ? `sending ${Math.round(upload * 100)}%` : ''} · read {mb(current.bytes)}, {n(current.lines)} lines, {n(current.matchedLines)} matching so far</p>
          <progress max={1} value={fraction ?? upload ?? 0} aria-label="How much of the log was read" className="width-full" />
        </div>
      )}
      {current && current.status === 'done' && <ScanResult scan={current} onIncident={() => void openIncident(current)} />}
      <h2>Earlier scans</h2>
      {!scans ? <Loading what="your scans" /> : scans.length === 0 ? <p>None yet.</p> : (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">Earlier log scans</caption>
          <thead><tr><th scope="col">Log</th><th scope="col">When</th><th scope="col">Lines</th><th scope="col">Matching</th></tr></thead>
          <tbody>
            {scans.map((s) => (
              <tr key={s.id}>
                <th scope="row" data-label="Log"><button type="button" className="usa-button usa-button--unstyled" onClick={() => void get<Scan>(`/api/v1/log-scans/${s.id}`).then(setCurrent, setError)}>{s.name}</button></th>
                <td data-label="When">{shortDate(s.startedAt)}</td>
                <td data-label="Lines">{n(s.lines)}{s.status === 'receiving' ? ' (not finished)' : ''}</td>
                <td data-label="Matching">{s.matchedLines ? <strong>{n(s.matchedLines)}</strong> : 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
