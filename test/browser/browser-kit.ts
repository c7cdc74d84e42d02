// What the browser tests share: Debian's Chromium through playwright-core, the built UI, signing in (with the
// authenticator enrolment the policy asks of analysts and admins) and the accessibility basics.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../harness.js';
import { currentTotp } from '../../src/access/mfa.js';

export const CHROMIUM = '/usr/bin/chromium';
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const haveBrowser = fs.existsSync(CHROMIUM);
if (!haveBrowser && process.env.EOC_REQUIRE_BROWSER === '1') throw new Error(`${CHROMIUM} is missing but EOC_REQUIRE_BROWSER=1: install Debian's chromium.`);

export async function ensureWebBuilt(): Promise<void> {
  if (fs.existsSync(path.join(root, 'web/dist/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' });
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
}

export async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in and, when asked (first sign-in of an analyst or admin), enrols an authenticator; ends on the inbox. */
export async function signInEnrolling(page: Page, url: string, email: string): Promise<void> {
  await signIn(page, url, email);
  const enrol = page.getByRole('heading', { name: 'Set up your authenticator app' });
  const inbox = page.getByRole('heading', { name: 'Inbox', level: 1 });
  await Promise.race([enrol.waitFor(), inbox.waitFor()]);
  if (await enrol.isVisible()) {
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    await page.getByLabel('6-digit code').fill(currentTotp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    // USWDS draws its own checkboxes and radios: people click the label.
    await page.locator('label[for="saved"]').click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await inbox.waitFor();
  }
}

/** Accessibility basics a screen-reader user relies on: one h1, a label for every field, a skip link, a language. */
export async function checkAccessibility(page: Page): Promise<void> {
  const report = await page.evaluate(() => {
    const unlabelled = [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => (el as HTMLInputElement).type !== 'hidden')
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => el.outerHTML.slice(0, 80));
    return { h1: document.querySelectorAll('h1').length, unlabelled, skip: Boolean(document.querySelector('a.usa-skipnav[href="#main-content"]')), lang: document.documentElement.lang };
  });
  expect(report).toEqual({ h1: 1, unlabelled: [], skip: true, lang: 'en' });
}

/** A fresh browser context (its own cookies) and page; page errors fail the test. Contexts are kept for closing. */
export async function openPage(browser: Browser, contexts: BrowserContext[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  return page;
}
