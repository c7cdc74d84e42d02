// The organisation's audit log, newest first, for its administrators.
import { useEffect, useState } from 'react';
import { get } from '../api.js';
import { ErrorAlert, Loading } from '../components/alerts.js';

interface Entry {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly outcome: string;
  readonly actorUserId: string | null;
  readonly targetKind: string | null;
  readonly targetId: string | null;
  readonly details: Record<string, unknown>;
}

export function AuditLog({ orgId }: { orgId: string }) {
  const [items, setItems] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = (before?: number) =>
    get<{ items: Entry[] }>(`/api/v1/orgs/${orgId}/audit?limit=50${before ? `&before=${before}` : ''}`).then((r) => setItems((old) => (before ? [...(old ?? []), ...r.items] : r.items)), setError);
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [orgId]);
  if (error) return <ErrorAlert error={error} />;
  if (!items) return <Loading what="the audit log" />;
  const last = items.at(-1);
  return (
    <>
      <p>Every change and every read of AMBER+STRICT or RED information that concerns your organisation. The log is hash-chained: any alteration is detected.</p>
      <table className="usa-table usa-table--borderless usa-table--compact usa-table--stacked width-full" data-testid="audit-log">
        <caption className="usa-sr-only">Audit log</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <td data-label="When">
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </td>
              <th scope="row" data-label="What">
                {e.action}
              </th>
              <td data-label="Outcome">{e.outcome}</td>
              <td data-label="Details" className="font-mono-3xs">
                {JSON.stringify(e.details)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {last && items.length % 50 === 0 && (
        <button type="button" className="usa-button usa-button--outline" onClick={() => void load(last.seq)}>
          Older entries
        </button>
      )}
    </>
  );
}
