// One advisory: what is happening and what to do now, the indicators and incidents it names (those the
// reader may see), and the office's response. The writing organisation sees every response (a chart of who
// acknowledged, is affected or saw it) and reviews, publishes or withdraws.
import { useCallback, useEffect, useState } from 'react';
import { get, post, qs } from '../api.js';
import { Link } from '../router.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { AdvisorySeverity, AdvisoryStatusTag, ConfidenceMeter } from '../components/advisory-badges.js';
import { RESPONSE_WORDS, shortDate, type Advisory, type ResponseKind } from '../intel-api.js';
import { loadTaxonomy, type Taxonomy } from '../incidents-api.js';

export function AdvisoryPage({ id }: { id: string }) {
  const [a, setA] = useState<Advisory | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [note, setNote] = useState('');
  const [reviewNote, setReviewNote] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [tax, setTax] = useState<Taxonomy | null>(null);
  useEffect(() => void loadTaxonomy().then(setTax, () => undefined), []);
  const load = useCallback(() => get<Advisory>(`/api/v1/advisories/${id}`).then(setA, setError), [id]);
  useEffect(() => void load(), [load]);
  useLiveEvents(['advisory.response', 'advisory.withdrawn'], (e) => {
    if (e.data.recordId === id || e.data.id === id) void load();
  });
  const act = async (what: string, url: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      setA(await post<Advisory>(url, body));
      setDone(what);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!a) return <><ErrorAlert error={error} /><Loading what="the advisory" /></>;
  const mine = new Set(a.responses.map((r) => r.kind));
  return (
    <article className="maxw-tablet-lg">
      <p className="margin-bottom-0"><Link to="/advisories">All advisories</Link></p>
      <div className={`eoc-advisory-banner eoc-advisory--${a.severity}`}>
        <p className="margin-y-0 font-sans-2xs"><AdvisorySeverity severity={a.severity} /> <TlpBadge tlp={a.tlp} /> <AdvisoryStatusTag status={a.status} /></p>
        <h1 className="margin-y-1">{a.title}</h1>
        <p className="margin-y-0 text-base">
          {a.owner.name}{a.publishedAt ? ` · published ${shortDate(a.publishedAt)}` : ` · last changed ${shortDate(a.updatedAt)}`}
          {a.author ? ` · written by ${a.author.name}` : ''}{a.reviewer && a.status !== 'draft' ? `, reviewed by ${a.reviewer.name}` : ''}
        </p>
      </div>
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <ErrorAlert error={error} />
      {a.status === 'withdrawn' && (
        <div className="usa-alert usa-alert--warning usa-alert--slim" role="status"><div className="usa-alert__body"><p className="usa-alert__text">Withdrawn {shortDate(a.withdrawnAt)}: {a.withdrawnReason}</p></div></div>
      )}
      {a.reviewNote && a.status === 'draft' && (
        <div className="usa-alert usa-alert--info usa-alert--slim"><div className="usa-alert__body"><p className="usa-alert__text"><strong>Returned by the reviewer:</strong> {a.reviewNote}</p></div></div>
      )}
      <h2>What is happening</h2>
      <div className="usa-prose" dangerouslySetInnerHTML={{ __html: a.summaryHtml }} />
      <section className="eoc-actions-box margin-top-3" aria-labelledby="todo">
        <h2 id="todo" className="margin-top-0">What to do now</h2>
        <div className="usa-prose" dangerouslySetInnerHTML={{ __html: a.actionsHtml }} />
      </section>
      {a.tlp === 'RED' && <p><strong>Only for:</strong> {a.recipients.people.map((p) => p.name || 'a person no longer active').join(', ')}</p>}
      {a.components.length > 0 && <p><strong>Affects:</strong> {a.components.map((c) => tax?.components.find((x) => x.id === c)?.label ?? c.replace(/-/g, ' ')).join(', ')}</p>}

      {a.mayRespond && (
        <section className="margin-top-4" aria-labelledby="respond">
          <h2 id="respond">Your office's response</h2>
          <p className="usa-hint">Only {a.owner.name} sees what you say here.</p>
          <label className="usa-label" htmlFor="response-note">Note (optional)</label>
          <textarea className="usa-textarea" id="response-note" rows={2} maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} />
          <div className="usa-button-group margin-top-2">
            {(['acknowledged', 'affected', 'seen'] as ResponseKind[]).map((k) => (
              <button key={k} type="button" disabled={busy} className={`usa-button ${mine.has(k) ? '' : 'usa-button--outline'} ${k === 'affected' ? 'usa-button--secondary' : ''}`} aria-pressed={mine.has(k)} onClick={() => void act(`Sent: ${RESPONSE_WORDS[k]}.`, `/api/v1/advisories/${id}/responses`, { kind: k, ...(note.trim() ? { note } : {}) })}>
                {RESPONSE_WORDS[k]}
              </button>
            ))}
          </div>
        </section>
      )}

      {a.responseCounts && a.status !== 'draft' && a.status !== 'in-review' && (
        <section className="margin-top-4" aria-labelledby="responses">
          <h2 id="responses">Responses</h2>
          <ResponseChart counts={a.responseCounts} recipients={a.recipients.orgs.length} />
          {a.responses.length > 0 && (
            <table className="usa-table usa-table--borderless usa-table--compact width-full">
              <caption className="usa-sr-only">Responses by organisation</caption>
              <thead><tr><th scope="col">Organisation</th><th scope="col">Response</th><th scope="col">Note</th><th scope="col">When</th></tr></thead>
              <tbody>
                {a.responses.map((r) => (
                  <tr key={`${r.orgId}-${r.kind}`}><td>{r.orgName}</td><td>{RESPONSE_WORDS[r.kind]}</td><td>{r.note ?? ''}</td><td>{shortDate(r.at)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {a.cves.length > 0 && (
        <section className="margin-top-4" aria-labelledby="cves">
          <h2 id="cves">Vulnerabilities</h2>
          <table className="usa-table usa-table--borderless usa-table--compact width-full">
            <caption className="usa-sr-only">Vulnerabilities the advisory is about, and which of your systems they touch</caption>
            <thead><tr><th scope="col">CVE</th><th scope="col">What it is</th><th scope="col">Your systems</th></tr></thead>
            <tbody>
              {a.cves.map((c) => (
                <tr key={c.cveId}>
                  <th scope="row"><a href={`https://www.cve.org/CVERecord?id=${c.cveId}`} target="_blank" rel="noreferrer noopener">{c.cveId}</a>{c.knownExploited && <span className="usa-tag bg-secondary-dark margin-left-1">Exploited now</span>}</th>
                  <td>{c.title ?? 'Not in the catalog yet'}</td>
                  <td>{c.yourSystems.length ? c.yourSystems.map((x) => x.name).join(', ') : 'None in your inventory'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {a.cves.some((c) => c.yourSystems.length) && <p><Link to="/inventory/alerts">What to do about your systems</Link></p>}
        </section>
      )}

      <section className="margin-top-4" aria-labelledby="indicators">
        <div className="display-flex flex-justify flex-align-center flex-wrap">
          <h2 id="indicators">Indicators</h2>
          {/* For the office's firewall, mail filter or TAXII-less tools: what the advisory names that the reader may see. */}
          {a.indicators.length > 0 && (
            <ul className="usa-button-group">
              <li className="usa-button-group__item"><a className="usa-button usa-button--outline" href={`/api/v1/intel/export${qs({ format: 'stix', advisory: a.id })}`} download>Download STIX</a></li>
              <li className="usa-button-group__item"><a className="usa-button usa-button--outline" href={`/api/v1/intel/export${qs({ format: 'csv', advisory: a.id })}`} download>Download CSV</a></li>
            </ul>
          )}
        </div>
        {a.indicators.length === 0 ? <p>None linked{a.status === 'published' ? ' that you may see' : ''}.</p> : (
          <table className="usa-table usa-table--borderless usa-table--compact width-full">
            <caption className="usa-sr-only">Linked indicators</caption>
            <thead><tr><th scope="col">Indicator</th><th scope="col">Label</th><th scope="col">Confidence today</th><th scope="col">Valid until</th></tr></thead>
            <tbody>
              {a.indicators.map((i) => (
                <tr key={i.stixId}>
                  <td><Link to={`/intel/objects/${i.stixId}`}><code className="font-mono-2xs">{i.pattern ?? i.name}</code></Link></td>
                  <td><TlpBadge tlp={i.tlp} /></td>
                  <td><ConfidenceMeter current={i.currentConfidence} original={i.confidence} /></td>
                  <td>{i.validUntil ? shortDate(i.validUntil) : 'No end date'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {a.incidents.length > 0 && (
          <>
            <h3>Incidents</h3>
            <ul className="usa-list">{a.incidents.map((i) => <li key={i.id}><Link to={`/incidents/${i.id}`}>{i.ref}</Link> {i.title} ({i.status})</li>)}</ul>
          </>
        )}
      </section>

      {(a.mayEdit || a.mayReview || (a.responseCounts && (a.status === 'published' || a.status === 'in-review'))) && (
        <section className="margin-top-4 border-top border-base-lighter padding-top-2" aria-labelledby="workflow">
          <h2 id="workflow">{a.status === 'published' ? 'Withdraw' : 'Review'}</h2>
          {a.mayEdit && (
            <div className="usa-button-group">
              <Link className="usa-button usa-button--outline" to={`/advisories/${id}/edit`}>Edit</Link>
              <button type="button" className="usa-button" disabled={busy} onClick={() => void act('Sent for review. Another analyst of your organisation will publish it.', `/api/v1/advisories/${id}/submit`)}>Send for review</button>
            </div>
          )}
          {a.status === 'in-review' && !a.mayReview && <p>Waiting for another analyst of your organisation to review it.</p>}
          {a.mayReview && (
            <>
              <p>Check the wording, the label and the recipients. Publishing tells every recipient at once, in the app and by email.</p>
              <label className="usa-label" htmlFor="review-note">Note for the author, if you return it</label>
              <textarea className="usa-textarea" id="review-note" rows={2} value={reviewNote} onChange={(e) => setReviewNote(e.target.value)} />
              <div className="usa-button-group margin-top-2">
                <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => void act('Returned to the author.', `/api/v1/advisories/${id}/return`, { note: reviewNote })}>Return to the author</button>
                <button type="button" className="usa-button" disabled={busy} onClick={() => void act('Published. Every recipient is being told.', `/api/v1/advisories/${id}/publish`)}>Publish now</button>
              </div>
            </>
          )}
          {a.responseCounts && a.status === 'published' && (
            <>
              <label className="usa-label" htmlFor="withdraw-reason">Why withdraw it (recipients see this)</label>
              <input className="usa-input" id="withdraw-reason" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
              <button type="button" className="usa-button usa-button--secondary margin-top-2" disabled={busy || !reason.trim()} onClick={() => void act('Withdrawn. Recipients are being told.', `/api/v1/advisories/${id}/withdraw`, { reason })}>Withdraw the advisory</button>
            </>
          )}
        </section>
      )}
    </article>
  );
}

/** Bars for acknowledged / affected / seen, out of the organisations it was addressed to (when it names any). */
function ResponseChart({ counts, recipients }: { counts: Record<ResponseKind, number>; recipients: number }) {
  const max = Math.max(1, recipients, counts.acknowledged, counts.affected, counts.seen);
  return (
    <dl className="eoc-bars">
      {(['acknowledged', 'affected', 'seen'] as ResponseKind[]).map((k) => (
        <div key={k} className="eoc-bars__row">
          <dt>{RESPONSE_WORDS[k]}</dt>
          <dd>
            <span className={`eoc-bars__bar eoc-bars__bar--${k}`} style={{ width: `${(100 * counts[k]) / max}%` }} aria-hidden="true" />
            <span>{counts[k]}{recipients ? ` of ${recipients} addressed` : ''}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
