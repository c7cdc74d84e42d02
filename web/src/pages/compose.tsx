// Send a bulletin: title, Markdown body, the TLP label explained in plain words, recipients, attachments.
import { useState, type FormEvent } from 'react';
import { ApiError, post, type Bulletin, type Tlp } from '../api.js';
import { navigate } from '../router.js';
import { ErrorAlert } from '../components/alerts.js';
import { TlpPicker } from '../components/tlp.js';
import { OrgPicker, UserPicker } from '../components/recipients.js';
import { csrfHeaders } from '../uploads.js';

export function ComposePage() {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const [orgs, setOrgs] = useState<Map<string, string>>(new Map());
  const [people, setPeople] = useState<Map<string, string>>(new Map());
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const needsOrgs = tlp === 'AMBER' || tlp === 'AMBER+STRICT';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (tlp === 'RED' && people.size === 0) {
      setError(new ApiError(400, 'validation-failed', 'Pick at least one person', 'A RED bulletin goes only to the people you name. Pick at least one.'));
      return;
    }
    setBusy(true);
    try {
      // AMBER with nobody picked goes to the defaults (your state and the operations center).
      const recipients = tlp === 'RED' ? { orgs: [], users: [...people.keys()] } : needsOrgs && orgs.size === 0 ? undefined : { orgs: needsOrgs ? [...orgs.keys()] : [], users: [] };
      const b = await post<Bulletin>('/api/v1/bulletins', { title, body, tlp, ...(recipients ? { recipients } : {}) });
      for (const f of files) {
        const res = await fetch(`/api/v1/bulletins/${b.id}/attachments`, { method: 'POST', headers: { ...csrfHeaders(), 'content-type': f.type || 'application/octet-stream', 'x-filename': encodeURIComponent(f.name) }, body: f });
        if (!res.ok) throw new ApiError(res.status, 'attachment', 'An attachment was refused', `“${f.name}” was not attached: ${((await res.json().catch(() => ({}))) as { detail?: string }).detail ?? res.statusText}. The bulletin itself was sent.`);
      }
      navigate(`/bulletins/${b.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="usa-form usa-form--large maxw-tablet-lg" onSubmit={(e) => void submit(e)}>
      <h1>Send a bulletin</h1>
      <ErrorAlert error={error} heading="The bulletin was not sent" />
      <label className="usa-label" htmlFor="title">
        Title
      </label>
      <input className="usa-input" id="title" required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      <label className="usa-label" htmlFor="body">
        Message
      </label>
      <span className="usa-hint" id="body-hint">
        Say what happened, what it means for election offices and what to do. You can use Markdown: **bold**, lists with “-”, links.
      </span>
      <textarea className="usa-textarea" id="body" rows={8} aria-describedby="body-hint" value={body} onChange={(e) => setBody(e.target.value)} />
      <TlpPicker value={tlp} onChange={setTlp} />
      {needsOrgs && (
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">Recipients</legend>
          <p className="usa-hint">If you pick no one, it goes to your state and the operations center.</p>
          <OrgPicker picked={orgs} onChange={setOrgs} />
        </fieldset>
      )}
      {tlp === 'RED' && (
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">People</legend>
          <UserPicker picked={people} onChange={setPeople} />
        </fieldset>
      )}
      <label className="usa-label" htmlFor="files">
        Attachments (optional)
      </label>
      <span className="usa-hint" id="files-hint">
        PDF, text, CSV, email (.eml), images, ZIP, Word or Excel files. A file must be what its name says.
      </span>
      <input className="usa-file-input" id="files" type="file" multiple aria-describedby="files-hint" onChange={(e) => setFiles([...(e.target.files ?? [])])} />
      <button className="usa-button margin-top-3" type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send bulletin'}
      </button>
    </form>
  );
}
