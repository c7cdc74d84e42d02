// The demo's inventories: the systems of the featured states' first counties (pollbooks, tabulators, results
// sites, networks, email domains) with end-of-support dates spread from past to years ahead, so the
// end-of-support chart and victim notification have something to show. Written with the checks people's
// entries go through.
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../platform/context.js';
import { orgs } from '../access/schema.js';
import { assets } from '../assets/schema.js';
import { checkAsset } from '../assets/service.js';

const addDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

export async function loadDemoAssets(ctx: AppContext): Promise<number> {
  const counties = await ctx.db
    .select({ id: orgs.id, name: orgs.name, stateCode: orgs.stateCode })
    .from(orgs)
    .where(and(eq(orgs.type, 'local'), inArray(orgs.stateCode, ['GA', 'AZ', 'PA', 'WI', 'MI'])))
    .orderBy(orgs.stateCode, orgs.fips);
  const perState = new Map<string, number>();
  let added = 0;
  let n = 0;
  for (const c of counties) {
    const k = perState.get(c.stateCode ?? '') ?? 0;
    if (k >= 4) continue;
    perState.set(c.stateCode ?? '', k + 1);
    n += 1;
    const slug = c.name.toLowerCase().replace(/ elections office$/, '').replace(/[^a-z0-9]+/g, '');
    // Fulton County's results site sits in the demo's botnet range: the demo feed notifies it.
    const net = slug === 'fultoncounty' ? '203.0.113.0/26' : `10.${n}.0.0/16`;
    const rows = [
      { name: 'Pollbooks', component: 'e-pollbook', vendor: 'KnowInk', product: 'Poll Pad', version: '3.4', certification: 'state-certified', endOfSupport: addDays(-120 + 90 * (n % 5)), connectivity: 'indirect-removable-media' },
      { name: 'Tabulators', component: 'scanner-tabulator', vendor: 'ES&S', product: 'DS200', version: '2.17', certification: 'eac-certified', endOfSupport: addDays(200 + 150 * (n % 6)), connectivity: 'never-connected' },
      { name: 'Election-night results', component: 'election-night-results-site', ipRanges: [net], domains: [`${slug}results.example`], connectivity: 'network-connected', endOfSupport: addDays(900) },
      { name: 'Office email', component: 'email-domain', domains: [`${slug}votes.example`], connectivity: 'network-connected' },
    ];
    for (const r of rows) {
      const checked = checkAsset(r);
      if (!checked.ok) continue;
      await ctx.db.insert(assets).values({ ...checked.value, orgId: c.id }).onConflictDoNothing();
      added += 1;
    }
  }
  return added;
}
