// In a real browser (Debian Chromium through playwright-core):
// 1. A county official reports a power outage at a polling place; an analyst of the operations center sees it
//    appear live on the board, assesses it operational, applies the playbook and resolves it; the county,
//    watching its report, sees each step without reloading.
// 2. A county reports a phishing wave to its state only (AMBER+STRICT); the operations center cannot see it
//    until the county escalates it; then it appears on the center's board. Another state never sees it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from '../harness.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, root, signInEnrolling as signIn } from './browser-kit.js';

describe.skipIf(!haveBrowser)('incident response in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const org = {} as Record<'center' | 'ga' | 'az' | 'fulton' | 'cobb', { id: string }>;
  const people = {} as Record<'fulton' | 'cobb' | 'analyst' | 'gaAnalyst' | 'az', { id: string; email: string }>;

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    const ctx = node.ctx;
    org.center = await seedOrg(ctx, 'Operations Center', 'operations-center');
    org.ga = await seedOrg(ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    org.az = await seedOrg(ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    org.fulton = await seedOrg(ctx, 'Fulton County Elections', 'local', org.ga.id, { fips: '13121', stateCode: 'GA' });
    org.cobb = await seedOrg(ctx, 'Cobb County Elections', 'local', org.ga.id, { fips: '13067', stateCode: 'GA' });
    const add = async (key: keyof typeof people, orgId: string, role: 'member' | 'analyst', email: string) => {
      const u = await seedUser(ctx, orgId, role, { email });
      people[key] = { id: u.id, email };
    };
    await add('fulton', org.fulton.id, 'member', 'clerk@fulton.example.gov');
    await add('cobb', org.cobb.id, 'member', 'it@cobb.example.gov');
    await add('analyst', org.center.id, 'analyst', 'watch@center.example.gov');
    await add('gaAnalyst', org.ga.id, 'analyst', 'soc@sos.ga.example.gov');
    await add('az', org.az.id, 'analyst', 'soc@az.example.gov');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });

  /** The success message after an action (the timeline may repeat its words). */
  const confirmed = (page: Page, text: string) => page.locator('.usa-alert--success', { hasText: text }).waitFor();
  let analystPage: Page;

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    return page;
  }

  it('a power outage: reported by the county, seen live on the board, triaged, worked and resolved', async () => {
    const analyst = await openPage();
    analystPage = analyst;
    await signIn(analyst, node.url, people.analyst.email);
    // Today is election day in Georgia: the analyst puts it on the calendar.
    await analyst.getByRole('link', { name: 'Elections' }).click();
    await analyst.getByRole('heading', { name: 'Elections', level: 1 }).waitFor();
    await analyst.getByLabel('Name').fill('Georgia special election');
    await analyst.getByLabel('Kind').selectOption('special');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: node.config.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    await analyst.getByLabel('Election day').fill(today);
    await analyst.locator('label[for="e-nationwide"]').click();
    await analyst.getByLabel('Find an organisation').fill('Georgia');
    await analyst.locator('label.usa-checkbox__label', { hasText: 'Georgia Elections Division' }).click();
    await analyst.getByRole('button', { name: 'Add election' }).click();
    await confirmed(analyst, 'Georgia special election added to the calendar.');
    await analyst.getByRole('row', { name: /Georgia special election/ }).getByText('(today)').waitFor();
    await checkAccessibility(analyst);
    await analyst.reload();
    await analyst.locator('.eoc-countdown', { hasText: 'Election day' }).waitFor();
    await analyst.getByRole('link', { name: 'Live board' }).click();
    await analyst.getByRole('heading', { name: 'Live board', level: 1 }).waitFor();
    await analyst.locator('.live-dot--open').waitFor();
    await checkAccessibility(analyst);

    // The county clerk reports from the form.
    const county = await openPage();
    await signIn(county, node.url, people.fulton.email);
    await county.locator('.eoc-countdown', { hasText: 'Election day' }).waitFor();
    await county.getByRole('link', { name: 'Incidents', exact: true }).click();
    await county.getByRole('link', { name: 'Report an incident' }).click();
    await county.getByRole('heading', { name: 'Report an incident', level: 1 }).waitFor();
    await checkAccessibility(county);
    // Sending an empty form shows what is missing next to each field, and sends nothing.
    await county.getByRole('button', { name: 'Send report' }).click();
    await county.locator('#title-error').waitFor();
    expect(await county.locator('.usa-error-message').count()).toBeGreaterThanOrEqual(4);
    await county.getByLabel('Short title').fill('Power out at Precinct 12');
    await county.getByLabel('What happened').selectOption('power-outage');
    await county.getByLabel('What is affected').selectOption('facility');
    await county.locator('label[for="symptom-degraded"]').click();
    await county.locator('label[for="votingAffected"]').click();
    await county.getByLabel('Polling place or facility (optional)').fill('Central Library');
    await county.getByLabel('What did you see').fill('Lights out since 7:40. Voters are using emergency paper ballots.');
    // The draft survives a reload (a lost connection, a closed tab).
    await county.reload();
    await county.getByText('Your unsent report was restored').waitFor();
    expect(await county.getByLabel('Short title').inputValue()).toBe('Power out at Precinct 12');
    await county.getByRole('button', { name: 'Send report' }).click();
    await county.getByRole('heading', { name: /INC-\d{6}: Power out at Precinct 12/, level: 1 }).waitFor();
    const incidentId = county.url().split('/').pop()!;

    // It appears on the analyst's board without a reload.
    const onBoard = analyst.getByRole('link', { name: /Power out at Precinct 12/ }).first();
    await onBoard.waitFor({ timeout: 20_000 });
    expect(await analyst.locator('.board-tile').first().textContent()).toContain('1');
    if (process.env.EOC_SCREENSHOTS === '1') await analyst.screenshot({ path: path.join(root, 'docs/images/board.png'), fullPage: true });
    // Drill down into Georgia: its counties, Fulton coloured by the outage.
    await analyst.getByRole('button', { name: 'GA', exact: true }).click();
    await analyst.getByRole('heading', { name: 'GA: open incidents by county' }).waitFor();
    const fultonShape = analyst.locator('svg[aria-label^="Map of the counties of GA"] path[aria-label^="Fulton County Elections: 1 open"]');
    await fultonShape.waitFor({ timeout: 20_000 });
    expect(await fultonShape.getAttribute('fill')).toBe('#e66f0e');
    expect(await analyst.locator('table', { hasText: 'Open incidents by county' }).getByText('13121').count()).toBe(1);
    await checkAccessibility(analyst);
    if (process.env.EOC_SCREENSHOTS === '1') await analyst.screenshot({ path: path.join(root, 'docs/images/board-county.png'), fullPage: true });
    await analyst.getByRole('button', { name: '← All states' }).click();
    await onBoard.click();
    await analyst.getByRole('heading', { name: /Power out at Precinct 12/, level: 1 }).waitFor();
    await checkAccessibility(analyst);

    // Triage: operational, with a reason.
    await analyst.locator('label[for="as-operational"]').click();
    await analyst.getByLabel('Why').fill('Utility outage on the whole block; no sign of tampering.');
    await analyst.getByRole('button', { name: 'Save triage' }).click();
    await confirmed(analyst, 'Triage saved.');
    await county.locator('.usa-tag', { hasText: 'Triaged' }).waitFor({ timeout: 20_000 });
    await county.getByText('Utility outage on the whole block').first().waitFor();

    // The playbook, one task done, then resolved.
    await analyst.getByRole('button', { name: /Apply playbook: Power cut or facility problem/ }).click();
    await confirmed(analyst, 'Playbook applied');
    expect(await analyst.locator('input[id^="task-"]').count()).toBe(5);
    await analyst.locator('label', { hasText: 'Check that voters can still vote' }).click();
    await confirmed(analyst, 'Task done.');
    await county.getByText(/1 of 5 done/).waitFor({ timeout: 20_000 });
    await analyst.getByRole('button', { name: 'Resolve' }).click();
    await confirmed(analyst, 'Status: Resolved.');
    await county.locator('.usa-tag', { hasText: 'Resolved' }).waitFor({ timeout: 20_000 });
    await county.getByText('Status investigating → resolved', { exact: false }).or(county.getByText('Status triaged → resolved', { exact: false })).first().waitFor();

    if (process.env.EOC_SCREENSHOTS === '1') await analyst.screenshot({ path: path.join(root, 'docs/images/incident.png'), fullPage: true });
    // Through the API: the same status for the county, 404 for Arizona.
    const api = client(node, await tokenFor(node.ctx, people.fulton.id));
    expect((await api.get(`/api/v1/incidents/${incidentId}`)).json().status).toBe('resolved');
    expect((await client(node, await tokenFor(node.ctx, people.az.id)).get(`/api/v1/incidents/${incidentId}`)).statusCode).toBe(404);
  });

  it('a phishing report to the state only reaches the operations center when the county escalates it', async () => {
    // The center's analyst is still signed in from the first scenario (a second sign-in would need a fresh code).
    const center = analystPage;
    await center.goto(`${node.url}/board`);
    await center.getByRole('heading', { name: 'Live board', level: 1 }).waitFor();
    const arizona = await openPage();
    await signIn(arizona, node.url, people.az.email);
    await arizona.goto(`${node.url}/board`);
    await arizona.getByRole('heading', { name: 'Live board', level: 1 }).waitFor();

    const county = await openPage();
    await signIn(county, node.url, people.cobb.email);
    await county.goto(`${node.url}/incidents/new`);
    await county.getByLabel('Short title').fill('Phishing: fake poll-worker pay portal');
    await county.getByLabel('What happened').selectOption('phishing');
    await county.getByLabel('What is affected').selectOption('email');
    await county.locator('label[for="symptom-observed"]').click();
    await county.getByLabel('What did you see').fill('Six poll workers got the same email asking them to confirm bank details.');
    await county.locator('label[for="tlp-amber-strict"]').click();
    await county.getByText('Recipients: your state and the operations center').click();
    await county.getByLabel('Find an organisation').fill('Georgia');
    await county.locator('label.usa-checkbox__label', { hasText: 'Georgia Elections Division' }).click();
    await county.getByRole('button', { name: 'Send report' }).click();
    await county.getByRole('heading', { name: /Phishing: fake poll-worker pay portal/, level: 1 }).waitFor();
    const id = county.url().split('/').pop()!;
    const centerApi = client(node, await tokenFor(node.ctx, people.analyst.id));
    expect((await centerApi.get(`/api/v1/incidents/${id}`)).statusCode).toBe(404);
    expect((await client(node, await tokenFor(node.ctx, people.gaAnalyst.id)).get(`/api/v1/incidents/${id}`)).statusCode).toBe(200);

    // The county escalates; the center's board shows it live.
    await county.getByLabel('To', { exact: true }).selectOption('operations-center');
    await county.getByRole('button', { name: 'Escalate' }).click();
    await confirmed(county, 'Escalated.');
    await center.getByRole('link', { name: /Phishing: fake poll-worker pay portal/ }).first().waitFor({ timeout: 20_000 });
    expect((await centerApi.get(`/api/v1/incidents/${id}`)).statusCode).toBe(200);

    // Arizona's board never shows it, before or after a reload.
    expect(await arizona.getByText('Phishing: fake poll-worker pay portal').count()).toBe(0);
    await arizona.reload();
    await arizona.getByRole('heading', { name: 'Live board', level: 1 }).waitFor();
    expect(await arizona.getByText('Phishing: fake poll-worker pay portal').count()).toBe(0);
    expect((await client(node, await tokenFor(node.ctx, people.az.id)).get(`/api/v1/incidents/${id}`)).statusCode).toBe(404);
  });
});
