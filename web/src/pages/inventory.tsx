// The office's election systems: what it runs, where it is reachable, who made it, when support ends. Added
// one by one or from a spreadsheet (CSV, with a report of every row it refused); equipment near or past its
// end of support shown per state as a chart, because replacing it needs a budget long before it fails.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, post } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { uploadWithProgress } from '../intel-api.js';

interface Asset {
  readonly id: string;
  readonly name: string;
  readonly component: string;
  readonly hostnames: string[];
  readonly ipRanges: string[];
  readonly domains: string[];
  readonly vendor: string | null;
  readonly product: string | null;
  readonly version: string | null;
  readonly endOfSupport: string | null;
  readonly connectivity: string;
}
interface Option { readonly id: string; readonly label: string }
interface Taxonomy { readonly components: Option[]; readonly connectivity: Option[]; readonly certification: Option[]; readonly nearEndOfSupportDays: number }
interface StateRow { readonly stateCode: string | null; readonly stateName: string; readonly past: number; readonly near: number; readonly ok: number; readonly unknown: number }
interface Eos { readonly nearDays: number; readonly byState: StateRow[]; readonly attention: Array<{ id: string; name: string; orgName: string; component: string; endOfSupport: string }> }
interface ImportReport { readonly rows: number; readonly created: number; readonly updated: number; readonly skipped: Array<{ line: number; reason: string }>; readonly problems: Array<{ line: number; field?: string; message: string }> }

function supportTag(day: string | null, nearDays: number) {
  if (!day) return <span className="text-base">Unknown</span>;
  const days = (Date.parse(`${day}T00:00:00Z`) - Date.now()) / 86_400_000;
  if (days < 0) return <span className="usa-tag bg-secondary-dark">Past: {day}</span>;
  if (days < nearDays) return <span className="usa-tag bg-accent-warm-dark">Soon: {day}</span>;
  return <span>{day}</span>;
}

