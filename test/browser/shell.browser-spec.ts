import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import { startApp, type TestApp } from '../support/harness';
import { newUser } from '../support/factories';
import { checkScreen, launchBrowser, newContext, signIn } from './support/browser';

describe('the web app shell', () => {
  let app: TestApp;
  let browser: Browser;
  let ctx: BrowserContext;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    ctx = await newContext(browser, app.server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the first-run page while the install has no users', async () => {
    const page = await ctx.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welcome to Parley');
    await expect(page.getByText('user:create').count()).resolves.toBe(1);
    await checkScreen(page, 'first-run');
    await page.close();
  });

  it('signs in with an HttpOnly cookie that JavaScript cannot read, and signs out', async () => {
    const user = await newUser(app.anon, { displayName: 'Ada Facilitator' });
    const page = await ctx.newPage();
    await page.goto('/sign-in');
    await checkScreen(page, 'sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong email or password');

    await signIn(page, user.email, user.password);
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === 'parley_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
    await expect(page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)')).resolves.not.toContain(session!.value);
    await checkScreen(page, 'rooms-empty');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // the old cookie value no longer opens a session
    const me = await fetch(`${app.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `parley_session=${session!.value}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    }).then((r) => r.json() as Promise<{ errors: Array<{ extensions: { code: string } }> }>);
    expect(me.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await page.close();
  });

  it('serves deep links from the app and answers unknown paths with the not-found page', async () => {
    const page = await ctx.newPage();
    const res = await page.goto('/no/such/page');
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Not found');
    await checkScreen(page, 'not-found');
    await page.close();
  });
});
