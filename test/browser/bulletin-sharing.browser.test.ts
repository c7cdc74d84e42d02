// In a real browser (Debian Chromium through playwright-core): a state official signs in with MFA and sends
// an AMBER bulletin to two of her counties; it appears live in their open inboxes; a third county of the same
// state and another state see nothing — in the UI and through the API.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { client, seedOrg, seedUser, startTestNode, tokenFor, type TestNode } from '../harness.js';
import { currentTotp } from '../../src/access/mfa.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, root, signIn } from './browser-kit.js';

describe.skipIf(!haveBrowser)('bulletin sharing in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    return page;
  }

  it('an AMBER bulletin reaches exactly the two counties it was sent to, live', async () => {
    const ctx = node.ctx;
    const center = await seedOrg(ctx, 'Operations Center', 'operations-center');
    const georgia = await seedOrg(ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    const fulton = await seedOrg(ctx, 'Fulton County Elections', 'local', georgia.id, { fips: '13121', stateCode: 'GA' });
    const cobb = await seedOrg(ctx, 'Cobb County Elections', 'local', georgia.id, { fips: '13067', stateCode: 'GA' });
    const dekalb = await seedOrg(ctx, 'DeKalb County Elections', 'local', georgia.id, { fips: '13089', stateCode: 'GA' });
    const arizona = await seedOrg(ctx, 'Arizona Elections Division', 'state', undefined, { fips: '04', stateCode: 'AZ' });
    const official = await seedUser(ctx, georgia.id, 'analyst', { email: 'official@sos.ga.example.gov' });
    const readers = {
      fulton: await seedUser(ctx, fulton.id, 'member', { email: 'clerk@fulton.example.gov' }),
      cobb: await seedUser(ctx, cobb.id, 'member', { email: 'clerk@cobb.example.gov' }),
      dekalb: await seedUser(ctx, dekalb.id, 'member', { email: 'clerk@dekalb.example.gov' }),
      arizona: await seedUser(ctx, arizona.id, 'member', { email: 'staff@az.example.gov' }),
    };
    const centerUser = await seedUser(ctx, center.id, 'member', { email: 'watch@center.example.gov' });

    // Every reader has the inbox open before the bulletin is sent.
    const inboxes: Record<keyof typeof readers, Page> = {} as Record<keyof typeof readers, Page>;
    for (const [key, user] of Object.entries(readers) as Array<[keyof typeof readers, (typeof readers)[keyof typeof readers]]>) {
      const page = await openPage();
      await signIn(page, node.url, user.email);
      await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
      inboxes[key] = page;
    }
    await checkAccessibility(inboxes.fulton);

    // The state official signs in; her role requires an authenticator app, so she enrols one.
    const page = await openPage();
    await signIn(page, node.url, official.email);
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    await checkAccessibility(page);
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByLabel('6-digit code').fill(currentTotp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await page.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    // USWDS draws its own checkboxes and radios: people click the label.
    await page.locator('label[for="saved"]').click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();

    // She composes an AMBER bulletin to Fulton and Cobb.
    await page.getByRole('link', { name: 'Send a bulletin' }).first().click();
    await page.getByLabel('Title').fill('Suspicious login attempts on e-pollbook accounts');
    await page.getByLabel('Message').fill('Several failed logins from one address. **Reset** the shared e-pollbook password today.');
    await page.locator('label[for="tlp-amber"]').click();
    expect(await page.locator('#tlp-amber').isChecked()).toBe(true);
    await checkAccessibility(page);
    for (const name of ['Fulton County Elections', 'Cobb County Elections']) {
      await page.getByLabel('Find an organisation').fill(name.split(' ')[0]!);
      await page.locator('label.usa-checkbox__label', { hasText: name }).click();
    }
    await expect.poll(() => page.getByTestId('picked-recipients').locator('li').count()).toBe(2);
    await page.getByRole('button', { name: 'Send bulletin' }).click();
    const heading = page.getByRole('heading', { name: 'Suspicious login attempts on e-pollbook accounts', level: 1 });
    await heading.waitFor();
    const bulletinId = page.url().split('/').pop()!;
    expect(bulletinId).toMatch(/^[0-9a-f-]{36}$/);

    // It appears, without a reload, in the two counties' inboxes.
    const title = 'Suspicious login attempts on e-pollbook accounts';
    for (const key of ['fulton', 'cobb'] as const) {
      await inboxes[key].getByRole('link', { name: title }).waitFor({ timeout: 20_000 });
    }
    // A GREEN bulletin sent afterwards reaches everyone live: proof that the others' streams were working.
    const green = await client(node, await tokenFor(ctx, centerUser.id)).post('/api/v1/bulletins', { title: 'Hotline hours for election day', body: 'From 5 a.m.', tlp: 'GREEN' });
    expect(green.statusCode).toBe(201);
    for (const key of ['fulton', 'cobb', 'dekalb', 'arizona'] as const) {
      await inboxes[key].getByRole('link', { name: 'Hotline hours for election day' }).waitFor({ timeout: 20_000 });
    }
    for (const key of ['dekalb', 'arizona'] as const) {
      expect(await inboxes[key].getByRole('link', { name: title }).count()).toBe(0);
      await inboxes[key].reload();
      await inboxes[key].getByRole('link', { name: 'Hotline hours for election day' }).waitFor();
      expect(await inboxes[key].getByRole('link', { name: title }).count()).toBe(0);
    }

    // The same through the API.
    for (const [key, user] of Object.entries(readers)) {
      const api = client(node, await tokenFor(ctx, user.id));
      const allowed = key === 'fulton' || key === 'cobb';
      const list = await api.get('/api/v1/bulletins?limit=200');
      expect(list.statusCode).toBe(200);
      expect((list.json() as { items: Array<{ id: string }> }).items.some((b) => b.id === bulletinId), `${key} lists it`).toBe(allowed);
      expect((await api.get(`/api/v1/bulletins/${bulletinId}`)).statusCode, `${key} fetches it`).toBe(allowed ? 200 : 404);
    }

    // The recipients opening it see the rendered, sanitised body.
    await inboxes.fulton.getByRole('link', { name: title }).click();
    await inboxes.fulton.getByRole('heading', { name: title, level: 1 }).waitFor();
    expect(await inboxes.fulton.locator('.bulletin-body strong').textContent()).toBe('Reset');
    await checkAccessibility(inboxes.fulton);

    if (process.env.EOC_SCREENSHOTS === '1') {
      // A fuller inbox for the README picture.
      const state = client(node, await tokenFor(ctx, official.id));
      await state.post('/api/v1/bulletins', { title: 'Polling-place flooding: move to the backup site on Elm Street', body: 'Precinct 12 moves to the library. Post signs at the old site.', tlp: 'AMBER+STRICT', recipients: { orgs: [cobb.id], users: [] } });
      await state.post('/api/v1/bulletins', { title: 'Call the state office before 6 p.m.', body: 'About the account reset we discussed.', tlp: 'RED', recipients: { orgs: [], users: [readers.cobb.id] } });
      await client(node, await tokenFor(ctx, centerUser.id)).post('/api/v1/bulletins', { title: 'Rumor control: polls do not close early because of weather', body: 'Share this with voters who ask.', tlp: 'CLEAR', recipients: { orgs: [], users: [] } });
      await inboxes.cobb.goto(`${node.url}/`);
      await inboxes.cobb.getByRole('link', { name: /Rumor control/ }).waitFor();
      await inboxes.cobb.getByTestId('bulletin-list').waitFor();
      fs.mkdirSync(path.join(root, 'docs/images'), { recursive: true });
      await inboxes.cobb.screenshot({ path: path.join(root, 'docs/images/inbox.png'), fullPage: true });
    }
  });
});
