// A small TAXII 2.1 client, written from the specification the way another product's client would be: it
// speaks HTTP to a listening node (no shortcuts into the server), sends the TAXII media types, and pages with
// `next` or with `added_after` and the X-TAXII-Date-Added-Last header.
export const TAXII = 'application/taxii+json;version=2.1';

export interface TaxiiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- TAXII documents of many shapes, checked by the tests
  readonly text: string;
}

export class TaxiiClient {
  constructor(readonly base: string, private readonly auth: string) {}

  static bearer(base: string, token: string): TaxiiClient {
    return new TaxiiClient(base, `Bearer ${token}`);
  }

  static basic(base: string, user: string, token: string): TaxiiClient {
    return new TaxiiClient(base, `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`);
  }

  async request(method: string, path: string, options: { body?: string; contentType?: string; accept?: string } = {}): Promise<TaxiiAnswer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: this.auth, accept: options.accept ?? TAXII, ...(options.body !== undefined ? { 'content-type': options.contentType ?? TAXII } : {}) },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { status: res.status, headers: res.headers, body, text };
  }

  get(path: string, accept?: string): Promise<TaxiiAnswer> {
    return this.request('GET', path, accept ? { accept } : {});
  }

  post(path: string, objects: readonly unknown[]): Promise<TaxiiAnswer> {
    return this.request('POST', path, { body: JSON.stringify({ objects }) });
  }

  /** Every object of a collection, following `next` until `more` is false. */
  async pageAll(collection: string, query = '', limit = 1000): Promise<{ objects: any[]; pages: number }> {
    const objects: unknown[] = [];
    let next: string | undefined;
    let pages = 0;
    for (;;) {
      const q = new URLSearchParams(query);
      q.set('limit', String(limit));
      if (next) q.set('next', next);
      const r = await this.get(`/taxii2/api/collections/${collection}/objects/?${q}`);
      if (r.status !== 200) throw new Error(`page ${pages + 1}: ${r.status} ${r.text}`);
      pages += 1;
      objects.push(...(r.body.objects ?? []));
      if (!r.body.more) return { objects: objects as any[], pages };
      next = r.body.next;
    }
  }

  /** Every object, paging the older way: added_after = the last page's X-TAXII-Date-Added-Last. */
  async pageByDate(collection: string, limit = 1000): Promise<any[]> {
    const objects: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await this.get(`/taxii2/api/collections/${collection}/objects/?limit=${limit}${after ? `&added_after=${after}` : ''}`);
      if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
      const page = (r.body.objects ?? []) as unknown[];
      objects.push(...page);
      if (!r.body.more || page.length === 0) return objects as any[];
      after = r.headers.get('x-taxii-date-added-last');
    }
  }
}
