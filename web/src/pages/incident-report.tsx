// Report an incident in a minute: what happened, where, when, how bad, who may see it. The draft is kept in
// this browser as it is typed, so a lost connection or a closed tab loses nothing; errors appear next to
// the field they are about.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, get, post, qs, type Org, type Page, type Tlp } from '../api.js';
import { navigate } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, WarningAlert } from '../components/alerts.js';
import { TlpPicker } from '../components/tlp.js';
import { OrgPicker } from '../components/recipients.js';
import { csrfHeaders } from '../uploads.js';
import { loadTaxonomy, type Incident, type Taxonomy } from '../incidents-api.js';

interface Draft {
  title: string;
  description: string;
  category: string;
  component: string;
  occurredAt: string;
  symptom: string;
  jurisdiction: string;
  location: string;
  address: string;
  votingAffected: boolean;
  countingAffected: boolean;
  tlp: Tlp;
  hotline: boolean;
  callerName: string;
  callerContact: string;
}

const DRAFT_KEY = 'eoc.incident-draft';

function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function emptyDraft(orgId: string): Draft {
  return { title: '', description: '', category: '', component: '', occurredAt: localNow(), symptom: 'degraded', jurisdiction: orgId, location: '', address: '', votingAffected: false, countingAffected: false, tlp: 'AMBER', hotline: false, callerName: '', callerContact: '' };
}

function FieldError({ errors, field }: { errors: Record<string, string>; field: string }) {
  const msg = errors[field];
  if (!msg) return null;
  return (
    <span className="usa-error-message" id={`${field}-error`} role="alert">
      {msg}
    </span>
  );
}

