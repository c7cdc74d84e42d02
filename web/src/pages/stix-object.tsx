// One STIX object: what it is, how much to trust it today, what it is related to (relationships and
// sightings, each linked), its versions, and the feedback loop — report a false positive or a sighting; the
// producer sees the counts and revokes.
import { useCallback, useEffect, useState } from 'react';
import { get, post } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { TlpBadge } from '../components/tlp.js';
import { ConfidenceMeter } from '../components/advisory-badges.js';
import { shortDate, typeWords, type ObjectView } from '../intel-api.js';

const SHOWN = [
  'description', 'indicator_types', 'malware_types', 'threat_actor_types', 'infrastructure_types', 'tool_types', 'report_types', 'context', 'published',
  'first_seen', 'last_seen', 'aliases', 'goals', 'primary_motivation', 'sophistication', 'kill_chain_phases', 'labels', 'external_references',
];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function StixObjectPage({ id }: { id: string }) {
  const { me } = useSession();
  const [v, setV] = useState<ObjectView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [count, setCount] = useState(1);
  const [shareName, setShareName] = useState(false);
  const [note, setNote] = useState('');
  const load = useCallback(() => get<ObjectView>(`/api/v1/intel/objects/${id}`).then(setV, setError), [id]);
  useEffect(() => void load(), [load]);
  const act = async (what: string, url: string, body?: unknown) => {
    setError(null);
    try {
      await post(url, body);
      setDone(what);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  if (!v) return <><ErrorAlert error={error} /><Loading what="the object" /></>;
  const o = v.object;
  const s = v.summary;
  const canAct = me!.user.role !== 'viewer';
  return (
    <article>
      <p className="margin-bottom-0"><Link to="/intel">Threat intelligence</Link></p>
      <p className="margin-bottom-0 text-base text-uppercase font-sans-3xs">{typeWords(s.type)}{s.attackId && <> · ATT&amp;CK {s.attackId}</>}</p>
      <h1 className="margin-top-05">{s.name ?? s.stixId}</h1>
      <p>
        <TlpBadge tlp={s.tlp} /> {s.state && <span className={`usa-tag ${s.state === 'active' ? 'bg-green' : 'bg-base'}`}>{s.state.replace(/-/g, ' ')}</span>}
        {/* Indicators say it in their state; other objects can be revoked too, and ATT&CK marks what it no longer keeps up. */}
        {!s.state && s.revoked && <span className="usa-tag bg-base">revoked</span>}
        {s.deprecated && <span className="usa-tag bg-base margin-left-05">deprecated by its producer</span>}
      </p>
      {done && <SuccessAlert>{done}</SuccessAlert>}
      <ErrorAlert error={error} />
      <dl className="eoc-facts">
        {s.pattern && <><dt>Pattern</dt><dd><code className="font-mono-xs">{s.pattern}</code></dd></>}
        {s.type === 'indicator' && <><dt>Confidence today</dt><dd><ConfidenceMeter current={s.currentConfidence} original={s.confidence} /> <span className="usa-hint">(decreases as the indicator ages)</span></dd></>}
        {s.validFrom && <><dt>Valid from</dt><dd>{shortDate(s.validFrom)}</dd></>}
        {s.type === 'indicator' && <><dt>Valid until</dt><dd>{s.validUntil ? shortDate(s.validUntil) : 'No end date'}</dd></>}
        {SHOWN.filter((k) => o[k] !== undefined).map((k) => (
          <div key={k} className="display-contents">
            <dt>{k.replace(/_/g, ' ')}</dt>
            {k === 'description' && v.descriptionHtml !== null ? (
              <dd className="usa-prose eoc-description" dangerouslySetInnerHTML={{ __html: v.descriptionHtml }} />
            ) : k === 'external_references' && Array.isArray(o[k]) ? (
              <dd><References refs={o[k] as unknown[]} /></dd>
            ) : (
              <dd>{renderValue(o[k])}</dd>
            )}
          </div>
        ))}
        <dt>STIX id</dt><dd><code className="font-mono-2xs">{s.stixId}</code></dd>
      </dl>

      {v.victims && (s.type === 'indicator' || s.type === 'vulnerability') && (
        <p className="usa-alert usa-alert--info usa-alert--slim usa-alert--no-icon padding-1" data-testid="victims">
          {v.victims.notified === 0 ? 'It touches no office\'s systems.' : `${v.victims.notified} office${v.victims.notified === 1 ? '' : 's'} notified, ${v.victims.acknowledged} acknowledged.`} {v.victims.named?.length ? `Named with their agreement: ${v.victims.named.join(', ')}.` : 'Which offices is theirs to know.'}
        </p>
      )}
      {s.type === 'indicator' && (
        <section aria-labelledby="feedback" className="margin-top-4">
          <h2 id="feedback">Seen it? Wrong?</h2>
          <p>
            {v.feedback.sightings > 0 ? `Seen ${v.feedback.sightings.toLocaleString('en-US')} time${v.feedback.sightings === 1 ? '' : 's'} by ${v.feedback.sightingOrgs} organisation${v.feedback.sightingOrgs === 1 ? '' : 's'}.` : 'No sightings reported yet.'}
            {v.feedback.falsePositives > 0 ? ` Reported as a false positive by ${v.feedback.falsePositives} organisation${v.feedback.falsePositives === 1 ? '' : 's'}.` : ''}
          </p>
          {v.feedback.named && v.feedback.named.length > 0 && (
            <p>Organisations that let you know it was them: {v.feedback.named.map((n) => `${n.orgName} (${n.count})`).join(', ')}.</p>
          )}
          {v.feedback.falsePositiveNotes && v.feedback.falsePositiveNotes.some((n) => n.note) && (
            <ul className="usa-list">{v.feedback.falsePositiveNotes.filter((n) => n.note).map((n, i) => <li key={i}>False positive: {n.note}</li>)}</ul>
          )}
          {canAct && !v.mayRevoke && !v.feedback.named && (
            <div className="usa-form usa-form--large">
              <label className="usa-label" htmlFor="sighting-count">How many times did you see it?</label>
              <input className="usa-input usa-input--small" id="sighting-count" type="number" min={1} value={count} onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))} />
              <div className="usa-checkbox margin-top-1">
                <input className="usa-checkbox__input" id="share-name" type="checkbox" checked={shareName} onChange={(e) => setShareName(e.target.checked)} />
                <label className="usa-checkbox__label" htmlFor="share-name">Let the producer know it was my organisation</label>
              </div>
              <label className="usa-label" htmlFor="feedback-note">Note (optional)</label>
              <input className="usa-input" id="feedback-note" maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
              <div className="usa-button-group margin-top-2">
                <button type="button" className="usa-button" onClick={() => void act('Thank you — the sighting was sent to the producer.', `/api/v1/intel/objects/${id}/sightings`, { count, shareName, ...(note.trim() ? { note } : {}) })}>We saw this</button>
                <button type="button" className="usa-button usa-button--outline" disabled={v.feedback.mine.falsePositive} onClick={() => void act('Reported as a false positive.', `/api/v1/intel/objects/${id}/false-positive`, note.trim() ? { note } : {})}>{v.feedback.mine.falsePositive ? 'You reported it as a false positive' : 'It is a false positive'}</button>
              </div>
            </div>
          )}
          {v.mayRevoke && (
            <button type="button" className="usa-button usa-button--secondary margin-top-2" onClick={() => { if (window.confirm('Revoke this indicator for everyone who receives it?')) void act('Revoked. Readers and TAXII clients get the revoked version.', `/api/v1/intel/objects/${id}/revoke`); }}>Revoke this indicator</button>
          )}
        </section>
      )}

      <section aria-labelledby="related" className="margin-top-4">
        <h2 id="related">Related</h2>
        {v.relationships.length === 0 ? <p>No relationships shared with you.</p> : <RelatedGroups relationships={v.relationships} />}
        {v.relationshipsTotal > v.relationships.length && <p className="text-base">{v.relationships.length.toLocaleString('en-US')} of its {v.relationshipsTotal.toLocaleString('en-US')} relationships are listed.</p>}
      </section>

      {v.contents && (
        <section aria-labelledby="contents" className="margin-top-4">
          <h2 id="contents">{s.type === 'report' ? 'In this report' : s.type === 'grouping' ? 'In this grouping' : 'What it refers to'}</h2>
          {v.contents.shared.length === 0 ? <p>Nothing it refers to is shared with you.</p> : (
            <ul className="usa-list">
              {v.contents.shared.map((c) => (
                <li key={c.stixId}><Link to={`/intel/objects/${c.stixId}`}>{c.name ?? c.stixId}</Link> <span className="text-base">({typeWords(c.type)})</span></li>
              ))}
            </ul>
          )}
          {v.contents.notShown > 0 && (
            <p className="text-base">
              {v.contents.notShown.toLocaleString('en-US')} more {v.contents.notShown === 1 ? 'is' : 'are'} not listed: {v.contents.shared.length + v.contents.notShown > 500 ? 'only the first 500 it names are looked up' : v.contents.notShown === 1 ? 'it is not shared with you' : 'they are not shared with you'}.
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="versions" className="margin-top-4">
        <h2 id="versions">Versions</h2>
        <ul className="usa-list">{v.versions.map((x) => <li key={`${x.version}-${x.dateAdded}`}>{x.version ? shortDate(x.version) : 'Unversioned'} <span className="text-base">(added {shortDate(x.dateAdded)})</span></li>)}</ul>
        <details className="margin-top-2">
          <summary>The STIX object as JSON</summary>
          <pre className="eoc-json">{JSON.stringify(o, null, 2)}</pre>
        </details>
      </section>
    </article>
  );
}

type Relationship = ObjectView['relationships'][number];

/**
 * Relationships grouped by what they say, "This uses" (its own) before "Uses this" (others' about it), each
 * group sorted by name; ends not shared with the reader are counted rather than listed one by one. A sighting
 * links to itself (its other end is this object).
 */
function RelatedGroups({ relationships }: { relationships: readonly Relationship[] }) {
  const groups = new Map<string, { label: string; out: boolean; items: Array<{ key: string; stixId: string; name: string; type: string }>; hidden: number }>();
  for (const r of relationships) {
    const verb = (r.relationshipType || r.type).replace(/-/g, ' ');
    const key = `${r.direction} ${verb}`;
    const g = groups.get(key) ?? { label: r.direction === 'out' ? `This ${verb}` : `${verb[0]!.toUpperCase()}${verb.slice(1)} this`, out: r.direction === 'out', items: [], hidden: 0 };
    groups.set(key, g);
    if (r.other) g.items.push({ key: r.stixId, stixId: r.other.stixId, name: r.other.name ?? r.other.stixId, type: r.other.type });
    else if (r.type === 'sighting') g.items.push({ key: r.stixId, stixId: r.stixId, name: 'A sighting', type: 'sighting' });
    else g.hidden += 1;
  }
  const ordered = [...groups.values()].sort((a, b) => Number(b.out) - Number(a.out) || a.label.localeCompare(b.label));
  return (
    <>
      {ordered.map((g) => (
        <div key={g.label}>
          <h3 className="font-sans-sm margin-bottom-05">{g.label} <span className="text-base text-normal">({(g.items.length + g.hidden).toLocaleString('en-US')})</span></h3>
          <ul className={`usa-list margin-top-05${g.items.length + g.hidden > 12 ? ' eoc-columns' : ''}`}>
            {[...g.items].sort((a, b) => a.name.localeCompare(b.name)).map((i) => (
              <li key={i.key}><Link to={`/intel/objects/${i.stixId}`}>{i.name}</Link> <span className="text-base">({typeWords(i.type)})</span></li>
            ))}
            {g.hidden > 0 && <li className="text-base">{g.hidden.toLocaleString('en-US')} {g.hidden === 1 ? 'object' : 'objects'} not shared with you</li>}
          </ul>
        </div>
      ))}
    </>
  );
}

/** An object's sources: each one's name and id, linked when it gives a web address. */
function References({ refs }: { refs: readonly unknown[] }) {
  const items = refs.flatMap((r) => {
    if (!r || typeof r !== 'object') return [];
    const { source_name: name, external_id: externalId, url } = r as { source_name?: unknown; external_id?: unknown; url?: unknown };
    const label = [name, externalId].filter((x): x is string => typeof x === 'string' && x !== '').join(' ');
    return label ? [{ label, href: typeof url === 'string' && webAddress(url) ? url : null }] : [];
  });
  return (
    <ul className="usa-list usa-list--unstyled">
      {items.map((r, i) => <li key={i}>{r.href ? <a href={r.href} rel="noopener noreferrer" target="_blank">{r.label}</a> : r.label}</li>)}
    </ul>
  );
}

/** Only http and https addresses become links (a producer's `javascript:` address stays text). */
function webAddress(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return TIMESTAMP.test(value) ? shortDate(value) : value;
  // Lists of strings, and kill chain phases by name (external references have their own list, References).
  if (Array.isArray(value)) return value.map((x) => (typeof x === 'string' ? x : typeof x === 'object' && x ? ((x as { phase_name?: string }).phase_name ?? JSON.stringify(x)) : String(x))).join(', ');
  return JSON.stringify(value);
}
