// The vulnerability catalog: what CISA lists as exploited now and what CVE records say each affects, searchable
// by CVE, product or vendor, with the office's own systems each one touches. The operations center's analysts
// update it from CISA's KEV catalog or CVE records (a file upload with progress).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, qs } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { uploadWithProgress } from '../intel-api.js';

interface Vuln {
  readonly cveId: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly cvssScore: number | null;
  readonly cvssSeverity: string | null;
  readonly kev: { dateAdded: string | null; dueDate: string | null; requiredAction: string | null; ransomware: string | null } | null;
  readonly products: string[];
}
interface ImportReport { readonly kevCatalogVersion: string | null; readonly received: number; readonly changed: number; readonly unchanged: number; readonly refused: Array<{ index: number; reason: string }> }

const PAGE = 50;
/** A calendar day (the catalog gives days, not moments). */
const day = (d: string | null) => (d ? new Date(`${d.slice(0, 10)}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' }) : '—');

export function VulnerabilitiesPage() {
  const { me } = useSession();
  // A link may name what to look for (/intel/vulnerabilities?q=CVE-2024-3400).
  const initial = new URLSearchParams(window.location.search).get('q') ?? '';
  const [q, setQ] = useState(initial);
  const [kevOnly, setKevOnly] = useState(!initial);
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ items: Vuln[]; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const load = useCallback((query: string, kev: boolean, from: number) => {
    get<{ items: Vuln[]; total: number }>(`/api/v1/vulnerabilities${qs({ q: query, kev: kev || undefined, limit: PAGE, offset: from })}`).then(setPage, setError);
  }, []);
  useEffect(() => load(initial, !initial, 0), [load, initial]);
  const search = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    load(q, kevOnly, 0);
  };
  const editor = me!.org.type === 'operations-center' && (me!.user.role === 'analyst' || me!.user.role === 'org-admin');
  const upload = async (file: File) => {
    setError(null);
    setReport(null);
    setProgress(0);
    try {
      setReport(await uploadWithProgress<ImportReport>('/api/v1/vulnerabilities/import', file, 'application/json', setProgress));
      load(q, kevOnly, offset);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <>
      <p className="margin-bottom-0"><Link to="/intel">Threat intel</Link></p>
      <h1 className="margin-top-05">Vulnerabilities</h1>
      <p className="usa-intro margin-top-0">What attackers exploit now (CISA's Known Exploited Vulnerabilities catalog) and what each vulnerability affects. When one affects a product and version in <Link to="/inventory">your inventory</Link>, your office is told at once.</p>
      <ErrorAlert error={error} />
      {report && (
        <SuccessAlert>
          {report.received.toLocaleString('en-US')} read{report.kevCatalogVersion ? ` from the KEV catalog ${report.kevCatalogVersion}` : ''}: {report.changed.toLocaleString('en-US')} new or changed, now being matched against every inventory; {report.unchanged.toLocaleString('en-US')} unchanged.
          {report.refused.length > 0 && ` ${report.refused.length} refused (first: ${report.refused[0]!.reason}).`}
        </SuccessAlert>
      )}
      {editor && (
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="vuln-file">Update the catalog</label>
          <span className="usa-hint" id="vuln-file-hint">CISA's known_exploited_vulnerabilities.json, or a CVE record (CVE JSON 5) or a list of them.</span>
          <input className="usa-file-input" id="vuln-file" type="file" accept=".json,application/json" aria-describedby="vuln-file-hint" disabled={progress !== null} onChange={(e) => { const f = e.target.files?.[0]; if (f) void upload(f); e.target.value = ''; }} />
          {progress !== null && <div className="margin-top-1"><progress max={1} value={progress} aria-label="Upload progress" /> {Math.round(progress * 100)}%</div>}
        </div>
      )}
      <form className="usa-search usa-search--small margin-y-2" role="search" onSubmit={search}>
        <label className="usa-sr-only" htmlFor="vuln-q">Search by CVE, product or vendor</label>
        <input className="usa-input" id="vuln-q" type="search" placeholder="CVE-2024-3400, PAN-OS, Fortinet…" value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="usa-button" type="submit"><span className="usa-search__submit-text">Search</span></button>
      </form>
      <div className="usa-checkbox">
        <input className="usa-checkbox__input" id="kev-only" type="checkbox" checked={kevOnly} onChange={(e) => { setKevOnly(e.target.checked); setOffset(0); load(q, e.target.checked, 0); }} />
        <label className="usa-checkbox__label" htmlFor="kev-only">Only those exploited now (KEV)</label>
      </div>
      {!page ? <Loading what="the catalog" /> : page.items.length === 0 ? <p>{q ? 'Nothing matches.' : 'The catalog is empty.'}</p> : (
        <>
          <table className="usa-table usa-table--borderless usa-table--stacked width-full">
            <caption className="usa-sr-only">Vulnerabilities</caption>
            <thead><tr><th scope="col">CVE</th><th scope="col">What it is</th><th scope="col">Affects</th><th scope="col">Exploited</th></tr></thead>
            <tbody>
              {page.items.map((v) => (
                <tr key={v.cveId}>
                  <th scope="row" data-label="CVE" className="text-no-wrap"><a href={`https://www.cve.org/CVERecord?id=${v.cveId}`} target="_blank" rel="noreferrer noopener">{v.cveId}</a>{v.cvssSeverity && <div className="font-sans-3xs text-base">{v.cvssSeverity}{v.cvssScore !== null ? ` (${v.cvssScore})` : ''}</div>}</th>
                  <td data-label="What it is">{v.title ?? v.description ?? '—'}{v.kev?.requiredAction && <div className="font-sans-3xs text-base">To do: {v.kev.requiredAction}</div>}</td>
                  <td data-label="Affects">{v.products.slice(0, 3).join('; ') || '—'}{v.products.length > 3 ? ` and ${v.products.length - 3} more` : ''}</td>
                  <td data-label="Exploited">{v.kev ? <><span className="usa-tag bg-secondary-dark">Yes</span> since {day(v.kev.dateAdded)}{v.kev.ransomware === 'Known' ? ' · ransomware' : ''}</> : 'Not known'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>{offset + 1}–{offset + page.items.length} of {page.total.toLocaleString('en-US')}</p>
          <div className="usa-button-group">
            {offset > 0 && <button type="button" className="usa-button usa-button--outline" onClick={() => { const o = Math.max(0, offset - PAGE); setOffset(o); load(q, kevOnly, o); }}>Previous</button>}
            {offset + PAGE < page.total && <button type="button" className="usa-button usa-button--outline" onClick={() => { const o = offset + PAGE; setOffset(o); load(q, kevOnly, o); }}>Next</button>}
          </div>
        </>
      )}
    </>
  );
}
