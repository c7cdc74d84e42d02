// In a real browser: Georgia's audit administrator sets up a ballot-polling audit of Fulton and Cobb; each county
// uploads its ballot manifest (Fulton's first try has a totals row and is refused, row by row); the state enters
// the dice seed and draws round 1; each county sets up an audit board and hands over the passphrase; the boards
// sign in on their own devices, enter every ballot and sign off; the state's page shows the risk under the limit
// and the audit complete, with its record and public summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedOrg, seedUser, startTestNode, type TestNode } from '../harness.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, openPage, signIn } from './browser-kit.js';

describe.skipIf(!haveBrowser)('a risk-limiting audit in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const people = { state: 'audits@sos.ga.example.gov', fulton: 'clerk@fulton.example.gov', cobb: 'clerk@cobb.example.gov' };

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(node.ctx, 'Georgia Secretary of State', 'state', undefined, { fips: '13', stateCode: 'GA' });
    const fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', ga.id, { fips: '13121', stateCode: 'GA' });
    const cobb = await seedOrg(node.ctx, 'Cobb County Elections', 'local', ga.id, { fips: '13067', stateCode: 'GA' });
    await seedUser(node.ctx, ga.id, 'member', { email: people.state });
    await seedUser(node.ctx, fulton.id, 'member', { email: people.fulton });
    await seedUser(node.ctx, cobb.id, 'member', { email: people.cobb });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await node?.close();
  });

  async function uploadManifest(page: Page, county: string, ballots: string, csv: string) {
    await page.getByLabel(`Ballots cast in ${county}`).fill(ballots);
    await page.getByLabel('Ballot manifest (CSV)').setInputFiles({ name: 'manifest.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  }

  async function runBoard(url: string, passphrase: string, names: [string, string]) {
    const board = await openPage(browser, contexts);
    await board.goto(`${url}/audit-board`);
    await board.getByLabel('Passphrase').fill(passphrase);
    await board.getByRole('button', { name: 'Sign in' }).click();
    await board.getByLabel("First member's full name").fill(names[0]);
    await board.getByLabel("Second member's full name").fill(names[1]);
    await board.getByRole('button', { name: 'Start' }).click();
    let i = 0;
    for (;;) {
      const save = board.getByRole('button', { name: 'We both agree: save' });
      const signOff = board.getByRole('button', { name: /^We sign off/ });
      await Promise.race([save.waitFor(), signOff.waitFor()]);
      if (await signOff.isVisible()) break;
      if (i === 0) {
        await checkAccessibility(board);
        await board.screenshot({ path: '/tmp/rla-ballot.png', fullPage: true });
      }
      // The paper: four in five for Alice.
      await board.getByText(i % 5 === 4 ? 'Bob Brown' : 'Alice Adams', { exact: true }).click();
      const before = await board.getByRole('heading', { level: 2 }).first().textContent();
      await save.click();
      await board.waitForFunction((text) => document.querySelector('h2')?.textContent !== text || !!document.querySelector('button.usa-button--big:not([disabled])')?.textContent?.startsWith('We sign off'), before);
      i++;
    }
    await board.screenshot({ path: '/tmp/rla-board.png', fullPage: true });
    await board.getByRole('button', { name: /^We sign off/ }).click();
    await board.getByText('Signed off.').waitFor();
    return i;
  }

  it('from setup to a completed audit with its report', { timeout: 240_000 }, async () => {
    const state = await openPage(browser, contexts);
    await signIn(state, node.url, people.state);
    await state.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await state.getByRole('link', { name: 'Audits', exact: true }).click();
    await state.getByRole('heading', { name: 'Audits of paper ballots' }).waitFor();
    await state.getByRole('button', { name: 'Set up an audit' }).click();
    await state.getByLabel('Name of the audit').fill('November general: governor');
    await state.getByLabel('Risk limit (percent)').fill('10');
    await state.locator('label', { hasText: 'Fulton County Elections' }).click();
    await state.locator('label', { hasText: 'Cobb County Elections' }).click();
    await state.getByLabel('Contest name').fill('Governor');
    await state.getByLabel('Ballots cast').fill('1000');
    await state.getByLabel('Contest 1, choice 1 name').fill('Alice Adams');
    await state.getByLabel('Contest 1, choice 1 votes').fill('800');
    await state.getByLabel('Contest 1, choice 2 name').fill('Bob Brown');
    await state.getByLabel('Contest 1, choice 2 votes').fill('200');
    await checkAccessibility(state);
    await state.getByRole('button', { name: 'Set up the audit' }).click();
    await state.getByRole('heading', { name: 'November general: governor' }).waitFor();
    const auditUrl = state.url();

    const fulton = await openPage(browser, contexts);
    await signIn(fulton, node.url, people.fulton);
    await fulton.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await fulton.goto(auditUrl);
    await uploadManifest(fulton, 'Fulton County Elections', '600', 'Batch Name,Number of Ballots\nPrecinct 1,300\nAbsentee,300\nTotal,600\n');
    await fulton.getByText('This looks like a totals row').waitFor();
    await uploadManifest(fulton, 'Fulton County Elections', '600', 'Container,Tabulator,Batch Name,Number of Ballots\nBox 1,T1,Precinct 1,300\nBox 2,T2,Absentee,300\n');
    await fulton.getByText('Manifest accepted.').waitFor();
    const cobb = await openPage(browser, contexts);
    await signIn(cobb, node.url, people.cobb);
    await cobb.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await cobb.goto(auditUrl);
    await uploadManifest(cobb, 'Cobb County Elections', '400', 'Batch Name,Number of Ballots\nEarly Vote,250\nElection Day,150\n');
    await cobb.getByText('Manifest accepted.').waitFor();

    // The state sees both manifests arrive without reloading.
    await state.getByText('2 batches, 400 ballots').waitFor();
    await state.getByLabel('Digits rolled').fill('8471 3096 5823 1094 6722');
    await state.getByRole('button', { name: 'Enter and freeze the seed' }).click();
    await state.getByText('Random seed: 84713096582310946722').waitFor();
    await state.getByText(/90% chance to finish in one round/).waitFor();
    await checkAccessibility(state);
    await state.getByRole('button', { name: 'Draw round 1' }).click();
    await state.getByRole('heading', { name: 'Rounds and risk' }).waitFor();

    const passphrases: string[] = [];
    for (const page of [fulton, cobb]) {
      await page.reload();
      await page.getByRole('button', { name: 'Set up audit boards' }).click();
      const code = page.locator('code.font-mono-md').first();
      await code.waitFor();
      passphrases.push((await code.textContent())!.trim());
      expect(await page.getByRole('link', { name: 'printable PDF with ballot labels' }).getAttribute('href')).toContain('format=pdf');
    }
    await fulton.screenshot({ path: '/tmp/rla-county.png', fullPage: true });

    const entered = (await runBoard(node.url, passphrases[0]!, ['Ann Lee', 'Raj Patel'])) + (await runBoard(node.url, passphrases[1]!, ['Maria Gomez', 'Tom Baker']));
    expect(entered).toBeGreaterThan(10);

    await state.getByText(/The audit is complete/).waitFor({ timeout: 30_000 });
    await state.getByText('Confirmed', { exact: true }).waitFor();
    await checkAccessibility(state);
    await state.screenshot({ path: '/tmp/rla-state.png', fullPage: true });
    const pdf = await state.request.get(`${node.url}${await state.getByRole('link', { name: 'Audit record (PDF)' }).getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await state.getByRole('link', { name: 'Public summary' }).click();
    await state.getByText('TLP:CLEAR').waitFor();
    await state.getByText(/the reported winner is confirmed/).waitFor();
    await state.screenshot({ path: '/tmp/rla-public.png', fullPage: true });
  });
});