export function IncidentReportPage() {
  const { me } = useSession();
  const [tax, setTax] = useState<Taxonomy | null>(null);
  const [draft, setDraft] = useState<Draft>(() => {
    try {
      const saved = localStorage.getItem(DRAFT_KEY);
      if (saved) return { ...emptyDraft(me!.org.id), ...(JSON.parse(saved) as Partial<Draft>) };
    } catch {
      // a broken draft is dropped
    }
    return emptyDraft(me!.org.id);
  });
  const [restored] = useState(() => Boolean(localStorage.getItem(DRAFT_KEY)));
  const [jurisdictions, setJurisdictions] = useState<Org[]>([]);
  const [jurQuery, setJurQuery] = useState('');
  const [recipients, setRecipients] = useState<Map<string, string>>(new Map());
  const [files, setFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const analyst = me!.user.role === 'analyst' || me!.user.role === 'org-admin';
  const center = me!.org.type === 'operations-center';

  useEffect(() => void loadTaxonomy().then(setTax, setError), []);
  // Keep the draft as it is typed.
  useEffect(() => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  }, [draft]);
  // Where it may be reported for: your office and, for a state, its local offices; the center searches all.
  useEffect(() => {
    const own = get<Org>(`/api/v1/orgs/${me!.org.id}`);
    const children = get<Page<Org>>(`/api/v1/orgs${qs({ parentId: me!.org.id, limit: 200 })}`);
    const found = center && jurQuery.length >= 2 ? get<Page<Org>>(`/api/v1/orgs${qs({ q: jurQuery, limit: 30 })}`) : Promise.resolve({ items: [] as Org[], next: null });
    void Promise.all([own, children, found]).then(([o, c, f]) => {
      const all = [o, ...c.items, ...f.items].filter((x) => ['local', 'state', 'territory', 'tribal'].includes(x.type));
      const picked = jurisdictions.find((j) => j.id === draft.jurisdiction);
      const merged = new Map([...(picked ? [picked] : []), ...all].map((x) => [x.id, x]));
      setJurisdictions([...merged.values()]);
    }, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, center, jurQuery]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const described = (field: string, hint?: string) => [hint, errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const categories = useMemo(() => ({ operational: tax?.categories.filter((c) => c.kind === 'operational') ?? [], nefarious: tax?.categories.filter((c) => c.kind === 'nefarious') ?? [] }), [tax]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const local: Record<string, string> = {};
    if (!draft.title.trim()) local.title = 'Give the report a short title.';
    if (!draft.description.trim()) local.description = 'Say what you saw.';
    if (!draft.category) local.category = 'Choose what happened.';
    if (!draft.component) local.component = 'Choose what is affected.';
    if (!draft.occurredAt) local.occurredAt = 'Say when it happened.';
    else if (new Date(draft.occurredAt).getTime() > Date.now() + 5 * 60_000) local.occurredAt = 'This is in the future. Give the time it happened or was noticed.';
    if (draft.symptom === 'observed' && (draft.votingAffected || draft.countingAffected)) local.symptom = '“No effect yet” does not fit “voting or counting affected”. Choose slow or not working.';
    if (!draft.jurisdiction) local.jurisdiction = 'Choose where it happened.';
    if (draft.hotline && !draft.callerName.trim()) local.callerName = 'Who called?';
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = {
        title: draft.title,
        description: draft.description,
        category: draft.category,
        component: draft.component,
        occurredAt: new Date(draft.occurredAt).toISOString(),
        symptom: draft.symptom,
        jurisdiction: draft.jurisdiction,
        ...(draft.location.trim() ? { location: draft.location } : {}),
        ...(draft.address.trim() ? { address: draft.address } : {}),
        votingAffected: draft.votingAffected,
        countingAffected: draft.countingAffected,
        tlp: draft.tlp,
        ...(recipients.size && (draft.tlp === 'AMBER' || draft.tlp === 'AMBER+STRICT') ? { recipients: { orgs: [...recipients.keys()], users: [] } } : {}),
        ...(draft.hotline ? { hotline: { callerName: draft.callerName, ...(draft.callerContact.trim() ? { callerContact: draft.callerContact } : {}) } } : {}),
      };
      const i = await post<Incident>('/api/v1/incidents', body);
      localStorage.removeItem(DRAFT_KEY);
      for (const f of files) {
        const res = await fetch(`/api/v1/incidents/${i.id}/attachments`, { method: 'POST', headers: { ...csrfHeaders(), 'content-type': f.type || 'application/octet-stream', 'x-filename': encodeURIComponent(f.name) }, body: f });
        if (!res.ok) {
          const p = (await res.json().catch(() => ({}))) as { detail?: string };
          navigate(`/incidents/${i.id}?attachmentError=${encodeURIComponent(`“${f.name}” was not attached: ${p.detail ?? res.statusText}`)}`);
          return;
        }
      }
      navigate(`/incidents/${i.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const byField: Record<string, string> = {};
        for (const f of err.fields) {
          const key = (f.field ?? '').replace(/^\/?(body\/)?/, '').split('/')[0] ?? '';
          byField[key === 'recipients' ? 'tlp' : key || 'form'] = f.message;
        }
        setErrors(byField);
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!tax) return error ? <ErrorAlert error={error} /> : <Loading what="the report form" />;
  const cls = (field: string) => `usa-form-group${errors[field] ? ' usa-form-group--error' : ''}`;
  const input = (field: string) => `${errors[field] ? ' usa-input--error' : ''}`;
  return (
    <form className="usa-form usa-form--large maxw-tablet-lg" onSubmit={(e) => void submit(e)} noValidate>
      <h1>Report an incident</h1>
      <p className="usa-intro">Anything that disrupts the election: a flood, a power cut, broken equipment, a mistake, a suspicious email, an attack. Report it even if you are not sure.</p>
      {restored && draft.title && <WarningAlert>Your unsent report was restored from this browser.</WarningAlert>}
      <ErrorAlert error={error} heading="The report was not sent" />
      {center && analyst && (
        <div className="usa-checkbox margin-bottom-2">
          <input className="usa-checkbox__input" id="hotline" type="checkbox" checked={draft.hotline} onChange={(e) => set('hotline', e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="hotline">
            I am logging a hotline call for an office
          </label>
        </div>
      )}
      {draft.hotline && (
        <div className="grid-row grid-gap">
          <div className={`${cls('callerName')} grid-col-12 tablet:grid-col-6`}>
            <label className="usa-label" htmlFor="callerName">Caller’s name</label>
            <FieldError errors={errors} field="callerName" />
            <input className={`usa-input${input('callerName')}`} id="callerName" value={draft.callerName} onChange={(e) => set('callerName', e.target.value)} aria-describedby={described('callerName')} />
          </div>
          <div className="usa-form-group grid-col-12 tablet:grid-col-6">
            <label className="usa-label" htmlFor="callerContact">Phone or email (optional)</label>
            <input className="usa-input" id="callerContact" value={draft.callerContact} onChange={(e) => set('callerContact', e.target.value)} />
          </div>
        </div>
      )}
      <div className={cls('title')}>
        <label className="usa-label" htmlFor="title">Short title</label>
        <span className="usa-hint" id="title-hint">For example: “Power out at Precinct 12” or “Phishing email to poll workers”.</span>
        <FieldError errors={errors} field="title" />
        <input className={`usa-input${input('title')}`} id="title" maxLength={200} value={draft.title} onChange={(e) => set('title', e.target.value)} aria-describedby={described('title', 'title-hint')} />
      </div>
      <div className={cls('category')}>
        <label className="usa-label" htmlFor="category">What happened</label>
        <FieldError errors={errors} field="category" />
        <select className={`usa-select${input('category')}`} id="category" value={draft.category} onChange={(e) => set('category', e.target.value)} aria-describedby={described('category')}>
          <option value="">- Choose -</option>
          <optgroup label="Operational">
            {categories.operational.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
          </optgroup>
          <optgroup label="Possibly deliberate">
            {categories.nefarious.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
          </optgroup>
        </select>
      </div>
      <div className={cls('component')}>
        <label className="usa-label" htmlFor="component">What is affected</label>
        <FieldError errors={errors} field="component" />
        <select className={`usa-select${input('component')}`} id="component" value={draft.component} onChange={(e) => set('component', e.target.value)} aria-describedby={described('component')}>
          <option value="">- Choose -</option>
          {tax.components.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
        </select>
      </div>
      <div className={cls('symptom')}>
        <fieldset className="usa-fieldset">
          <legend className="usa-legend">How bad is it</legend>
          <FieldError errors={errors} field="symptom" />
          {tax.symptoms.map((s) => (
            <div className="usa-radio" key={s.id}>
              <input className="usa-radio__input" id={`symptom-${s.id}`} type="radio" name="symptom" value={s.id} checked={draft.symptom === s.id} onChange={() => set('symptom', s.id)} />
              <label className="usa-radio__label" htmlFor={`symptom-${s.id}`}>{s.label}</label>
            </div>
          ))}
        </fieldset>
        <div className="usa-checkbox margin-top-2">
          <input className="usa-checkbox__input" id="votingAffected" type="checkbox" checked={draft.votingAffected} onChange={(e) => set('votingAffected', e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="votingAffected">Voting is affected right now</label>
        </div>
        <div className="usa-checkbox">
          <input className="usa-checkbox__input" id="countingAffected" type="checkbox" checked={draft.countingAffected} onChange={(e) => set('countingAffected', e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="countingAffected">Counting is affected right now</label>
        </div>
      </div>
      <div className={cls('occurredAt')}>
        <label className="usa-label" htmlFor="occurredAt">When did it happen or when did you notice it</label>
        <FieldError errors={errors} field="occurredAt" />
        <input className={`usa-input${input('occurredAt')}`} id="occurredAt" type="datetime-local" max={localNow()} value={draft.occurredAt} onChange={(e) => set('occurredAt', e.target.value)} aria-describedby={described('occurredAt')} />
      </div>
      <div className={cls('jurisdiction')}>
        <label className="usa-label" htmlFor="jurisdiction">Where (jurisdiction)</label>
        <FieldError errors={errors} field="jurisdiction" />
        {center && (
          <input className="usa-input margin-bottom-1" aria-label="Search jurisdictions by name or FIPS code" placeholder="Search by name or FIPS code" value={jurQuery} onChange={(e) => setJurQuery(e.target.value)} />
        )}
        <select className={`usa-select${input('jurisdiction')}`} id="jurisdiction" value={draft.jurisdiction} onChange={(e) => set('jurisdiction', e.target.value)} aria-describedby={described('jurisdiction')}>
          <option value="">- Choose -</option>
          {jurisdictions.map((j) => <option key={j.id} value={j.id}>{j.name}{j.fips ? ` (${j.fips})` : ''}</option>)}
        </select>
      </div>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="location">Polling place or facility (optional)</label>
        <input className="usa-input" id="location" maxLength={300} value={draft.location} onChange={(e) => set('location', e.target.value)} />
        <label className="usa-label" htmlFor="address">Address (optional)</label>
        <input className="usa-input" id="address" maxLength={300} value={draft.address} onChange={(e) => set('address', e.target.value)} />
      </div>
      <div className={cls('description')}>
        <label className="usa-label" htmlFor="description">What did you see</label>
        <span className="usa-hint" id="description-hint">What happened, what you have done so far, who is affected. Do not paste passwords.</span>
        <FieldError errors={errors} field="description" />
        <textarea className={`usa-textarea${input('description')}`} id="description" rows={6} maxLength={20_000} value={draft.description} onChange={(e) => set('description', e.target.value)} aria-describedby={described('description', 'description-hint')} />
      </div>
      <div className={cls('tlp')}>
        <FieldError errors={errors} field="tlp" />
        <TlpPicker value={draft.tlp} onChange={(t) => set('tlp', t)} allowed={['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT']} />
        {(draft.tlp === 'AMBER' || draft.tlp === 'AMBER+STRICT') && (
          <details className="margin-top-2">
            <summary>Recipients: {recipients.size ? `${recipients.size} chosen` : 'your state and the operations center'}</summary>
            <OrgPicker picked={recipients} onChange={setRecipients} />
          </details>
        )}
      </div>
      <label className="usa-label" htmlFor="files">Files (optional)</label>
      <span className="usa-hint" id="files-hint">Photos, screenshots, the suspicious email (.eml), PDFs — up to {Math.round(tax.attachmentLimitBytes / 1048576)} MB each.</span>
      <input className="usa-file-input" id="files" type="file" multiple aria-describedby="files-hint" accept={tax.attachmentTypes.flatMap((t) => t.extensions.map((x) => `.${x}`)).join(',')} onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      <div className="margin-top-3">
        <button className="usa-button" type="submit" disabled={busy}>{busy ? 'Sending…' : 'Send report'}</button>
        <button className="usa-button usa-button--unstyled margin-left-2" type="button" onClick={() => { localStorage.removeItem(DRAFT_KEY); setDraft(emptyDraft(me!.org.id)); setErrors({}); }}>
          Clear the form
        </button>
      </div>
    </form>
  );
}
