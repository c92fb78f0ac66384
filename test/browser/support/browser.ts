// Browser tests: Playwright (playwright-core) driving Debian's Chromium, against the built
// server started as a real process on a fresh database. No browser download ever happens.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from '@jest/globals';

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumPresent = () => existsSync(CHROMIUM);
export const SCREENSHOTS = join(process.cwd(), 'tmp', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPresent()) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set PARLEY_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // as root in a container Chromium needs --no-sandbox; the rest keep it off a closed network
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const LAPTOP = { width: 1440, height: 900 };
export const PHONE = { width: 375, height: 812 };

export async function newContext(browser: Browser, baseURL: string, viewport = LAPTOP): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, viewport, reducedMotion: 'reduce' });
  ctx.setDefaultTimeout(15_000);
  return ctx;
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'My rooms' }).waitFor();
}

// axe-core on the page as it is: no serious or critical violation.
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) =>
      `${screen}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
  expect(summary).toEqual([]);
}

// Screenshots of a screen at laptop and phone width, under tmp/screenshots (git-ignored).
export async function screenshots(page: Page, screen: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize() ?? LAPTOP;
  for (const [label, size] of [
    ['laptop', LAPTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOTS, `${screen}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

// A screen is checked once: accessible, then photographed at both widths.
export async function checkScreen(page: Page, screen: string): Promise<void> {
  await expectAccessible(page, screen);
  await screenshots(page, screen);
}
