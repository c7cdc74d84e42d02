// Advisories: what the community was told to watch for and do. Published advisories addressed to the reader
// (severity, who wrote it, whether the office has responded yet), and the office's own drafts for analysts.
import { useCallback, useState, type FormEvent } from 'react';
import { qs } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { usePagedList } from '../paged-list.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { AdvisorySeverity, AdvisoryStatusTag } from '../components/advisory-badges.js';
import { RESPONSE_WORDS, SEVERITY_LABELS, shortDate, type AdvisorySummary, type Severity } from '../intel-api.js';

export function AdvisoriesPage() {
  const { me } = useSession();
  const analyst = me!.user.role === 'analyst' || me!.user.role === 'org-admin';
  const [tab, setTab] = useState<'published' | 'drafts'>('published');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [announce, setAnnounce] = useState('');
  const url = useCallback((cursor?: string) => `/api/v1/advisories${qs({ status: tab === 'drafts' ? 'drafts' : undefined, severity, q: query, limit: 30, cursor })}`, [tab, severity, query]);
  const { items, next, error, load, more } = usePagedList<AdvisorySummary>(url);
  useLiveEvents(['advisory.published', 'advisory.withdrawn'], (e) => {
    if (e.type === 'advisory.published') setAnnounce(`New advisory: ${String(e.data.title ?? '')}`);
    void load();
  });
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };
  const open = items?.filter((i) => i.status === 'published' && i.ownerOrg !== me!.org.id && i.myResponses.length === 0).length ?? 0;

  return (
    <>
      <div className="display-flex flex-justify flex-align-center flex-wrap">
        <h1 className="margin-y-1">Advisories</h1>
        {analyst && <Link to="/advisories/new" className="usa-button">Write an advisory</Link>}
      </div>
      <div className="usa-sr-only" aria-live="polite">{announce}</div>
      <p className="usa-intro margin-top-0">What to watch for and what to do, from the operations center, states and partners.{tab === 'published' && open > 0 ? ` ${open} on this page ${open === 1 ? 'waits' : 'wait'} for your office's response.` : ''}</p>
      {analyst && (
        <div className="usa-button-group margin-bottom-2" role="group" aria-label="Which advisories">
          <button type="button" className={`usa-button ${tab === 'published' ? '' : 'usa-button--outline'}`} aria-pressed={tab === 'published'} onClick={() => setTab('published')}>Published</button>
          <button type="button" className={`usa-button ${tab === 'drafts' ? '' : 'usa-button--outline'}`} aria-pressed={tab === 'drafts'} onClick={() => setTab('drafts')}>Drafts and reviews</button>
        </div>
      )}
      <div className="grid-row grid-gap-2">
        <form className="usa-search usa-search--small grid-col-12 tablet:grid-col-8" role="search" onSubmit={search}>
          <label className="usa-sr-only" htmlFor="advisory-search">Search advisories</label>
          <input className="usa-input" id="advisory-search" type="search" placeholder="Search titles and summaries" value={q} onChange={(e) => setQ(e.target.value)} />
          <button className="usa-button" type="submit"><span className="usa-search__submit-text">Search</span></button>
        </form>
        <div className="grid-col-12 tablet:grid-col-4">
          <label className="usa-sr-only" htmlFor="f-severity">Severity</label>
          <select className="usa-select margin-top-0" id="f-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity | '')}>
            <option value="">Any severity</option>
            {(Object.keys(SEVERITY_LABELS) as Severity[]).map((s) => <option key={s} value={s}>{SEVERITY_LABELS[s]}</option>)}
          </select>
        </div>
      </div>
      <ErrorAlert error={error} />
      {!items ? (
        <Loading what="advisories" />
      ) : items.length === 0 ? (
        <p>{tab === 'drafts' ? 'Your office has no drafts waiting.' : 'No advisories match.'}</p>
      ) : (
        <ul className="usa-card-group eoc-advisory-list">
          {items.map((a) => (
            <li key={a.id} className="usa-card tablet:grid-col-12">
              <div className={`usa-card__container eoc-advisory eoc-advisory--${a.severity}`}>
                <div className="usa-card__header">
                  <h2 className="usa-card__heading font-sans-md">
                    <Link to={`/advisories/${a.id}`}>{a.title}</Link>
                  </h2>
                  <p className="margin-y-05 font-sans-2xs">
                    <AdvisorySeverity severity={a.severity} /> <TlpBadge tlp={a.tlp} />
                    <AdvisoryStatusTag status={a.status} /> <span className="text-base">{a.ownerName} · {shortDate(a.publishedAt ?? a.updatedAt)}</span>
                  </p>
                </div>
                <div className="usa-card__body">
                  <p className="margin-top-0">{a.excerpt}</p>
                  {a.status === 'published' && a.ownerOrg !== me!.org.id && (
                    <p className="font-sans-2xs margin-bottom-0">
                      {a.myResponses.length ? <>Your office: {a.myResponses.map((k) => RESPONSE_WORDS[k]).join(', ')}</> : <strong>Your office has not responded yet.</strong>}
                    </p>
                  )}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {next && <button type="button" className="usa-button usa-button--outline" onClick={() => void more()}>Show more</button>}
    </>
  );
}
