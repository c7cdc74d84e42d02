// Write or edit an advisory draft: what is happening, what to do now, what it affects, how severe, who may
// see it, and the indicators it is about. Saved as a draft; sent for review by another analyst.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, put, qs, type Page, type Tlp } from '../api.js';
import { navigate } from '../router.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { TlpPicker } from '../components/tlp.js';
import { OrgPicker, UserPicker } from '../components/recipients.js';
import { loadTaxonomy, type Taxonomy } from '../incidents-api.js';
import { SEVERITY_LABELS, type Advisory, type ObjectSummary, type Severity } from '../intel-api.js';

export function AdvisoryEditPage({ id }: { id?: string }) {
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [loaded, setLoaded] = useState(!id);
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  const [actions, setActions] = useState('');
  const [components, setComponents] = useState<Set<string>>(new Set());
  const [severity, setSeverity] = useState<Severity>('medium');
  const [tlp, setTlp] = useState<Tlp>('GREEN');
  const [orgs, setOrgs] = useState<Map<string, string>>(new Map());
  const [people, setPeople] = useState<Map<string, string>>(new Map());
  const [linked, setLinked] = useState<Map<string, string>>(new Map());
  const [cves, setCves] = useState('');
  const [find, setFind] = useState('');
  const [found, setFound] = useState<ObjectSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => void loadTaxonomy().then(setTax, setError), []);
  useEffect(() => {
    if (!id) return;
    get<Advisory>(`/api/v1/advisories/${id}`).then((a) => {
      setTitle(a.title);
      setSummary(a.summary);
      setActions(a.actions);
      setComponents(new Set(a.components));
      setSeverity(a.severity);
      setTlp(a.tlp);
      setOrgs(new Map(a.recipients.orgs.map((o) => [o.id, o.name])));
      setPeople(new Map(a.recipients.people.map((p) => [p.id, p.name])));
      setLinked(new Map(a.indicators.map((i) => [i.stixId, i.name ?? i.pattern ?? i.stixId])));
      setCves(a.cves.map((c) => c.cveId).join(', '));
      setLoaded(true);
    }, setError);
  }, [id]);

  const search = async () => {
    if (!find.trim()) return;
    const p = await get<Page<ObjectSummary>>(`/api/v1/intel/objects${qs({ q: find.trim(), limit: 10 })}`).catch((e: unknown) => { setError(e); return null; });
    setFound(p?.items ?? []);
  };
  const needsOrgs = tlp === 'AMBER' || tlp === 'AMBER+STRICT';
  const save = async (e: FormEvent, submit: boolean) => {
    e.preventDefault();
    setError(null);
    if (tlp === 'RED' && people.size === 0) {
      setError(new ApiError(400, 'validation-failed', 'Pick at least one person', 'A RED advisory goes only to the people you name. Pick them, and another analyst of your organisation to review it.'));
      return;
    }
    setBusy(true);
    try {
      const body = {
        title, summary, actions, components: [...components], severity, tlp,
        ...(tlp === 'RED' ? { recipients: { orgs: [], users: [...people.keys()] } } : needsOrgs && orgs.size === 0 ? {} : { recipients: { orgs: [...orgs.keys()], users: [] } }),
        stixRefs: [...linked.keys()],
        cves: cves.split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean),
      };
      const a = id ? await put<Advisory>(`/api/v1/advisories/${id}`, body) : await post<Advisory>('/api/v1/advisories', body);
      if (submit) await post(`/api/v1/advisories/${a.id}/submit`);
      navigate(`/advisories/${a.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!loaded || !tax) return <><ErrorAlert error={error} /><Loading what="the advisory" /></>;
  return (
    <form className="usa-form usa-form--large maxw-tablet-lg" onSubmit={(e) => void save(e, false)}>
      <h1>{id ? 'Edit the advisory' : 'Write an advisory'}</h1>
      <p className="usa-hint">It is saved as a draft that only your organisation sees. Another analyst of your organisation reviews it before it goes out.</p>
      <ErrorAlert error={error} heading="The advisory was not saved" />
      <label className="usa-label" htmlFor="a-title">Title</label>
      <input className="usa-input" id="a-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend">How severe</legend>
        <div className="display-flex flex-wrap">
          {(Object.keys(SEVERITY_LABELS) as Severity[]).map((s) => (
            <div className="usa-radio margin-right-3" key={s}>
              <input className="usa-radio__input" id={`sev-${s}`} type="radio" name="severity" checked={severity === s} onChange={() => setSeverity(s)} />
              <label className="usa-radio__label" htmlFor={`sev-${s}`}>{SEVERITY_LABELS[s]}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <label className="usa-label" htmlFor="a-summary">What is happening</label>
      <span className="usa-hint" id="a-summary-hint">In plain words: who is targeted, how, since when. Markdown works.</span>
      <textarea className="usa-textarea" id="a-summary" rows={6} required aria-describedby="a-summary-hint" value={summary} onChange={(e) => setSummary(e.target.value)} />
      <label className="usa-label" htmlFor="a-actions">What to do now</label>
      <span className="usa-hint" id="a-actions-hint">Steps an election office can take today, most important first.</span>
      <textarea className="usa-textarea" id="a-actions" rows={6} required aria-describedby="a-actions-hint" value={actions} onChange={(e) => setActions(e.target.value)} />
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend">What it affects</legend>
        <div className="grid-row">
          {tax.components.map((c) => (
            <div className="usa-checkbox grid-col-12 tablet:grid-col-6" key={c.id}>
              <input className="usa-checkbox__input" id={`comp-${c.id}`} type="checkbox" checked={components.has(c.id)} onChange={(e) => { const n = new Set(components); if (e.target.checked) n.add(c.id); else n.delete(c.id); setComponents(n); }} />
              <label className="usa-checkbox__label" htmlFor={`comp-${c.id}`}>{c.label}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <label className="usa-label" htmlFor="a-cves">Vulnerabilities (CVE ids)</label>
      <span className="usa-hint" id="a-cves-hint">For example CVE-2024-3400, separated by commas. Each reader sees which of its own systems they touch.</span>
      <input className="usa-input" id="a-cves" aria-describedby="a-cves-hint" maxLength={2000} value={cves} onChange={(e) => setCves(e.target.value)} />
      <div className="margin-top-3"><TlpPicker value={tlp} onChange={setTlp} /></div>
      {tlp === 'RED' ? (
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">People</legend>
          <p className="usa-hint">Only the people you name can read it, reviewers included: name another analyst of your organisation to review it.</p>
          <UserPicker picked={people} onChange={setPeople} />
        </fieldset>
      ) : (
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">{needsOrgs ? 'Recipients' : 'Addressed to'}</legend>
          <p className="usa-hint">{needsOrgs ? 'If you pick no one, it goes to your state and the operations center.' : 'They are told first. With this label every member may read it and hears of it too.'}</p>
          <OrgPicker picked={orgs} onChange={setOrgs} />
        </fieldset>
      )}
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend usa-legend--large">Indicators</legend>
        <p className="usa-hint">Link the indicators this advisory is about. Readers see those they are allowed to see.</p>
        <label className="usa-label" htmlFor="find-indicator">Find an indicator</label>
        <div className="display-flex flex-align-end">
          <input className="usa-input margin-right-1" id="find-indicator" type="search" placeholder="Domain, address, URL, hash (hxxp://… is fine)" value={find} onChange={(e) => setFind(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void search(); } }} />
          <button className="usa-button usa-button--outline" type="button" onClick={() => void search()}>Find</button>
        </div>
        {found && (found.length === 0 ? <p>No indicators match.</p> : (
          <ul className="usa-list usa-list--unstyled margin-top-1">
            {found.map((o) => (
              <li key={o.stixId} className="margin-bottom-05">
                <button type="button" className="usa-button usa-button--unstyled" disabled={linked.has(o.stixId)} onClick={() => setLinked(new Map(linked).set(o.stixId, o.name ?? o.pattern ?? o.stixId))}>
                  {linked.has(o.stixId) ? 'Linked' : 'Link'}
                </button>{' '}
                <code className="font-mono-2xs">{o.pattern ?? o.name}</code>
              </li>
            ))}
          </ul>
        ))}
        {linked.size > 0 && (
          <ul className="usa-list margin-top-1">
            {[...linked].map(([sid, label]) => (
              <li key={sid}>
                <code className="font-mono-2xs">{label}</code>{' '}
                <button type="button" className="usa-button usa-button--unstyled" onClick={() => { const n = new Map(linked); n.delete(sid); setLinked(n); }}>Remove<span className="usa-sr-only"> {label}</span></button>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <div className="usa-button-group margin-top-3">
        <button className="usa-button usa-button--outline" type="submit" disabled={busy}>Save draft</button>
        <button className="usa-button" type="button" disabled={busy} onClick={(e) => void save(e as unknown as FormEvent, true)}>{busy ? 'Saving…' : 'Save and send for review'}</button>
      </div>
    </form>
  );
}
