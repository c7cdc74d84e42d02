// A small typed client for the REST API: adds the CSRF token to changes, turns problem+json into ApiError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly fields: readonly { field?: string; message: string }[] = [],
  ) {
    super(detail || title);
  }
}

let csrfToken: string | null = null;
export function getCsrfToken(): string | null {
  return csrfToken;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const p = (typeof data === 'object' && data ? data : {}) as { code?: string; title?: string; detail?: string; errors?: { field?: string; message: string }[] };
    throw new ApiError(res.status, p.code ?? 'error', p.title ?? res.statusText, p.detail ?? '', p.errors ?? []);
  }
  return data as T;
}

export const get = <T,>(url: string) => api<T>('GET', url);
export const post = <T,>(url: string, body?: unknown) => api<T>('POST', url, body ?? {});
export const put = <T,>(url: string, body?: unknown) => api<T>('PUT', url, body);
export const patch = <T,>(url: string, body?: unknown) => api<T>('PATCH', url, body);
export const del = <T,>(url: string) => api<T>('DELETE', url);

export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
}

export type Tlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
export type OrgType = 'operations-center' | 'federal' | 'state' | 'territory' | 'local' | 'tribal' | 'private';
export type Role = 'org-admin' | 'analyst' | 'member' | 'viewer';

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly type: OrgType;
  readonly parentId: string | null;
  readonly fips: string | null;
  readonly stateCode: string | null;
  readonly privateKind?: string | null;
  readonly active?: boolean;
  readonly shareMatchesWithState?: boolean;
}

export interface OrgDetail extends Org {
  readonly parent: { id: string; name: string } | null;
  readonly contacts: readonly Contact[];
  readonly userCount: number;
  readonly childCount: number;
  readonly canAdmin: boolean;
}

export interface Contact {
  readonly role: string;
  readonly rank: 'primary' | 'backup';
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
}

export interface User {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly systemAdmin: boolean;
  readonly active: boolean;
  readonly mfaEnabled: boolean;
}

export interface Me {
  readonly user: User;
  readonly org: Pick<Org, 'id' | 'name' | 'type' | 'parentId' | 'stateCode'>;
  readonly csrfToken: string | null;
  readonly pendingMfa: 'verify' | 'enroll' | null;
}

export interface BulletinSummary {
  readonly id: string;
  readonly title: string;
  readonly tlp: Tlp;
  readonly ownerOrg: string;
  readonly ownerName: string;
  readonly authorName: string | null;
  readonly recipients: { orgs: string[]; users: string[] };
  readonly createdAt: string;
  readonly read: boolean;
  readonly excerpt: string;
  readonly attachmentCount?: number;
}

export interface Bulletin extends BulletinSummary {
  readonly body: string;
  readonly bodyHtml: string;
  readonly attachments: readonly { id: string; filename: string; contentType: string; size: number; sha256: string }[];
  readonly recipientDetails: { orgs: { id: string; name: string }[]; users: { id: string; name: string }[] };
  readonly canChangeSharing: boolean;
  readonly canReshare: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}
