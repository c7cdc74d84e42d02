// Threats that touch the office's own systems, told to the office alone: what matched, why it matters, what
// to do, and an acknowledgement (the producer of the threat learns only that an office acknowledged).
import { useCallback, useEffect, useState } from 'react';
import { get, patch, post, type OrgDetail } from '../api.js';
import { useSession } from '../session.js';
import { Link } from '../router.js';
import { useLiveEvents } from '../live.js';
import { ErrorAlert, Loading } from '../components/alerts.js';
import { shortDate } from '../intel-api.js';

interface Match {
  readonly id: string;
  readonly org: { id: string; name: string; own: boolean };
  readonly asset: { id: string; name: string; component: string };
  readonly reason: string;
  readonly matched: string;
  readonly indicator: { type: string; value: string; stixId?: string; name?: string | null };
  readonly why: string;
  readonly todo: string;
  readonly createdAt: string;
  readonly acknowledgedAt: string | null;
  readonly disclosedAt: string | null;
  readonly resolvedAt: string | null;
  readonly resolution: string | null;
}

/** The office's choice to let its state see what touches it (its admins change it). */
function StateSharing({ org, onChange }: { org: OrgDetail; onChange: (org: OrgDetail) => void }) {
  const [error, setError] = useState<unknown>(null);
  if (!org.parent) return null;
  const toggle = async (on: boolean) => {
    try {
      await patch(`/api/v1/orgs/${org.id}`, { shareMatchesWithState: on });
      onChange({ ...org, shareMatchesWithState: on });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="usa-checkbox margin-bottom-2">
      <ErrorAlert error={error} />
      <input className="usa-checkbox__input" id="share-state" type="checkbox" checked={Boolean(org.shareMatchesWithState)} disabled={!org.canAdmin} onChange={(e) => void toggle(e.target.checked)} />
      <label className="usa-checkbox__label" htmlFor="share-state">
        Let {org.parent.name} see the threats that touch our systems
        <span className="usa-checkbox__label-description">{org.canAdmin ? 'Your state can then help you respond. Only your office acknowledges.' : 'Your organisation\'s administrators choose this.'}</span>
      </label>
    </div>
  );
}

export function InventoryAlertsPage() {
  const [items, setItems] = useState<Match[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const { me } = useSession();
  const [org, setOrg] = useState<OrgDetail | null>(null);
  useEffect(() => void get<OrgDetail>(`/api/v1/orgs/${me!.org.id}`).then(setOrg, setError), [me]);
  const load = useCallback(() => get<{ items: Match[] }>('/api/v1/victim-matches').then((r) => setItems(r.items), setError), []);
  useEffect(() => void load(), [load]);
  useLiveEvents(['victim.matched'], (e) => {
    setAnnounce(String(e.data.title ?? 'A threat touches one of your systems'));
    void load();
  });
  const act = async (id: string, action: 'acknowledge' | 'disclose') => {
    try {
      await post(`/api/v1/victim-matches/${id}/${action}`);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  if (!items) return <><ErrorAlert error={error} /><Loading what="threats to your systems" /></>;
  const open = items.filter((m) => !m.acknowledgedAt && !m.resolvedAt);
  return (
    <>
      <p className="margin-bottom-0"><Link to="/inventory">Election systems</Link></p>
      <h1 className="margin-top-05">Threats to our systems</h1>
      <div className="usa-sr-only" aria-live="assertive">{announce}</div>
      <p className="usa-intro margin-top-0">{open.length ? `${open.length} waiting.` : 'Nothing waiting.'} Only your office sees these{org?.shareMatchesWithState ? ' (and your state, as you chose)' : ''}; whoever shared the threat learns only that an office was told and acknowledged, unless you tell them it was you.</p>
      <ErrorAlert error={error} />
      {org && <StateSharing org={org} onChange={setOrg} />}
      {items.map((m) => (
        <div key={m.id} className={`usa-alert ${m.acknowledgedAt || m.resolvedAt ? 'usa-alert--info' : 'usa-alert--warning'} margin-y-2`}>
          <div className="usa-alert__body">
            <h2 className="usa-alert__heading">{m.org.own ? '' : `${m.org.name} · `}{m.asset.name}: {m.indicator.value}</h2>
            {m.resolvedAt && <p className="usa-alert__text"><strong>No longer applies</strong> ({shortDate(m.resolvedAt)}): {m.resolution}</p>}
            <p className="usa-alert__text">{m.why}</p>
            <p className="usa-alert__text"><strong>What matched:</strong> <code>{m.matched}</code> in your inventory{m.indicator.type === 'cve' ? <> · <Link to={`/intel/vulnerabilities?q=${m.indicator.value}`}>{m.indicator.value}</Link></> : null}{m.indicator.name ? <> · the threat: <Link to={`/intel/objects/${m.indicator.stixId}`}>{m.indicator.name}</Link></> : null} · {shortDate(m.createdAt)}</p>
            <p className="usa-alert__text"><strong>What to do:</strong> {m.todo}</p>
            {m.acknowledgedAt && <p className="usa-alert__text">Acknowledged {shortDate(m.acknowledgedAt)}.{m.disclosedAt ? ` You told whoever shared the threat that it touched you (${shortDate(m.disclosedAt)}).` : ''}</p>}
            {m.org.own && !m.resolvedAt && (!m.acknowledgedAt || (!m.disclosedAt && m.indicator.type !== 'cve')) && (
              <div className="usa-button-group margin-top-1">
                {!m.acknowledgedAt && <button type="button" className="usa-button" onClick={() => void act(m.id, 'acknowledge')}>Acknowledge</button>}
                {!m.disclosedAt && m.indicator.type !== 'cve' && <button type="button" className="usa-button usa-button--outline" onClick={() => void act(m.id, 'disclose')}>Tell whoever shared it that it was us</button>}
                {!m.acknowledgedAt && <Link className="usa-button usa-button--outline" to="/incidents/new">Report an incident</Link>}
              </div>
            )}
          </div>
        </div>
      ))}
    </>
  );
}
