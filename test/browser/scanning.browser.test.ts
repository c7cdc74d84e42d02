// In a real browser: a county clerk asks for the county's results site to be scanned and accepts the terms;
// the operations center's analyst approves it; the clerk starts a scan, watches it run, and reads what to fix
// first — a self-signed certificate and an open Remote Desktop port on the loopback "results site" — with the
// report card and the report for the county board; a false positive is set aside with a reason.
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { seedOrg, seedUser, startTestNode, type TestNode } from '../harness.js';
import { makeCert } from '../scan-fixtures.js';
import { checkAccessibility, ensureWebBuilt, haveBrowser, launchChromium, openPage, signInEnrolling as signIn } from './browser-kit.js';

const TARGET = '127.0.6.60';

describe.skipIf(!haveBrowser)('hygiene scanning in the browser', () => {
  let node: TestNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets = new Set<net.Socket>();
  let site: https.Server;
  let rdp: net.Server;
  let fulton: { id: string };
  const people = { analyst: 'analyst@center.example.gov', clerk: 'clerk@fulton.example.gov' };

  beforeAll(async () => {
    await ensureWebBuilt();
    node = await startTestNode({ listen: true });
    const center = await seedOrg(node.ctx, 'Operations Center', 'operations-center');
    const ga = await seedOrg(node.ctx, 'Georgia Elections Division', 'state', undefined, { fips: '13', stateCode: 'GA' });
    fulton = await seedOrg(node.ctx, 'Fulton County Elections', 'local', ga.id, { fips: '13121', stateCode: 'GA' });
    await seedUser(node.ctx, center.id, 'analyst', { email: people.analyst });
    await seedUser(node.ctx, fulton.id, 'member', { email: people.clerk });
    const cert = await makeCert({ cn: 'results.fulton.test' });
    site = https.createServer({ key: cert.key, cert: cert.cert }, (_q, r) => r.end('<html><title>Results</title></html>'));
    rdp = net.createServer((s) => sockets.add(s.on('error', () => undefined)));
    await new Promise<void>((r) => site.listen(443, TARGET, () => r()));
    await new Promise<void>((r) => rdp.listen(3389, TARGET, () => r()));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((r) => site?.close(r));
    for (const s of sockets) s.destroy();
    await new Promise((r) => rdp?.close(r));
    await node?.close();
  });

  it('from the request to what to fix first', { timeout: 120_000 }, async () => {
    const clerk = await openPage(browser, contexts);
    await signIn(clerk, node.url, people.clerk);
    await clerk.getByRole('link', { name: 'Scanning' }).click();
    await clerk.getByRole('heading', { name: 'Cyber hygiene scanning' }).waitFor();
    await clerk.getByText('Your office has not asked to be scanned yet.').waitFor();
    await clerk.getByRole('button', { name: 'Ask to be scanned' }).click();
    await clerk.getByLabel('Your internet-facing systems').fill('10.0.0.0/8');
    await clerk.locator('label[for=scan-accept]').click();
    await clerk.getByRole('button', { name: 'Send the request' }).click();
    await clerk.getByText('too large a range').first().waitFor();
    await clerk.getByLabel('Your internet-facing systems').fill(TARGET);
    await checkAccessibility(clerk);
    await clerk.getByRole('button', { name: 'Send the request' }).click();
    await clerk.getByText('waiting for the operations center').waitFor();

    const analyst = await openPage(browser, contexts);
    await signIn(analyst, node.url, people.analyst);
    await analyst.goto(`${node.url}/scanning`);
    await analyst.getByRole('heading', { name: 'Fulton County Elections' }).waitFor();
    await checkAccessibility(analyst);
    await analyst.getByRole('button', { name: 'Approve' }).click();
    await analyst.getByText('Approved: Fulton County Elections will be scanned.').waitFor();

    await clerk.reload();
    await clerk.getByRole('button', { name: 'Scan now' }).click();
    await clerk.getByText('Scan started.').waitFor();
    const findings = clerk.getByTestId('findings');
    await findings.getByText('Remote Desktop (RDP) is reachable from the internet').waitFor({ timeout: 60_000 });
    await findings.getByText('The certificate is self-signed').waitFor();
    const card = clerk.getByTestId('report-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('High');
    await checkAccessibility(clerk);
    await clerk.screenshot({ path: '/tmp/scanning-clerk.png', fullPage: true });

    // What to do, in plain words, and a false positive set aside.
    await findings.getByText('The certificate is self-signed').click();
    await findings.getByText('Replace it with a certificate from a public certificate authority', { exact: false }).waitFor();
    await findings.getByRole('button', { name: 'This is not a problem…' }).first().click();
    await clerk.getByLabel('Why it is not a problem').fill('This host only serves our own monitoring; browsers never see it.');
    await clerk.getByRole('button', { name: 'Mark as not a problem' }).click();
    await clerk.getByText('Marked as not a problem').waitFor();
    await findings.getByText('The certificate is self-signed').waitFor({ state: 'detached' });

    const report = await clerk.request.get(`${node.url}/api/v1/scan-reports/${fulton.id}`);
    expect(report.status()).toBe(200);
    expect(await report.text()).toContain('Remote Desktop (RDP) is reachable from the internet');
    await clerk.goto(`${node.url}/api/v1/scan-reports/${fulton.id}`);
    await clerk.getByRole('heading', { name: 'Cyber hygiene report' }).waitFor();
    await checkAccessibility(clerk);
    await clerk.screenshot({ path: '/tmp/scanning-report.png', fullPage: true });
  });
});
