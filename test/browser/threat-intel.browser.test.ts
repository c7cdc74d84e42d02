// In a real browser (Debian Chromium through playwright-core):
// 1. An analyst of the operations center writes an advisory and sends it for review; a second analyst
//    publishes it; a county clerk finds it in the advisories, reads what to do, and says "we are affected";
//    the writing organisation sees the response in its chart and table.
// 2. The clerk pastes a defanged URL into the indicator search, opens the indicator and reports a sighting
//    under its name; an analyst imports a CSV list with the upload progress and the refused line explained.
// 3. The clerk looks up a piece of malware from MITRE ATT&CK for ICS: the search is in the page's address, the
//    description's citations link to their sources, what it uses and what uses it are listed by kind, and the
//    version ATT&CK deprecated is listed only when asked for, and says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedOrg, seedUser, startTestNode, type TestNode } from '../harness.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, openPage, signInEnrolling as signIn } from './browser-kit.js';
import { createCollection } from '../../src/intel/collections-service.js';
import { addObjects } from '../../src/intel/store-service.js';
import { indicatorFor } from '../../src/intel/indicator-values.js';
import { SYSTEM, type UserActor } from '../../src/access/actor.js';
import { sharedData } from '../shared-data.js';

/** Industroyer as ATT&CK for ICS has it (and the version it deprecated), with what it uses and what uses it. */
const INDUSTROYER = 'malware--e401d4fe-f0c9-44f0-98e6-f93487678808';
const DEPRECATED_INDUSTROYER = 'malware--1d8dccb3-e779-4702-aeb1-6627a22cc585';
function industroyer(): unknown[] {
  const all = (JSON.parse(fs.readFileSync(sharedData('attack', 'ics-attack-18.1.json'), 'utf8')) as { objects: Array<Record<string, unknown>> }).objects;
  const rels = all.filter((o) => o.type === 'relationship' && (o.source_ref === INDUSTROYER || o.target_ref === INDUSTROYER));
  const ids = new Set([INDUSTROYER, DEPRECATED_INDUSTROYER, ...rels.flatMap((r) => [r.source_ref as string, r.target_ref as string])]);
  return [...all.filter((o) => ids.has(o.id as string)), ...rels];
}

