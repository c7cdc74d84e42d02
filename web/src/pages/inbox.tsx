// The inbox: bulletins the policy lets this user read, newest first, with unread state, search, paging and
// live arrival of new ones (announced to screen readers).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, qs, type BulletinSummary, type Page, type Tlp } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { TLP_LEVELS, TlpBadge } from '../components/tlp.js';

type Box = 'all' | 'inbox' | 'sent';

export function InboxPage() {
  const { me } = useSession();
  const [box, setBox] = useState<Box>('all');
  const [tlp, setTlp] = useState<Tlp | ''>('');
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<BulletinSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<unknown>(null);

  const url = useCallback((cursor?: string) => `/api/v1/bulletins${qs({ box, tlp, unread: unreadOnly || undefined, q: query, limit: 25, cursor })}`, [box, tlp, unreadOnly, query]);
  useEffect(() => {
    setItems(null);
    get<Page<BulletinSummary>>(url()).then((p) => {
      setItems(p.items);
      setNext(p.next);
    }, setError);
  }, [url]);
  const more = async () => {
    if (!next) return;
    try {
      const p = await get<Page<BulletinSummary>>(url(next));
      setItems((old) => [...(old ?? []), ...p.items]);
      setNext(p.next);
    } catch (err) {
      setError(err);
    }
  };
  useLiveEvents(['bulletin.created', 'bulletin.shared', 'bulletin.tlp-changed'], (event) => {
    // Refetch the first page: the server applies the filters and the policy; merge what is new.
    void get<Page<BulletinSummary>>(url()).then((p) => {
      setItems((old) => {
        const known = new Set((old ?? []).map((b) => b.id));
        const added = p.items.filter((b) => !known.has(b.id));
        if (added.length) {
          setFresh(new Set(added.map((b) => b.id)));
          setAnnounce(`New bulletin: ${added.map((b) => b.title).join('; ')}`);
        }
        const updated = new Map(p.items.map((b) => [b.id, b]));
        return [...added, ...(old ?? []).map((b) => updated.get(b.id) ?? b)];
      });
    });
    void event;
  });
  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };
  return (
    <>
      <div className="display-flex flex-justify flex-align-end flex-wrap">
        <h1 className="margin-bottom-1">Inbox</h1>
        {me && me.user.role !== 'viewer' && (
          <Link className="usa-button" to="/bulletins/new">
            Send a bulletin
          </Link>
        )}
      </div>
      <p className="margin-top-0 text-base">Bulletins shared with {me?.org.name ?? 'you'}. New ones appear here as they are sent.</p>
      <div className="usa-sr-only" aria-live="polite" role="status">
        {announce}
      </div>
      <form className="usa-search usa-search--small margin-bottom-2" role="search" onSubmit={search}>
        <label className="usa-sr-only" htmlFor="search-field">
          Search bulletins
        </label>
        <input className="usa-input" id="search-field" type="search" name="q" placeholder="Search bulletins" value={q} onChange={(e) => setQ(e.target.value)} />
        <button className="usa-button" type="submit">
          <span className="usa-search__submit-text">Search</span>
        </button>
      </form>
      <div className="display-flex flex-wrap flex-align-end margin-bottom-2 eoc-gap">
        <div>
          <label className="usa-label margin-top-0" htmlFor="box">
            Show
          </label>
          <select className="usa-select" id="box" value={box} onChange={(e) => setBox(e.target.value as Box)}>
            <option value="all">Everything I can read</option>
            <option value="inbox">Sent to us by others</option>
            <option value="sent">Sent by my organisation</option>
          </select>
        </div>
        <div>
          <label className="usa-label margin-top-0" htmlFor="tlp-filter">
            Label
          </label>
          <select className="usa-select" id="tlp-filter" value={tlp} onChange={(e) => setTlp(e.target.value as Tlp | '')}>
            <option value="">Any label</option>
            {TLP_LEVELS.map((t) => (
              <option key={t} value={t}>
                TLP:{t}
              </option>
            ))}
          </select>
        </div>
        <div className="usa-checkbox">
          <input className="usa-checkbox__input" id="unread-only" type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="unread-only">
            Unread only
          </label>
        </div>
        <a className="usa-link margin-left-auto" href={`/api/v1/bulletins/export${qs({ format: 'csv', box, tlp, q: query })}`} download>
          Download as spreadsheet (CSV)
        </a>
      </div>
      <ErrorAlert error={error} heading="Could not load bulletins" />
      {!items && !error && <Loading what="bulletins" />}
      {items && items.length === 0 && <p>No bulletins {query ? `match “${query}”` : 'yet'}.</p>}
      {items && items.length > 0 && (
        <ul className="bulletin-list" aria-label="Bulletins" data-testid="bulletin-list">
          {items.map((b) => (
            <li key={b.id} className={`${b.read ? '' : 'unread'} ${fresh.has(b.id) ? 'is-new' : ''}`}>
              <div className="display-flex flex-align-center flex-wrap eoc-gap-sm">
                <TlpBadge tlp={b.tlp} />
                <Link className="bulletin-title usa-link" to={`/bulletins/${b.id}`}>
                  {b.title}
                </Link>
                {!b.read && <span className="usa-tag bg-secondary-dark">Unread</span>}
              </div>
              <div className="bulletin-meta">
                From {b.ownerName}
                {b.authorName ? ` (${b.authorName})` : ''} · <time dateTime={b.createdAt}>{new Date(b.createdAt).toLocaleString()}</time>
                {b.attachmentCount ? ` · ${b.attachmentCount} attachment${b.attachmentCount > 1 ? 's' : ''}` : ''}
              </div>
              <p className="margin-y-05">{b.excerpt}</p>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" className="usa-button usa-button--outline margin-top-2" onClick={() => void more()}>
          Show older bulletins
        </button>
      )}
    </>
  );
}