export function InventoryPage() {
  const { me } = useSession();
  const orgId = me!.org.id;
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [items, setItems] = useState<Asset[] | null>(null);
  const [eos, setEos] = useState<Eos | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const load = useCallback(async () => {
    try {
      setItems((await get<{ items: Asset[] }>(`/api/v1/orgs/${orgId}/assets`)).items);
      setEos(await get<Eos>('/api/v1/assets/end-of-support'));
    } catch (err) {
      setError(err);
    }
  }, [orgId]);
  useEffect(() => {
    void get<Taxonomy>('/api/v1/assets/taxonomy').then(setTax, setError);
    void load();
  }, [load]);
  const label = (list: Option[] | undefined, id: string) => list?.find((o) => o.id === id)?.label ?? id;
  const canEdit = me!.user.role !== 'viewer';
  if (!items || !tax) return <><ErrorAlert error={error} /><Loading what="your systems" /></>;
  return (
    <>
      <div className="display-flex flex-justify flex-align-center flex-wrap">
        <h1 className="margin-y-1">Election systems</h1>
        <div>
          <Link to="/inventory/alerts" className="usa-button usa-button--outline">Threats to our systems</Link>
          <Link to="/logs" className="usa-button usa-button--outline">Check our logs</Link>
          <a className="usa-button usa-button--outline" href={`/api/v1/orgs/${orgId}/assets/export`} download>Download CSV</a>
        </div>
      </div>
      <p className="usa-intro margin-top-0">What {me!.org.name} runs. When a threat shared here touches one of these systems, your office is told at once, and no one else. Your state's analysts can read this list.</p>
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <ErrorAlert error={error} />
      {items.length === 0 ? <p>No systems yet. Add them below, or import your spreadsheet.</p> : (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">Your election systems</caption>
          <thead><tr><th scope="col">System</th><th scope="col">Reachable at</th><th scope="col">Make and version</th><th scope="col">Connection</th><th scope="col">End of support</th></tr></thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <th scope="row" data-label="System">{a.name}<div className="font-sans-3xs text-base">{label(tax.components, a.component)}</div></th>
                <td data-label="Reachable at" className="font-mono-3xs">{[...a.ipRanges, ...a.domains, ...a.hostnames].join(', ') || '—'}</td>
                <td data-label="Make and version">{[a.vendor, a.product, a.version].filter(Boolean).join(' ') || '—'}</td>
                <td data-label="Connection">{label(tax.connectivity, a.connectivity)}</td>
                <td data-label="End of support">{supportTag(a.endOfSupport, tax.nearEndOfSupportDays)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && <AddSystem tax={tax} orgId={orgId} onDone={(n) => { setDone(`Added ${n}.`); void load(); }} />}
      {canEdit && <ImportSystems orgId={orgId} onDone={() => void load()} />}
      {eos && <SupportChart eos={eos} />}
    </>
  );
}

function AddSystem({ tax, orgId, onDone }: { tax: Taxonomy; orgId: string; onDone: (name: string) => void }) {
  const [name, setName] = useState('');
  const [component, setComponent] = useState(tax.components[0]!.id);
  const [connectivity, setConnectivity] = useState(tax.connectivity[0]!.id);
  const [where, setWhere] = useState('');
  const [vendor, setVendor] = useState('');
  const [product, setProduct] = useState('');
  const [version, setVersion] = useState('');
  const [endOfSupport, setEndOfSupport] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const parts = where.split(/[\s,;]+/).filter(Boolean);
    const isRange = (p: string) => /^[\d.]+(\/\d+)?$/.test(p) || p.includes(':');
    try {
      await post(`/api/v1/orgs/${orgId}/assets`, { name, component, connectivity, ipRanges: parts.filter(isRange), domains: parts.filter((p) => !isRange(p)), vendor: vendor || null, product: product || null, version: version || null, endOfSupport: endOfSupport || null });
      onDone(name);
      setName('');
      setWhere('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="margin-top-3">
      <summary className="usa-button usa-button--outline">Add a system</summary>
      <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
        <ErrorAlert error={error} heading="The system was not added" />
        <label className="usa-label" htmlFor="a-name">Name</label>
        <input className="usa-input" id="a-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        <label className="usa-label" htmlFor="a-component">What it is</label>
        <select className="usa-select" id="a-component" value={component} onChange={(e) => setComponent(e.target.value)}>{tax.components.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}</select>
        <label className="usa-label" htmlFor="a-connectivity">How it connects</label>
        <select className="usa-select" id="a-connectivity" value={connectivity} onChange={(e) => setConnectivity(e.target.value)}>{tax.connectivity.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}</select>
        <label className="usa-label" htmlFor="a-where">Addresses, networks and domains</label>
        <span className="usa-hint" id="a-where-hint">Separated by spaces or commas, e.g. 198.51.100.0/24 results.county.gov</span>
        <input className="usa-input" id="a-where" aria-describedby="a-where-hint" value={where} onChange={(e) => setWhere(e.target.value)} />
        <label className="usa-label" htmlFor="a-vendor">Vendor</label>
        <input className="usa-input" id="a-vendor" value={vendor} onChange={(e) => setVendor(e.target.value)} />
        <label className="usa-label" htmlFor="a-product">Product</label>
        <input className="usa-input" id="a-product" value={product} onChange={(e) => setProduct(e.target.value)} />
        <label className="usa-label" htmlFor="a-version">Version</label>
        <input className="usa-input" id="a-version" value={version} onChange={(e) => setVersion(e.target.value)} />
        <label className="usa-label" htmlFor="a-eos">End of support</label>
        <input className="usa-input" id="a-eos" type="date" value={endOfSupport} onChange={(e) => setEndOfSupport(e.target.value)} />
        <button className="usa-button margin-top-2" type="submit">Add</button>
      </form>
    </details>
  );
}

function ImportSystems({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      setReport((await uploadWithProgress(`/api/v1/orgs/${orgId}/assets/import`, file, 'text/csv', setProgress)) as unknown as ImportReport);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <details className="margin-top-2">
      <summary className="usa-button usa-button--outline">Import a spreadsheet (CSV)</summary>
      <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
        <p className="usa-hint">The columns of the download: name, component, hostnames, ip_ranges, domains, vendor, product, version, certification, acquired_on, end_of_support, connectivity, notes. A row with the name of a system you have updates it.</p>
        <label className="usa-label" htmlFor="inv-file">CSV file</label>
        <input className="usa-file-input" id="inv-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {progress !== null && <><label className="usa-label" htmlFor="inv-progress">Uploading</label><progress id="inv-progress" className="width-full" max={1} value={progress} /></>}
        <button className="usa-button margin-top-2" type="submit" disabled={!file || progress !== null}>Import</button>
      </form>
      <ErrorAlert error={error} heading="The file was not imported" />
      {report && (
        <>
          <SuccessAlert>{report.created} added, {report.updated} updated{report.problems.length ? `; ${new Set(report.problems.map((p) => p.line)).size} rows refused (below)` : ''}{report.skipped.length ? `; ${report.skipped.length} totals rows skipped` : ''}.</SuccessAlert>
          {report.problems.length > 0 && (
            <table className="usa-table usa-table--compact usa-table--borderless">
              <caption>Rows refused</caption>
              <thead><tr><th scope="col">Line</th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead>
              <tbody>{report.problems.slice(0, 200).map((p, i) => <tr key={i}><td>{p.line}</td><td>{p.field ?? ''}</td><td>{p.message}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </details>
  );
}

/** Past / within the planning window / later, per state, as stacked bars with the numbers written out. */
function SupportChart({ eos }: { eos: Eos }) {
  const rows = eos.byState.filter((s) => s.past + s.near + s.ok + s.unknown > 0);
  const max = Math.max(1, ...rows.map((s) => s.past + s.near + s.ok + s.unknown));
  const months = Math.round(eos.nearDays / 30);
  return (
    <section className="margin-top-5" aria-labelledby="eos">
      <h2 id="eos">Equipment nearing end of support</h2>
      <p>Voting and registration equipment past its end of support, within {months} months of it, or later, by state. A replacement needs a budget request a year or more ahead.</p>
      {eos.attention.length > 0 && (
        <ul className="usa-list">{eos.attention.slice(0, 20).map((a) => <li key={a.id}>{a.orgName}: {a.name} — {a.endOfSupport}</li>)}</ul>
      )}
      {rows.length === 0 ? <p>No equipment with an end-of-support date yet.</p> : (
        <dl className="eoc-bars eoc-bars--stacked">
          {rows.map((s) => (
            <div className="eoc-bars__row" key={s.stateName}>
              <dt>{s.stateName}</dt>
              <dd>
                <span className="eoc-stack" aria-hidden="true" style={{ width: `${(100 * (s.past + s.near + s.ok + s.unknown)) / max}%` }}>
                  <span className="eoc-stack__past" style={{ flexGrow: s.past }} />
                  <span className="eoc-stack__near" style={{ flexGrow: s.near }} />
                  <span className="eoc-stack__ok" style={{ flexGrow: s.ok }} />
                  <span className="eoc-stack__unknown" style={{ flexGrow: s.unknown }} />
                </span>
                <span>{s.past} past, {s.near} within {months} months, {s.ok} later{s.unknown ? `, ${s.unknown} unknown` : ''}</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
