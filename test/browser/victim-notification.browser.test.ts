// In a real browser: an analyst imports a feed (CSV) in which one address falls in a county's network; the
// county official, watching the page of threats to the county's systems, sees the private notification
// arrive live and acknowledges it; the analyst sees "1 office notified, 1 acknowledged" and nothing more.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from '../harness.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, openPage, signInEnrolling as signIn } from './browser-kit.js';
import { createCollection } from '../../src/intel/collections-service.js';
import { SYSTEM } from '../../src/access/actor.js';

describe.skipIf(!haveBrowser)('victim notification in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const people = { analyst: 'analyst@center.example.gov', clerk: 'clerk@fulton.example.gov' };

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    const center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    const fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', ga.id, { fips: '13121', stateCode: 'GA' });
    await seedUser(node.ctx, center.id, 'analyst', { email: people.analyst });
    const clerk = await seedUser(node.ctx, fulton.id, 'member', { email: people.clerk });
    await createCollection(node.ctx, SYSTEM, { title: 'Scanning sources', readers: 'all', writers: [center.id] });
    const res = await client(node, await tokenFor(node.ctx, clerk.id)).post(`/api/v1/orgs/${fulton.id}/assets`, { name: 'Election-night results', component: 'election-night-results-site', ipRanges: ['203.0.113.0/24'], domains: ['fultonresults.example'], connectivity: 'network-connected' });
    expect(res.statusCode).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });

  const newPage = () => openPage(browser, contexts);

  it('tells the county privately and live; the analyst learns only the count', async () => {
    const clerk = await newPage();
    await signIn(clerk, node.url, people.clerk);
    await clerk.getByRole('link', { name: 'Our systems' }).click();
    await clerk.getByRole('row', { name: /Election-night results/ }).waitFor();
    await checkAccessibility(clerk);
    await clerk.getByRole('link', { name: 'Threats to our systems' }).click();
    await clerk.getByText('Nothing waiting.', { exact: false }).waitFor();

    const analyst = await newPage();
    await signIn(analyst, node.url, people.analyst);
    await analyst.goto(`${node.url}/intel`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-feed-')), 'scanners.csv');
    fs.writeFileSync(file, 'type,value,description\nip,198.51.100.4,Scanner\nip,203.0.113.77,Scanner probing results sites\nip,192.0.2.9,Scanner\n');
    await analyst.getByLabel('File type').selectOption('csv');
    await analyst.getByLabel('File', { exact: true }).setInputFiles(file);
    await analyst.getByRole('button', { name: 'Import', exact: true }).click();
    await analyst.locator('.usa-alert--success', { hasText: '3 stored' }).waitFor();

    // Live, without reloading: the county sees what matched, why and what to do.
    await clerk.getByRole('heading', { name: 'Election-night results: 203.0.113.77' }).waitFor();
    await clerk.getByText('203.0.113.0/24', { exact: true }).waitFor();
    await checkAccessibility(clerk);
    await clerk.getByRole('button', { name: 'Acknowledge' }).click();
    await clerk.getByText(/^Acknowledged /).waitFor();

    await analyst.getByRole('link', { name: "[ipv4-addr:value = '203.0.113.77']" }).click();
    const victims = analyst.getByTestId('victims');
    await victims.waitFor();
    expect(await victims.textContent()).toContain('1 office notified, 1 acknowledged.');
    expect(await analyst.content()).not.toContain('Fulton');
  });

  it('checks an uploaded log with progress, and opens an incident from what it found in one click', async () => {
    const clerk = await newPage();
    await signIn(clerk, node.url, people.clerk);
    await clerk.goto(`${node.url}/inventory`);
    await clerk.getByRole('link', { name: 'Check our logs' }).click();
    await clerk.getByRole('heading', { name: 'Check our logs' }).waitFor();
    await checkAccessibility(clerk);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-log-'));
    const file = path.join(dir, 'access.log');
    const lines: string[] = [];
    for (let i = 1; i <= 30_000; i += 1) lines.push(`${i % 500 === 0 ? '203.0.113.77' : `198.51.100.${i % 200}`} - - [03/Nov/2026:08:00:00 -0500] "GET /results HTTP/1.1" 200 512 "-" "Mozilla/5.0"`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await clerk.getByLabel('What kind of log').selectOption('combined');
    await clerk.getByLabel('The log file').setInputFiles(file);
    const result = clerk.getByTestId('scan-result');
    await result.waitFor();
    // 60 lines from 203.0.113.77 and 150 from 198.51.100.4, both in the feed imported above.
    expect(await result.textContent()).toContain('210 lines match known threats');
    expect(await result.textContent()).toContain('30,000 lines read');
    await checkAccessibility(clerk);
    if (process.env.EOC_SCREENSHOTS) await clerk.screenshot({ path: path.join(process.env.EOC_SCREENSHOTS, 'logs.png'), fullPage: true });
    await clerk.getByRole('button', { name: 'Report an incident' }).click();
    await clerk.getByRole('heading', { name: /Known threats seen in our log "access.log"/ }).waitFor();
  });
});
