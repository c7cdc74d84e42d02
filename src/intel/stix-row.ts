// The shareable columns of `stix_objects` under the alias `o`, as the sharing policy reads them: every query
// of the store that writes `from stix_objects o` passes this to `readableBy`.
import { sql } from 'drizzle-orm';
import type { ShareableColumns } from '../access/policy.js';

export const STIX_ROW: ShareableColumns = {
  ownerOrg: sql`o.owner_org`,
  authorId: sql`o.author_id`,
  tlp: sql`o.tlp`,
  recipientOrgs: sql`o.recipient_orgs`,
  recipientUsers: sql`o.recipient_users`,
};
