// Threat intelligence: search indicators and other STIX objects (defanged input such as hxxp://evil[.]com is
// understood), see how much to trust each today, import lists (CSV, MISP, STIX bundles) with progress, and
// export what you may see.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, qs } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { usePagedList } from '../paged-list.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { ConfidenceMeter } from '../components/advisory-badges.js';
import { typeWords, uploadWithProgress, type Collection, type ImportResult, type ObjectSummary } from '../intel-api.js';

const TYPES: Array<[string, string]> = [
  ['indicator', 'Indicators'], ['', 'Everything'], ['malware', 'Malware'], ['tool', 'Tools'], ['threat-actor', 'Threat actors'], ['intrusion-set', 'Intrusion sets'],
  ['attack-pattern', 'Attack patterns'], ['course-of-action', 'Mitigations'], ['campaign', 'Campaigns'], ['report', 'Reports'], ['vulnerability', 'Vulnerabilities'],
];
const STATE_WORDS = { active: 'Active', 'not-yet-valid': 'Not yet valid', expired: 'Expired', revoked: 'Revoked' } as const;

export function IntelPage() {
  const { me } = useSession();
  // The search is in the page's address (kind, words, revoked and deprecated or not): a link, a bookmark or the
  // Back button brings the same list back.
  const params = new URLSearchParams(location.search);
  const asked = params.get('type') === 'all' ? '' : params.get('type');
  const [type, setType] = useState(TYPES.some(([v]) => v === asked) ? asked! : 'indicator');
  const [q, setQ] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(params.get('q') ?? '');
  const [includeRevoked, setIncludeRevoked] = useState(params.get('includeRevoked') === 'true');
  useEffect(() => {
    const address = `${location.pathname}${qs({ type: type === 'indicator' ? undefined : type || 'all', q: query || undefined, includeRevoked: includeRevoked || undefined })}`;
    if (address !== `${location.pathname}${location.search}`) history.replaceState(history.state, '', address);
  }, [type, query, includeRevoked]);
  // One box for what its producer has retired: revoked, or deprecated (ATT&CK techniques it no longer keeps up).
  const retired = includeRevoked ? { includeRevoked: true, includeDeprecated: true } : {};
  const url = useCallback((cursor?: string) => `/api/v1/intel/objects${qs({ type, q: query, ...retired, limit: 50, cursor })}`, [type, query, includeRevoked]);
  const { items, next, error, load, more } = usePagedList<ObjectSummary>(url);
  // An indicator's state and confidence: columns only where the list has indicators (ATT&CK objects have neither).
  const lifecycle = !!items?.some((o) => o.type === 'indicator');
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };
  // The downloads hold what the list shows: the same kind, search, and revoked and deprecated objects or not.
  const exportUrl = (format: 'stix' | 'csv') => `/api/v1/intel/export${qs({ format, type: type || undefined, q: query || undefined, ...retired })}`;
  return (
    <>
      <div className="display-flex flex-justify flex-align-center flex-wrap">
        <h1 className="margin-y-1">Threat intelligence</h1>
        <div>
          <Link to="/advisories" className="usa-button usa-button--outline">Advisories</Link>
          <Link to="/intel/vulnerabilities" className="usa-button usa-button--outline">Vulnerabilities</Link>
          {me!.user.systemAdmin && <Link to="/intel/feeds" className="usa-button usa-button--outline">Collections and feeds</Link>}
        </div>
      </div>
      <p className="usa-intro margin-top-0">Indicators and reports shared with your office. Paste what you have: a domain, an address, a URL or a file hash — even written safely, like <code>hxxp://evil[.]example</code> — or an ATT&amp;CK id such as <code>T1566</code>.</p>
      <form className="usa-search margin-y-2" role="search" onSubmit={search}>
        <label className="usa-sr-only" htmlFor="intel-search">Search indicators</label>
        <input className="usa-input" id="intel-search" type="search" placeholder="Domain, address, URL, hash, name or ATT&amp;CK id" value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="usa-button" type="submit"><span className="usa-search__submit-text">Search</span></button>
      </form>
      <div className="grid-row grid-gap-2 flex-align-end">
        <div className="grid-col-12 tablet:grid-col-4">
          <label className="usa-label margin-top-0" htmlFor="intel-type">Show</label>
          <select className="usa-select" id="intel-type" value={type} onChange={(e) => setType(e.target.value)}>
            {TYPES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </div>
        <div className="grid-col-12 tablet:grid-col-4">
          <div className="usa-checkbox">
            <input className="usa-checkbox__input" id="intel-revoked" type="checkbox" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
            <label className="usa-checkbox__label" htmlFor="intel-revoked">Include revoked and deprecated</label>
          </div>
        </div>
        <div className="grid-col-12 tablet:grid-col-4">
          <ul className="usa-button-group flex-justify-end">
            <li className="usa-button-group__item"><a className="usa-button usa-button--outline" href={exportUrl('stix')} download>Download STIX</a></li>
            <li className="usa-button-group__item"><a className="usa-button usa-button--outline" href={exportUrl('csv')} download>Download CSV</a></li>
          </ul>
        </div>
      </div>
      <ErrorAlert error={error} />
      {!items ? <Loading what="indicators" /> : items.length === 0 ? <p>Nothing shared with you matches{query ? ` “${query}”` : ''}.</p> : (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">STIX objects</caption>
          <thead><tr><th scope="col">What</th><th scope="col">Label</th>{lifecycle && <><th scope="col">State</th><th scope="col">Confidence today</th></>}<th scope="col">Added</th></tr></thead>
          <tbody>
            {items.map((o) => (
              <tr key={`${o.stixId}-${o.collectionId}`}>
                <th scope="row" data-label="What">
                  <Link to={`/intel/objects/${o.stixId}`}>{o.type === 'indicator' && o.pattern ? <code className="font-mono-2xs">{o.pattern}</code> : o.name ?? o.stixId}</Link>
                  {o.type === 'indicator' && o.name && <div className="font-sans-3xs text-base">{o.name}</div>}
                  {o.type !== 'indicator' && <div className="font-sans-3xs text-base">{typeWords(o.type)}{o.attackId ? ` · ${o.attackId}` : ''}{o.deprecated ? ' · deprecated by its producer' : ''}</div>}
                </th>
                <td data-label="Label"><TlpBadge tlp={o.tlp} /></td>
                {lifecycle && <>
                  <td data-label="State">{o.state ? <span className={`usa-tag ${o.state === 'active' ? 'bg-green' : 'bg-base'}`}>{STATE_WORDS[o.state]}</span> : '—'}</td>
                  <td data-label="Confidence today"><ConfidenceMeter current={o.currentConfidence} original={o.confidence} /></td>
                </>}
                <td data-label="Added" className="text-no-wrap">{new Date(o.dateAdded).toLocaleDateString('en-US', { dateStyle: 'medium' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <button type="button" className="usa-button usa-button--outline" onClick={() => void more()}>Show more</button>}
      {me!.user.role !== 'viewer' && <ImportPanel onDone={() => void load()} />}
    </>
  );
}

const FORMATS = {
  csv: { label: 'CSV list (type, value, description, valid_until)', accept: '.csv,text/csv', contentType: 'text/csv', path: 'csv' },
  misp: { label: 'MISP event (JSON)', accept: '.json,application/json', contentType: 'application/json', path: 'misp' },
  stix: { label: 'STIX 2.1 bundle (JSON)', accept: '.json,application/json', contentType: 'application/stix+json', path: 'bundle' },
} as const;

/** Imports into a collection the office may write, with an upload progress bar and the problems per line. */
function ImportPanel({ onDone }: { onDone: () => void }) {
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [collection, setCollection] = useState('');
  const [format, setFormat] = useState<keyof typeof FORMATS>('csv');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => void get<{ items: Collection[] }>('/api/v1/taxii/collections').then((r) => {
    const writable = r.items.filter((c) => c.canWrite);
    setCollections(writable);
    setCollection(writable[0]?.id ?? '');
  }, setError), []);
  if (!collections || collections.length === 0) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const f = FORMATS[format];
      setResult(await uploadWithProgress(`/api/v1/intel/collections/${collection}/${f.path}`, file, f.contentType, setProgress));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  const problems = result ? [...(result.problems ?? []), ...(result.failures ?? []).map((f) => ({ where: f.id, message: f.message ?? 'refused' }))] : [];
  return (
    <section className="margin-top-5 border-top border-base-lighter padding-top-2" aria-labelledby="import">
      <h2 id="import">Import indicators</h2>
      <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
        <label className="usa-label" htmlFor="import-collection">Into the collection</label>
        <select className="usa-select" id="import-collection" value={collection} onChange={(e) => setCollection(e.target.value)}>
          {collections.map((c) => <option key={c.id} value={c.id}>{c.title} (unmarked: TLP:{c.defaultTlp})</option>)}
        </select>
        <label className="usa-label" htmlFor="import-format">File type</label>
        <select className="usa-select" id="import-format" value={format} onChange={(e) => setFormat(e.target.value as keyof typeof FORMATS)}>
          {Object.entries(FORMATS).map(([k, f]) => <option key={k} value={k}>{f.label}</option>)}
        </select>
        <label className="usa-label" htmlFor="import-file">File</label>
        <input className="usa-file-input" id="import-file" type="file" accept={FORMATS[format].accept} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {progress !== null && (
          <div className="margin-top-2">
            <label htmlFor="import-progress" className="usa-label">{progress < 1 ? 'Uploading' : 'Checking and storing'}</label>
            <progress id="import-progress" className="width-full" max={1} value={progress < 1 ? progress : undefined} />
          </div>
        )}
        <button className="usa-button margin-top-2" type="submit" disabled={!file || progress !== null}>Import</button>
      </form>
      <ErrorAlert error={error} heading="The file was not imported" />
      {result && (
        <>
          <SuccessAlert>{result.stored.toLocaleString('en-US')} stored{result.refused ? `, ${result.refused.toLocaleString('en-US')} refused (below)` : ''}.</SuccessAlert>
          {problems.length > 0 && (
            <table className="usa-table usa-table--compact usa-table--borderless">
              <caption>What was refused, and why</caption>
              <thead><tr><th scope="col">Where</th><th scope="col">Problem</th></tr></thead>
              <tbody>{problems.slice(0, 200).map((p, i) => <tr key={i}><td>{p.where}</td><td>{p.message}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
