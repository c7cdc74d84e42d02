// Raw uploads (attachments) bypass the JSON client but must carry the CSRF token too.
import { getCsrfToken } from './api.js';

export function csrfHeaders(): Record<string, string> {
  const t = getCsrfToken();
  return t ? { 'x-csrf-token': t } : {};
}
