// Collections and feeds, for system administrators: the TAXII collections this installation serves (who
// reads, who writes) and the collections of other servers it polls, with their health at a glance.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { get, patch, post, type Tlp } from '../api.js';
import { Link } from '../router.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { OrgPicker } from '../components/recipients.js';
import { shortDate, type Collection, type Feed } from '../intel-api.js';

const HEALTH: Record<Feed['health'], { word: string; cls: string }> = {
  healthy: { word: 'Healthy', cls: 'bg-green' },
  failing: { word: 'Failing', cls: 'bg-secondary-dark' },
  waiting: { word: 'First poll pending', cls: 'bg-base' },
  paused: { word: 'Paused', cls: 'bg-base-dark' },
};

export function FeedsPage() {
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [feeds, setFeeds] = useState<Feed[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const load = useCallback(async () => {
    try {
      setCollections((await get<{ items: Collection[] }>('/api/v1/taxii/collections')).items);
      setFeeds((await get<{ items: Feed[] }>('/api/v1/intel/feeds')).items);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
    // Health changes as workers poll: refresh while the page is open.
    const t = window.setInterval(() => void load(), 15_000);
    return () => window.clearInterval(t);
  }, [load]);
  const change = async (f: Feed, body: Record<string, unknown>, what: string) => {
    try {
      await patch(`/api/v1/intel/feeds/${f.id}`, body);
      setDone(what);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  // A page that could not load says why, rather than loading for ever.
  if (!collections || !feeds) return <><ErrorAlert error={error} />{!error && <Loading what="collections and feeds" />}</>;
  const titleOf = new Map(collections.map((c) => [c.id, c.title]));
  const failing = feeds.filter((f) => f.health === 'failing').length;
  return (
    <>
      <p className="margin-bottom-0"><Link to="/intel">Threat intelligence</Link></p>
      <h1 className="margin-top-05">Collections and feeds</h1>
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <ErrorAlert error={error} />
      <h2>Feeds from other servers</h2>
      <p>{feeds.length === 0 ? 'None yet.' : failing ? `${failing} of ${feeds.length} failing — see the error beside each.` : `All ${feeds.length} working.`}</p>
      {feeds.length > 0 && (
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">TAXII feeds</caption>
          <thead><tr><th scope="col">Feed</th><th scope="col">Health</th><th scope="col">Last success</th><th scope="col">Objects</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {feeds.map((f) => (
              <tr key={f.id}>
                <th scope="row" data-label="Feed">{f.title}<div className="font-sans-3xs text-base">{f.url} → {titleOf.get(f.targetCollectionId) ?? 'a collection'} · every {f.intervalMinutes} min</div></th>
                <td data-label="Health">
                  <span className={`usa-tag ${HEALTH[f.health].cls}`}>{HEALTH[f.health].word}</span>
                  {f.lastError && <div className="font-sans-3xs text-secondary-dark margin-top-05">{f.lastError}{f.consecutiveFailures > 1 ? ` (${f.consecutiveFailures} times in a row)` : ''}</div>}
                </td>
                <td data-label="Last success">{shortDate(f.lastSuccessAt)}<div className="font-sans-3xs text-base">next {shortDate(f.nextPollAt)}</div></td>
                <td data-label="Objects">{f.objectsReceived.toLocaleString('en-US')} received{f.objectsRefused ? `, ${f.objectsRefused.toLocaleString('en-US')} refused` : ''}{f.lastPollStored !== null ? <div className="font-sans-3xs text-base">last poll: {f.lastPollStored.toLocaleString('en-US')}</div> : null}</td>
                <td data-label="Actions">
                  <button type="button" className="usa-button usa-button--unstyled margin-right-1" onClick={() => void change(f, { pollNow: true }, `${f.title} will be polled in a moment.`)}>Poll now</button>
                  <button type="button" className="usa-button usa-button--unstyled" onClick={() => void change(f, { enabled: !f.enabled }, `${f.title} ${f.enabled ? 'paused' : 'resumed'}.`)}>{f.enabled ? 'Pause' : 'Resume'}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewFeed collections={collections} onDone={(t) => { setDone(`Subscribed to ${t}; the first poll starts shortly.`); void load(); }} />
      <h2 className="margin-top-5">Collections this server shares over TAXII</h2>
      <table className="usa-table usa-table--borderless usa-table--stacked width-full">
        <caption className="usa-sr-only">TAXII collections</caption>
        <thead><tr><th scope="col">Collection</th><th scope="col">Readers</th><th scope="col">Writers</th><th scope="col">Unmarked objects</th><th scope="col">Objects added</th></tr></thead>
        <tbody>
          {collections.map((c) => (
            <tr key={c.id}>
              <th scope="row" data-label="Collection">{c.title}<div className="font-mono-3xs text-base">{c.taxiiPath}</div></th>
              <td data-label="Readers">{c.readers === 'all' ? 'Every member' : `${c.readers.length} organisation${c.readers.length === 1 ? '' : 's'}`}</td>
              <td data-label="Writers">{c.writers.length} organisation{c.writers.length === 1 ? '' : 's'}</td>
              <td data-label="Unmarked objects">TLP:{c.defaultTlp}</td>
              <td data-label="Objects added">{c.objectsAdded.toLocaleString('en-US')}{c.lastAddedAt && <div className="font-sans-3xs text-base">last {shortDate(c.lastAddedAt)}</div>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <NewCollection onDone={(t) => { setDone(`Created the collection ${t}.`); void load(); }} />
    </>
  );
}

function NewFeed({ collections, onDone }: { collections: Collection[]; onDone: (title: string) => void }) {
  const [title, setTitle] = useState('');
  const [url, setUrl] = useState('');
  const [auth, setAuth] = useState<'none' | 'bearer' | 'basic'>('bearer');
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [target, setTarget] = useState(collections[0]?.id ?? '');
  const [defaultTlp, setDefaultTlp] = useState<Tlp>('AMBER');
  const [interval, setIntervalMinutes] = useState(60);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/intel/feeds', { title, url, auth: auth === 'none' ? { type: 'none' } : auth === 'bearer' ? { type: 'bearer', token: secret } : { type: 'basic', username, password: secret }, targetCollectionId: target, defaultTlp, intervalMinutes: interval });
      onDone(title);
      setTitle('');
      setUrl('');
      setSecret('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="margin-top-2">
      <summary className="usa-button usa-button--outline">Subscribe to a feed</summary>
      <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
        <ErrorAlert error={error} heading="The feed was not added" />
        <label className="usa-label" htmlFor="feed-title">Name</label>
        <input className="usa-input" id="feed-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        <label className="usa-label" htmlFor="feed-url">Collection URL</label>
        <span className="usa-hint" id="feed-url-hint">The address of the collection on the other server, ending in /collections/ID/</span>
        <input className="usa-input" id="feed-url" type="url" required aria-describedby="feed-url-hint" value={url} onChange={(e) => setUrl(e.target.value)} />
        <label className="usa-label" htmlFor="feed-auth">Sign-in</label>
        <select className="usa-select" id="feed-auth" value={auth} onChange={(e) => setAuth(e.target.value as 'none' | 'bearer' | 'basic')}>
          <option value="bearer">API token (Bearer)</option>
          <option value="basic">User name and password (Basic)</option>
          <option value="none">None</option>
        </select>
        {auth === 'basic' && (<><label className="usa-label" htmlFor="feed-user">User name</label><input className="usa-input" id="feed-user" value={username} onChange={(e) => setUsername(e.target.value)} /></>)}
        {auth !== 'none' && (<><label className="usa-label" htmlFor="feed-secret">{auth === 'bearer' ? 'Token' : 'Password'}</label><input className="usa-input" id="feed-secret" type="password" autoComplete="off" required value={secret} onChange={(e) => setSecret(e.target.value)} /></>)}
        <label className="usa-label" htmlFor="feed-target">Store into</label>
        <select className="usa-select" id="feed-target" value={target} onChange={(e) => setTarget(e.target.value)}>
          {collections.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
        </select>
        <label className="usa-label" htmlFor="feed-tlp">Label for objects that arrive without one</label>
        <select className="usa-select" id="feed-tlp" value={defaultTlp} onChange={(e) => setDefaultTlp(e.target.value as Tlp)}>
          {(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'] as Tlp[]).map((t) => <option key={t} value={t}>TLP:{t}</option>)}
        </select>
        <label className="usa-label" htmlFor="feed-interval">Poll every (minutes)</label>
        <input className="usa-input usa-input--small" id="feed-interval" type="number" min={1} max={10080} value={interval} onChange={(e) => setIntervalMinutes(Number(e.target.value) || 60)} />
        <button className="usa-button margin-top-2" type="submit">Subscribe</button>
      </form>
    </details>
  );
}

function NewCollection({ onDone }: { onDone: (title: string) => void }) {
  const [title, setTitle] = useState('');
  const [everyone, setEveryone] = useState(true);
  const [readers, setReaders] = useState<Map<string, string>>(new Map());
  const [writers, setWriters] = useState<Map<string, string>>(new Map());
  const [defaultTlp, setDefaultTlp] = useState<Tlp>('AMBER');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/taxii/collections', { title, readers: everyone ? 'all' : [...readers.keys()], writers: [...writers.keys()], defaultTlp });
      onDone(title);
      setTitle('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="margin-top-2">
      <summary className="usa-button usa-button--outline">Create a collection</summary>
      <form className="usa-form usa-form--large" onSubmit={(e) => void submit(e)}>
        <ErrorAlert error={error} heading="The collection was not created" />
        <label className="usa-label" htmlFor="col-title">Title</label>
        <input className="usa-input" id="col-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        <div className="usa-checkbox margin-top-2">
          <input className="usa-checkbox__input" id="col-everyone" type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />
          <label className="usa-checkbox__label" htmlFor="col-everyone">Every member organisation may read it</label>
        </div>
        {!everyone && (<fieldset className="usa-fieldset margin-top-2"><legend className="usa-legend">Readers</legend><OrgPicker picked={readers} onChange={setReaders} /></fieldset>)}
        <fieldset className="usa-fieldset margin-top-2"><legend className="usa-legend">Writers</legend><OrgPicker picked={writers} onChange={setWriters} /></fieldset>
        <label className="usa-label" htmlFor="col-tlp">Label for objects written without one</label>
        <select className="usa-select" id="col-tlp" value={defaultTlp} onChange={(e) => setDefaultTlp(e.target.value as Tlp)}>
          {(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'] as Tlp[]).map((t) => <option key={t} value={t}>TLP:{t}</option>)}
        </select>
        <button className="usa-button margin-top-2" type="submit">Create</button>
      </form>
    </details>
  );
}
