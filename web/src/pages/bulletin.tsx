// One bulletin: its sanitised body, label, sender and recipients, attachments, and the sharing actions the
// policy allows this user (pass on to own local offices for AMBER; raise the label for the owner).
import { useEffect, useState } from 'react';
import { del, get, post, put, type Bulletin, type Org, type Page, type Tlp } from '../api.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { TLP_EXPLANATION, TLP_LEVELS, TlpBadge, TlpPicker } from '../components/tlp.js';

export function BulletinPage({ id }: { id: string }) {
  const { me } = useSession();
  const [b, setB] = useState<Bulletin | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const load = () => get<Bulletin>(`/api/v1/bulletins/${id}`).then(setB, setError);
  useEffect(() => {
    setB(null);
    setError(null);
    void load().then(() => put(`/api/v1/bulletins/${id}/read`).catch(() => undefined));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  if (error && !b) {
    return (
      <>
        <h1>Bulletin not available</h1>
        <p>This bulletin does not exist or has not been shared with you.</p>
        <Link to="/">Back to the inbox</Link>
      </>
    );
  }
  if (!b) return <Loading what="the bulletin" />;
  const markUnread = async () => {
    await del(`/api/v1/bulletins/${id}/read`);
    navigate('/');
  };
  return (
    <article>
      <p className="margin-bottom-0">
        <Link to="/">← Inbox</Link>
      </p>
      <div className="display-flex flex-align-center flex-wrap eoc-gap-sm margin-top-2">
        <TlpBadge tlp={b.tlp} />
        <span className="text-base">{TLP_EXPLANATION[b.tlp]}</span>
      </div>
      <h1 className="margin-top-1">{b.title}</h1>
      <p className="bulletin-meta">
        From <Link to={`/orgs/${b.ownerOrg}`}>{b.ownerName}</Link>
        {b.authorName ? ` (${b.authorName})` : ''} · <time dateTime={b.createdAt}>{new Date(b.createdAt).toLocaleString()}</time>
      </p>
      {message && <SuccessAlert>{message}</SuccessAlert>}
      <ErrorAlert error={error} />
      {/* bodyHtml is rendered from Markdown and sanitised by the server (allow-list, no scripts or styles). */}
      <div className="bulletin-body usa-prose" dangerouslySetInnerHTML={{ __html: b.bodyHtml }} />
      {b.attachments.length > 0 && (
        <section className="margin-top-3">
          <h2 className="font-sans-md">Attachments</h2>
          <ul className="usa-list">
            {b.attachments.map((a) => (
              <li key={a.id}>
                <a href={`/api/v1/bulletins/${b.id}/attachments/${a.id}`} download={a.filename}>
                  {a.filename}
                </a>{' '}
                <span className="text-base">
                  ({Math.ceil(a.size / 1024)} KB, SHA-256 <code>{a.sha256.slice(0, 12)}…</code>)
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="margin-top-3">
        <h2 className="font-sans-md">Who received it</h2>
        {b.tlp === 'CLEAR' || b.tlp === 'GREEN' ? (
          <p>The whole community{b.tlp === 'CLEAR' ? ', and it may be made public' : ''}.</p>
        ) : (
          <ul className="usa-list" data-testid="recipients">
            <li>{b.ownerName} (sender)</li>
            {b.recipientDetails.orgs.map((o) => (
              <li key={o.id}>{o.name}</li>
            ))}
            {b.recipientDetails.users.map((u) => (
              <li key={u.id}>{u.name}</li>
            ))}
          </ul>
        )}
      </section>
      <div className="margin-top-3">
        <button type="button" className="usa-button usa-button--outline" onClick={() => void markUnread()}>
          Mark as unread
        </button>
      </div>
      {b.canReshare && me && <Reshare bulletin={b} onDone={(m) => { setMessage(m); void load(); }} />}
      {b.canChangeSharing && <RaiseTlp bulletin={b} onDone={(m) => { setMessage(m); void load(); }} />}
    </article>
  );
}

function Reshare({ bulletin, onDone }: { bulletin: Bulletin; onDone: (message: string) => void }) {
  const { me } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!me || !(me.org.type === 'state' || me.org.type === 'territory' || bulletin.ownerOrg === me.org.id)) return null;
  const share = async () => {
    setBusy(true);
    setError(null);
    try {
      const locals: string[] = [];
      let cursor: string | null = null;
      do {
        const p: Page<Org> = await get<Page<Org>>(`/api/v1/orgs?parentId=${me.org.id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        locals.push(...p.items.map((o) => o.id));
        cursor = p.next;
      } while (cursor);
      const add = locals.filter((id) => !bulletin.recipients.orgs.includes(id));
      if (add.length === 0) {
        onDone('All your local offices already have this bulletin.');
        return;
      }
      await post(`/api/v1/bulletins/${bulletin.id}/share`, { orgs: add, users: [] });
      onDone(`Shared with ${add.length} local office${add.length > 1 ? 's' : ''}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="margin-top-4 border-top border-base-lighter padding-top-2">
      <h2 className="font-sans-md">Pass it on</h2>
      <p>TLP:AMBER lets you share this with your own local offices.</p>
      <ErrorAlert error={error} />
      <button type="button" className="usa-button" onClick={() => void share()} disabled={busy}>
        {busy ? 'Sharing…' : 'Share with all my local offices'}
      </button>
    </section>
  );
}

function RaiseTlp({ bulletin, onDone }: { bulletin: Bulletin; onDone: (message: string) => void }) {
  const higher = TLP_LEVELS.slice(TLP_LEVELS.indexOf(bulletin.tlp) + 1).filter((t) => t !== 'RED');
  const [tlp, setTlp] = useState<Tlp>(higher[0] ?? bulletin.tlp);
  const [error, setError] = useState<unknown>(null);
  if (higher.length === 0) return null;
  const change = async () => {
    setError(null);
    try {
      await put(`/api/v1/bulletins/${bulletin.id}/tlp`, { tlp });
      onDone(`The label is now TLP:${tlp}.`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="margin-top-4 border-top border-base-lighter padding-top-2">
      <h2 className="font-sans-md">Restrict who may see it</h2>
      <p>Your organisation sent this bulletin, so you can raise its label.</p>
      <ErrorAlert error={error} />
      <TlpPicker value={tlp} onChange={setTlp} allowed={higher} name="raise-tlp" />
      <button type="button" className="usa-button margin-top-2" onClick={() => void change()}>
        Raise to TLP:{tlp}
      </button>
    </section>
  );
}
