// Types and helpers of the threat-intelligence pages: advisories, the STIX store, collections and feeds.
import { ApiError, type Tlp } from './api.js';
import { csrfHeaders } from './uploads.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type AdvisoryStatus = 'draft' | 'in-review' | 'published' | 'withdrawn';
export type ResponseKind = 'acknowledged' | 'affected' | 'seen';

export const SEVERITY_LABELS: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
export const STATUS_WORDS: Record<AdvisoryStatus, string> = { draft: 'Draft', 'in-review': 'In review', published: 'Published', withdrawn: 'Withdrawn' };
export const RESPONSE_WORDS: Record<ResponseKind, string> = { acknowledged: 'Acknowledged', affected: 'We are affected', seen: 'We saw this' };

export interface AdvisorySummary {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: AdvisoryStatus;
  readonly tlp: Tlp;
  readonly ownerOrg: string;
  readonly ownerName: string;
  readonly components: string[];
  readonly excerpt: string;
  readonly publishedAt: string | null;
  readonly updatedAt: string;
  readonly myResponses: ResponseKind[];
}

export interface ObjectSummary {
  readonly stixId: string;
  readonly type: string;
  readonly name: string | null;
  readonly version: string;
  readonly tlp: Tlp;
  readonly revoked: boolean;
  readonly collectionId: string;
  readonly ownerOrg: string;
  readonly dateAdded: string;
  readonly pattern: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly confidence: number | null;
  /** Its producer no longer keeps it up (ATT&CK's x_mitre_deprecated). */
  readonly deprecated: boolean;
  /** Its MITRE ATT&CK id (T1566, S0604…), when it has one. */
  readonly attackId: string | null;
  readonly state: 'active' | 'not-yet-valid' | 'expired' | 'revoked' | null;
  readonly currentConfidence: number | null;
}

export interface Advisory {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly status: AdvisoryStatus;
  readonly tlp: Tlp;
  readonly summary: string;
  readonly summaryHtml: string;
  readonly actions: string;
  readonly actionsHtml: string;
  readonly components: string[];
  readonly owner: { id: string; name: string };
  /** `people`: the named people of a TLP:RED advisory (the ids of `users`), with their names. */
  readonly recipients: { orgs: Array<{ id: string; name: string }>; users: string[]; people: Array<{ id: string; name: string }> };
  readonly author: { id: string; name: string } | null;
  readonly reviewer: { id: string; name: string } | null;
  readonly reviewNote: string | null;
  readonly publishedAt: string | null;
  readonly withdrawnAt: string | null;
  readonly withdrawnReason: string | null;
  readonly updatedAt: string;
  readonly indicators: ObjectSummary[];
  readonly cves: Array<{ cveId: string; title: string | null; knownExploited: boolean; severity: string | null; yourSystems: Array<{ id: string; name: string; reason: string }> }>;
  readonly incidents: Array<{ id: string; ref: string; title: string; status: string }>;
  readonly responses: Array<{ orgId: string; orgName: string; kind: ResponseKind; note: string | null; at: string }>;
  readonly responseCounts: Record<ResponseKind, number> | null;
  readonly mayEdit: boolean;
  readonly mayReview: boolean;
  readonly mayRespond: boolean;
  readonly stixRefs?: string[];
}

export interface ObjectView {
  readonly object: Record<string, unknown>;
  readonly summary: ObjectSummary;
  readonly feedback: {
    falsePositives: number;
    sightings: number;
    sightingOrgs: number;
    named: Array<{ orgName: string; count: number; lastSeen: string | null }> | null;
    falsePositiveNotes: Array<{ orgName: string | null; note: string | null }> | null;
    mine: { falsePositive: boolean; sightings: number };
  };
  readonly mayRevoke: boolean;
  readonly victims: { notified: number; acknowledged: number; named: string[] } | null;
  readonly versions: Array<{ version: string; dateAdded: string }>;
  readonly relationships: Array<{ stixId: string; type: string; relationshipType: string | null; direction: 'out' | 'in'; other: { stixId: string; type: string; name: string | null } | null }>;
  /** Relationships and sightings shared with you that name this object; the first thousand are listed. */
  readonly relationshipsTotal: number;
  /** The description's Markdown as safe HTML (rendered and cleaned by the server). */
  readonly descriptionHtml: string | null;
  /** What a report, grouping, note, opinion or observed data refers to: the objects shared with you, and how many others. */
  readonly contents: { shared: Array<{ stixId: string; type: string; name: string | null }>; notShown: number } | null;
}

export interface Collection {
  readonly id: string;
  readonly title: string;
  readonly description: string | null;
  readonly readers: 'all' | string[];
  readonly writers: string[];
  readonly defaultTlp: Tlp;
  readonly canRead: boolean;
  readonly canWrite: boolean;
  readonly taxiiPath: string;
  readonly lastAddedAt: string | null;
  /** Object versions stored in it so far. */
  readonly objectsAdded: number;
}

export interface Feed {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly auth: { type: 'none' | 'bearer' | 'basic'; username?: string | null };
  readonly targetCollectionId: string;
  readonly defaultTlp: Tlp;
  readonly intervalMinutes: number;
  readonly enabled: boolean;
  readonly health: 'healthy' | 'failing' | 'waiting' | 'paused';
  readonly checkpoint: string | null;
  readonly nextPollAt: string;
  readonly lastPolledAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly consecutiveFailures: number;
  readonly objectsReceived: number;
  readonly objectsRefused: number;
  readonly lastPollStored: number | null;
  readonly lastPollRefused: number | null;
}

export interface ImportResult {
  readonly converted?: number;
  readonly total?: number;
  readonly stored: number;
  readonly refused: number;
  readonly problems?: Array<{ where: string; message: string }>;
  readonly failures?: Array<{ id: string; message?: string }>;
}

/**
 * Uploads a file with progress (fetch cannot report upload progress; XMLHttpRequest can). Resolves with the
 * JSON answer, rejects with the problem's detail.
 */
export function uploadWithProgress<T = ImportResult>(url: string, file: File, contentType: string, onProgress: (fraction: number) => void, options: { method?: 'POST' | 'PUT'; filename?: string } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(options.method ?? 'POST', url);
    xhr.setRequestHeader('content-type', contentType);
    if (options.filename) xhr.setRequestHeader('x-filename', encodeURIComponent(options.filename));
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        // The problem with its per-row details, as the JSON client reports it.
        const p = (body ?? {}) as { code?: string; title?: string; detail?: string; errors?: Array<{ field?: string; message: string }> };
        reject(new ApiError(xhr.status, p.code ?? 'error', p.title ?? `The upload was refused (${xhr.status}).`, p.detail ?? '', p.errors ?? []));
      }
    };
    xhr.onerror = () => reject(new Error('The upload failed. Check your connection and try again.'));
    xhr.send(file);
  });
}

export function shortDate(iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A STIX type in words: "attack pattern"; ATT&CK's own types (x-mitre-…) as "ATT&CK asset" and so on, other
 * producers' custom types as they are spelt.
 */
export function typeWords(type: string): string {
  if (type.startsWith('x-mitre-') && type.length > 8) return `ATT&CK ${type.slice(8).replace(/-/g, ' ')}`;
  return type.startsWith('x-') ? type : type.replace(/-/g, ' ');
}
