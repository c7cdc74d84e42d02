// In a real browser: a county clerk starts watching the county's results page (a loopback page); it comes up;
// the page goes down and the clerk's list shows it down, with the incident it opened; the operations center's
// analyst sees the county's state coloured on the map and the service in the list.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from '../harness.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, openPage, signInEnrolling as signIn } from './browser-kit.js';

const HOST = '127.0.6.70';

describe.skipIf(!haveBrowser)('monitoring in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let failing = false;
  let site: http.Server;
  const people = { analyst: 'analyst@center.example.gov', clerk: 'clerk@fulton.example.gov' };

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    const center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    const fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', ga.id, { fips: '13121', stateCode: 'GA' });
    await seedUser(node.ctx, center.id, 'analyst', { email: people.analyst });
    const clerk = await seedUser(node.ctx, fulton.id, 'member', { email: people.clerk });
    const asset = await client(node, await tokenFor(node.ctx, clerk.id)).post(`/api/v1/orgs/${fulton.id}/assets`, { name: 'Election-night results', component: 'election-night-results-site', ipRanges: [`${HOST}/32`], connectivity: 'network-connected' });
    expect(asset.statusCode).toBe(201);
    site = http.createServer((_q, r) => r.writeHead(failing ? 502 : 200, { 'content-type': 'text/html' }).end('<html><title>Results</title><p>Candidate A: 1,204</p></html>'));
    await new Promise<void>((r) => site.listen(80, HOST, () => r()));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((r) => site?.close(r));
    await node?.close();
  });

  it('from a new monitor to an outage seen on the list and the map', { timeout: 300_000 }, async () => {
    const clerk = await openPage(browser, contexts);
    await signIn(clerk, node.url, people.clerk);
    await clerk.getByRole('link', { name: 'Monitoring' }).click();
    await clerk.getByRole('heading', { name: 'Monitoring' }).waitFor();
    await clerk.getByRole('button', { name: 'Watch a service' }).click();
    await clerk.getByLabel('Address').fill('http://203.0.113.5/');
    await clerk.getByRole('button', { name: 'Start watching' }).click();
    await clerk.getByText("not among the office's approved targets").waitFor();
    await clerk.getByLabel('Address').fill(`http://${HOST}/`);
    await clerk.getByLabel('Name shown to people').fill('Election-night results');
    await clerk.getByLabel('Check every').selectOption('10');
    await checkAccessibility(clerk);
    await clerk.getByRole('button', { name: 'Start watching' }).click();
    await clerk.getByText('Watching it now').waitFor();
    const list = clerk.getByTestId('monitors');
    // Generous waits: on a loaded two-core machine the first check can start late, and the answer can take
    // longer than the 2 s after which a service counts as slow (degraded): either way it is seen answering.
    // A failure says what the list showed instead.
    await list
      .getByText(/^(Up|Slow or expiring)$/)
      .waitFor({ timeout: 90_000 })
      .catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}\nThe list showed: ${await list.textContent()}`);
      });

    failing = true;
    await list.getByText('Down', { exact: true }).waitFor({ timeout: 120_000 });
    expect(await list.textContent()).toContain('HTTP 502');
    await list.getByRole('button', { name: 'Election-night results' }).click();
    await clerk.getByRole('link', { name: 'incident' }).first().waitFor({ timeout: 20_000 });
    await checkAccessibility(clerk);
    await clerk.screenshot({ path: '/tmp/monitoring-clerk.png', fullPage: true });

    const analyst = await openPage(browser, contexts);
    await signIn(analyst, node.url, people.analyst);
    await analyst.goto(`${node.url}/monitoring`);
    await analyst.getByTestId('monitors').getByText('Fulton County Elections').waitFor();
    await analyst.getByRole('button', { name: /Georgia: 1 service not up/ }).waitFor();
    await checkAccessibility(analyst);
    await analyst.screenshot({ path: '/tmp/monitoring-analyst.png', fullPage: true });
    failing = false;
  });
});