describe.skipIf(!haveBrowser)('threat intelligence in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const people = {} as Record<'writer' | 'reviewer' | 'clerk', { id: string; email: string }>;
  let centerId = '';
  let gaId = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    const ctx = node.ctx;
    const center = await seedOrg(ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    const fulton = await seedOrg(ctx, 'Fulton County Elections', 'local', ga.id, { fips: '13121', stateCode: 'GA' });
    centerId = center.id;
    gaId = ga.id;
    const add = async (key: keyof typeof people, orgId: string, role: 'member' | 'analyst', email: string) => {
      const u = await seedUser(ctx, orgId, role, { email });
      people[key] = { id: u.id, email };
    };
    await add('writer', center.id, 'analyst', 'writer@center.example.gov');
    await add('reviewer', center.id, 'analyst', 'reviewer@center.example.gov');
    await add('clerk', fulton.id, 'member', 'clerk@fulton.example.gov');
    const collection = await createCollection(ctx, SYSTEM, { title: 'Community indicators', readers: 'all', writers: [center.id], defaultTlp: 'GREEN' });
    const writer: UserActor = { kind: 'user', userId: people.writer.id, orgId: center.id, email: people.writer.email, name: 'Writer', role: 'analyst', systemAdmin: false, orgType: 'operations-center', orgParentId: null, via: 'session', scopes: ['read', 'write'] };
    await addObjects(ctx, writer, collection, { objects: [indicatorFor({ type: 'url', value: 'https://ga-sos-verify.example/login', scope: collection.id, description: 'Credential page, reported by [the state](https://sos.ga.example/alerts) **today**', confidence: 80, now: new Date().toISOString() })] });
    const attack = await createCollection(ctx, SYSTEM, { title: 'MITRE ATT&CK for ICS', readers: 'all', writers: [center.id], defaultTlp: 'CLEAR' });
    expect((await addObjects(ctx, writer, attack, { objects: industroyer() })).failures).toEqual([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });

  const newPage = () => openPage(browser, contexts);
  const confirmed = (page: Page, text: string) => page.locator('.usa-alert--success', { hasText: text }).waitFor();
  // Signed in once (analysts enrol a second factor on their first sign-in), used by both scenarios.
  let writer: Page;
  let clerk: Page;

  it('an advisory is written, reviewed, published, read and answered', async () => {
    writer = await newPage();
    await signIn(writer, node.url, people.writer.email);
    await writer.getByRole('link', { name: 'Advisories', exact: true }).click();
    await writer.getByRole('link', { name: 'Write an advisory' }).click();
    await writer.getByLabel('Title').fill('Fake polling-place change texts');
    await writer.locator('label[for="sev-high"]').click();
    await writer.getByLabel('What is happening').fill('Voters in Georgia receive **texts** saying their polling place moved.');
    await writer.getByLabel('What to do now').fill('1. Post the real polling places on your website.\n2. Report the texts as an incident.');
    await writer.locator('label[for="comp-website"]').click();
    await writer.getByLabel('Find an indicator').fill('hxxps://ga-sos-verify[.]example/login');
    await writer.getByRole('button', { name: 'Find' }).click();
    await writer.getByRole('button', { name: 'Link', exact: true }).click();
    await checkAccessibility(writer);
    await writer.getByRole('button', { name: 'Save and send for review' }).click();
    await writer.getByRole('heading', { name: 'Fake polling-place change texts', level: 1 }).waitFor();
    await writer.getByText('Waiting for another analyst of your organisation to review it.').waitFor();

    const reviewer = await newPage();
    await signIn(reviewer, node.url, people.reviewer.email);
    await reviewer.goto(`${node.url}/advisories`);
    await reviewer.getByRole('button', { name: 'Drafts and reviews' }).click();
    await reviewer.getByRole('link', { name: 'Fake polling-place change texts' }).click();
    await reviewer.getByRole('button', { name: 'Publish now' }).click();
    await confirmed(reviewer, 'Published. Every recipient is being told.');

    clerk = await newPage();
    await signIn(clerk, node.url, people.clerk.email);
    await clerk.getByRole('link', { name: 'Advisories', exact: true }).click();
    await clerk.getByText('Your office has not responded yet.').waitFor();
    await checkAccessibility(clerk);
    await clerk.getByRole('link', { name: 'Fake polling-place change texts' }).click();
    await clerk.getByRole('heading', { name: 'What to do now' }).waitFor();
    expect(await clerk.locator('.eoc-actions-box li').allTextContents()).toEqual(['Post the real polling places on your website.', 'Report the texts as an incident.']);
    expect(await clerk.getByText('Affects: Office website').count()).toBe(1);
    // The indicator it names, downloaded for the office's own tools.
    const [listed] = await Promise.all([clerk.waitForEvent('download'), clerk.getByRole('link', { name: 'Download CSV' }).click()]);
    const lines = fs.readFileSync((await listed.path())!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^url,https:\/\/ga-sos-verify\.example\/login,/);
    await clerk.getByLabel('Note (optional)').fill('Two voters called us about it.');
    await clerk.getByRole('button', { name: 'We are affected' }).click();
    await confirmed(clerk, 'Sent: We are affected.');
    await checkAccessibility(clerk);

    // The writing organisation sees who answered, live.
    await writer.getByRole('row', { name: /Fulton County Elections.*We are affected.*Two voters called us about it/ }).waitFor();
    expect(await writer.locator('.eoc-bars__row', { hasText: 'We are affected' }).textContent()).toContain('1');
  });

  it('a defanged search finds the indicator, a sighting goes to its producer, and a CSV import shows its progress and problems', async () => {
    await clerk.getByRole('link', { name: 'Threat intel' }).click();
    await clerk.getByRole('searchbox', { name: 'Search indicators' }).fill('hxxps://ga-sos-verify[.]example/login');
    await clerk.getByRole('button', { name: 'Search', exact: true }).click();
    // The downloads hold what the list shows: the same kind and search, revoked and deprecated objects when they are shown.
    await clerk.getByRole('link', { name: "[url:value = 'https://ga-sos-verify.example/login']" }).waitFor();
    await clerk.locator('label[for="intel-revoked"]').click();
    const csvLink = clerk.getByRole('link', { name: 'Download CSV' });
    const href = new URL((await csvLink.getAttribute('href'))!, node.url);
    expect(Object.fromEntries(href.searchParams)).toEqual({ format: 'csv', type: 'indicator', q: 'hxxps://ga-sos-verify[.]example/login', includeRevoked: 'true', includeDeprecated: 'true' });
    expect(new URL((await clerk.getByRole('link', { name: 'Download STIX' }).getAttribute('href'))!, node.url).searchParams.get('includeRevoked')).toBe('true');
    const [download] = await Promise.all([clerk.waitForEvent('download'), csvLink.click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain('ga-sos-verify.example/login');
    await clerk.getByRole('link', { name: "[url:value = 'https://ga-sos-verify.example/login']" }).click();
    await clerk.getByRole('heading', { name: 'URL: https://ga-sos-verify.example/login' }).waitFor();
    // The producer's Markdown, shown as text with its link.
    expect(await clerk.getByRole('link', { name: 'the state' }).getAttribute('href')).toBe('https://sos.ga.example/alerts');
    expect(await clerk.locator('.eoc-description strong').textContent()).toBe('today');
    await checkAccessibility(clerk);
    await clerk.getByLabel('How many times did you see it?').fill('4');
    await clerk.locator('label[for="share-name"]').click();
    await clerk.getByRole('button', { name: 'We saw this' }).click();
    await confirmed(clerk, 'the sighting was sent to the producer');
    await clerk.getByText('Seen 4 times by 1 organisation.').waitFor();

    await writer.goto(`${node.url}/intel`);
    await writer.getByRole('link', { name: "[url:value = 'https://ga-sos-verify.example/login']" }).click();
    await writer.getByText('Organisations that let you know it was them: Fulton County Elections (4).').waitFor();

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eoc-csv-')), 'list.csv');
    fs.writeFileSync(file, 'type,value,description,valid_until\ndomain,polls-moved[.]example,SMS link,2099-12-31\nip,not-an-ip,,\n');
    await writer.goto(`${node.url}/intel`);
    await writer.getByLabel('File type').selectOption('csv');
    await writer.getByLabel('File', { exact: true }).setInputFiles(file);
    await writer.getByRole('button', { name: 'Import', exact: true }).click();
    await confirmed(writer, '1 stored, 1 refused');
    await writer.getByRole('row', { name: /line 3.*"not-an-ip" is not an IPv4 address/ }).waitFor();
    await writer.getByRole('link', { name: "[domain-name:value = 'polls-moved.example']" }).waitFor();
    expect(centerId && gaId).toBeTruthy();
  });

  it('ATT&CK malware shows its sources, what it uses and what uses it, and the version ATT&CK deprecated only when asked for', async () => {
    // A search given in the address (a link from a colleague, say) is the one shown.
    await clerk.goto(`${node.url}/intel?type=malware&q=Industroyer`);
    expect(await clerk.getByLabel('Show').inputValue()).toBe('malware');
    await clerk.getByRole('link', { name: 'Industroyer', exact: true }).first().waitFor();
    expect(await clerk.getByRole('link', { name: 'Industroyer', exact: true }).count()).toBe(1);
    expect(await clerk.getByText('deprecated by its producer').count()).toBe(0);
    // What ATT&CK no longer keeps up is there when asked for, and says so.
    await clerk.locator('label[for="intel-revoked"]').click();
    await clerk.getByText('malware · S1004 · deprecated by its producer').waitFor();
    expect(await clerk.getByRole('link', { name: 'Industroyer', exact: true }).count()).toBe(2);
    await clerk.waitForURL(/includeRevoked=true/);
    expect(await clerk.getByLabel('Include revoked and deprecated').isChecked()).toBe(true);
    await clerk.locator('label[for="intel-revoked"]').click();
    await clerk.getByText('deprecated by its producer').waitFor({ state: 'detached' });
    // Analysts name ATT&CK objects by their ids: the search finds one by it.
    await clerk.getByRole('searchbox', { name: 'Search indicators' }).fill('S0604');
    await clerk.getByRole('button', { name: 'Search', exact: true }).click();
    await clerk.getByText('malware · S0604').waitFor();
    expect(await clerk.getByRole('link', { name: 'Industroyer', exact: true }).count()).toBe(1);
    await clerk.getByLabel('Show').selectOption('');
    await clerk.waitForURL(/\/intel\?type=all&q=S0604$/);

    await clerk.goto(`${node.url}/intel/objects/${INDUSTROYER}`);
    await clerk.getByRole('heading', { name: 'Industroyer', level: 1 }).waitFor();
    await clerk.getByText('malware · ATT&CK S0604').waitFor();
    // "(Citation: ESET Industroyer)" in ATT&CK's text: the source's name, linked to it.
    const cited = clerk.locator('.eoc-description').getByRole('link', { name: 'ESET Industroyer' });
    expect(await cited.getAttribute('href')).toMatch(/^https:\/\//);
    expect(await clerk.locator('.eoc-description').textContent()).not.toContain('Citation:');
    await clerk.getByRole('heading', { name: 'This uses (24)', level: 3 }).waitFor();
    await clerk.getByRole('heading', { name: 'Uses this (2)', level: 3 }).waitFor();
    await clerk.getByRole('link', { name: 'Sandworm Team' }).waitFor();
    expect(await clerk.getByText('deprecated by its producer').count()).toBe(0);
    await checkAccessibility(clerk);

    await clerk.goto(`${node.url}/intel/objects/${DEPRECATED_INDUSTROYER}`);
    await clerk.getByText('deprecated by its producer').waitFor();
  });
});
