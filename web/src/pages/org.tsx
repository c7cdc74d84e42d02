// An organisation: who it is, its contacts by role (primary and backup), its people, and — for its
// administrators — invitations, deactivation and the organisation's audit log.
import { useEffect, useState, type FormEvent } from 'react';
import { del, get, post, put, type Contact, type OrgDetail, type Role, type User } from '../api.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorAlert, Loading, SuccessAlert } from '../components/alerts.js';
import { ORG_TYPE_LABEL } from './directory.js';
import { AuditLog } from './audit-log.js';
import { Webhooks } from './webhooks.js';

const CONTACT_ROLES: Record<string, string> = {
  director: 'Director',
  it: 'IT',
  communications: 'Communications',
  'voting-system-lead': 'Voting-system lead',
  'e-pollbook-lead': 'E-pollbook lead',
};

const ROLE_LABEL: Record<Role, string> = { 'org-admin': 'Administrator', analyst: 'Analyst', member: 'Member', viewer: 'Viewer' };

export function OrgPage({ id }: { id: string }) {
  const [org, setOrg] = useState<OrgDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tab, setTab] = useState<'people' | 'contacts' | 'webhooks' | 'audit'>('contacts');
  const load = () => get<OrgDetail>(`/api/v1/orgs/${id}`).then(setOrg, setError);
  useEffect(() => {
    setOrg(null);
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  if (error && !org) return <ErrorAlert error={error} heading="Could not open this organisation" />;
  if (!org) return <Loading what="the organisation" />;
  const tabs: { key: typeof tab; label: string }[] = [
    { key: 'contacts', label: 'Contacts' },
    { key: 'people', label: 'People' },
    ...(org.canAdmin ? [{ key: 'webhooks' as const, label: 'Webhooks' }, { key: 'audit' as const, label: 'Audit log' }] : []),
  ];
  return (
    <>
      <h1 className="margin-bottom-05">{org.name}</h1>
      <p className="margin-top-0 text-base">
        {ORG_TYPE_LABEL[org.type]}
        {org.stateCode ? ` · ${org.stateCode}` : ''}
        {org.fips ? ` · FIPS ${org.fips}` : ''}
        {org.parent ? (
          <>
            {' '}
            · part of <Link to={`/orgs/${org.parent.id}`}>{org.parent.name}</Link>
          </>
        ) : null}
        {` · ${org.userCount} people`}
        {org.childCount ? ` · ${org.childCount} local offices` : ''}
      </p>
      <div className="usa-button-group margin-y-2" role="tablist" aria-label="Sections">
        {tabs.map((t) => (
          <button key={t.key} type="button" role="tab" aria-selected={tab === t.key} className={`usa-button ${tab === t.key ? '' : 'usa-button--outline'}`} onClick={() => setTab(t.key)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === 'contacts' && <Contacts org={org} onSaved={() => void load()} />}
        {tab === 'people' && <People org={org} />}
        {tab === 'webhooks' && org.canAdmin && <Webhooks orgId={org.id} />}
        {tab === 'audit' && org.canAdmin && <AuditLog orgId={org.id} />}
      </div>
    </>
  );
}

function Contacts({ org, onSaved }: { org: OrgDetail; onSaved: () => void }) {
  const [editing, setEditing] = useState(false);
  const [rows, setRows] = useState<Contact[]>(org.contacts.map((c) => ({ ...c })));
  const [error, setError] = useState<unknown>(null);
  const find = (role: string, rank: 'primary' | 'backup') => org.contacts.find((c) => c.role === role && c.rank === rank);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const contacts = rows.filter((r) => r.name.trim()).map((r) => ({ role: r.role, rank: r.rank, name: r.name.trim(), email: r.email?.trim() || null, phone: r.phone?.trim() || null }));
      await put(`/api/v1/orgs/${org.id}/contacts`, { contacts });
      setEditing(false);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  if (editing) {
    const value = (role: string, rank: 'primary' | 'backup') => rows.find((r) => r.role === role && r.rank === rank) ?? { role, rank, name: '', email: '', phone: '' };
    const update = (role: string, rank: 'primary' | 'backup', field: 'name' | 'email' | 'phone', v: string) => {
      const others = rows.filter((r) => !(r.role === role && r.rank === rank));
      setRows([...others, { ...value(role, rank), [field]: v }]);
    };
    return (
      <form onSubmit={(e) => void save(e)}>
        <ErrorAlert error={error} heading="The contacts were not saved" />
        {Object.entries(CONTACT_ROLES).map(([role, label]) => (
          <fieldset className="usa-fieldset margin-bottom-3" key={role}>
            <legend className="usa-legend usa-legend--large">{label}</legend>
            {(['primary', 'backup'] as const).map((rank) => (
              <div className="grid-row grid-gap" key={rank}>
                {(['name', 'email', 'phone'] as const).map((field) => (
                  <div className="grid-col-12 tablet:grid-col-4" key={field}>
                    <label className="usa-label" htmlFor={`${role}-${rank}-${field}`}>
                      {rank === 'primary' ? 'Primary' : 'Backup'} {field}
                    </label>
                    <input className="usa-input" id={`${role}-${rank}-${field}`} type={field === 'email' ? 'email' : field === 'phone' ? 'tel' : 'text'} value={value(role, rank)[field] ?? ''} onChange={(e) => update(role, rank, field, e.target.value)} />
                  </div>
                ))}
              </div>
            ))}
          </fieldset>
        ))}
        <button className="usa-button" type="submit">
          Save contacts
        </button>
        <button className="usa-button usa-button--unstyled margin-left-2" type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    );
  }
  return (
    <>
      <table className="usa-table usa-table--borderless usa-table--stacked width-full">
        <caption className="usa-sr-only">Contacts by role</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Primary</th>
            <th scope="col">Backup</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(CONTACT_ROLES).map(([role, label]) => (
            <tr key={role}>
              <th scope="row" data-label="Role">
                {label}
              </th>
              {(['primary', 'backup'] as const).map((rank) => {
                const c = find(role, rank);
                return (
                  <td key={rank} data-label={rank === 'primary' ? 'Primary' : 'Backup'}>
                    {c ? (
                      <>
                        {c.name}
                        {c.email && (
                          <>
                            <br />
                            <a href={`mailto:${c.email}`}>{c.email}</a>
                          </>
                        )}
                        {c.phone && (
                          <>
                            <br />
                            <a href={`tel:${c.phone}`}>{c.phone}</a>
                          </>
                        )}
                      </>
                    ) : (
                      <span className="text-base">not set</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {org.canAdmin && (
        <button className="usa-button usa-button--outline" type="button" onClick={() => setEditing(true)}>
          Edit contacts
        </button>
      )}
    </>
  );
}

interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly expiresAt: string;
  readonly acceptedAt: string | null;
  readonly revokedAt: string | null;
}

function People({ org }: { org: OrgDetail }) {
  const { me } = useSession();
  const [users, setUsers] = useState<User[] | null>(null);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const load = async () => {
    try {
      setUsers((await get<{ items: User[] }>(`/api/v1/orgs/${org.id}/users`)).items);
      if (org.canAdmin) setInvitations((await get<{ items: Invitation[] }>(`/api/v1/orgs/${org.id}/invitations`)).items.filter((i) => !i.acceptedAt && !i.revokedAt));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org.id]);
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    setMessage('');
    try {
      await fn();
      setMessage(done);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const invite = (e: FormEvent) => {
    e.preventDefault();
    void act(() => post(`/api/v1/orgs/${org.id}/invitations`, { email, role }), `Invitation sent to ${email}.`).then(() => setEmail(''));
  };
  if (!users) return <Loading what="people" />;
  return (
    <>
      {message && <SuccessAlert>{message}</SuccessAlert>}
      <ErrorAlert error={error} />
      <table className="usa-table usa-table--borderless usa-table--stacked width-full">
        <caption className="usa-sr-only">People</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            {org.canAdmin && (
              <th scope="col">
                <span className="usa-sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <th scope="row" data-label="Name">
                {u.name}
              </th>
              <td data-label="Email">{u.email}</td>
              <td data-label="Role">{ROLE_LABEL[u.role]}</td>
              <td data-label="Status">{u.active ? (u.mfaEnabled ? 'Active, with authenticator' : 'Active') : 'Deactivated'}</td>
              {org.canAdmin && (
                <td>
                  {u.id !== me?.user.id &&
                    (u.active ? (
                      <button type="button" className="usa-button usa-button--unstyled text-secondary" onClick={() => window.confirm(`Deactivate ${u.name}? They are signed out everywhere at once and their API tokens stop working.`) && void act(() => post(`/api/v1/users/${u.id}/deactivate`), `${u.name} was deactivated.`)}>
                        Deactivate<span className="usa-sr-only"> {u.name}</span>
                      </button>
                    ) : (
                      <button type="button" className="usa-button usa-button--unstyled" onClick={() => void act(() => post(`/api/v1/users/${u.id}/reactivate`), `${u.name} was reactivated.`)}>
                        Reactivate<span className="usa-sr-only"> {u.name}</span>
                      </button>
                    ))}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {org.canAdmin && (
        <>
          <h2 className="font-sans-lg margin-top-4">Invite someone</h2>
          <form className="usa-form" onSubmit={invite}>
            <label className="usa-label" htmlFor="invite-email">
              Email address
            </label>
            <input className="usa-input" id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <label className="usa-label" htmlFor="invite-role">
              Role
            </label>
            <select className="usa-select" id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {(Object.keys(ROLE_LABEL) as Role[]).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
            <button className="usa-button margin-top-2" type="submit">
              Send invitation
            </button>
          </form>
          {invitations.length > 0 && (
            <>
              <h3 className="margin-top-3">Waiting to be accepted</h3>
              <ul className="usa-list">
                {invitations.map((i) => (
                  <li key={i.id}>
                    {i.email} ({ROLE_LABEL[i.role]}), expires {new Date(i.expiresAt).toLocaleDateString()}{' '}
                    <button type="button" className="usa-button usa-button--unstyled" onClick={() => void act(() => del(`/api/v1/invitations/${i.id}`), `The invitation to ${i.email} was withdrawn.`)}>
                      Withdraw
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </>
  );
}
