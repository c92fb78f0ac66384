import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/harness';
import { fresh, newUser } from '../support/factories';
import { LAPTOP, PHONE, SCREENSHOTS, checkScreen, launchBrowser, newContext, signIn } from './support/browser';

// One negotiation played by three browsers at once: a facilitator and the negotiators of two
// parties, from creating the room to removing a member, over real HTTP and socket.io.

const PASSWORD = 'tangerine-Orbit-8142-velvet';

// polls a condition on the page until it holds (the machine is shared: generous, no fixed sleeps)
async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 25_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await f();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150));
    last = await f();
  }
  return last;
}

// the bodies of the delivered messages of the open thread, in order (not the queued ones)
const bodies = (page: Page) => page.locator('ol.messages > li.message:not(.queued) .message-body').allTextContents();

async function expectBodies(page: Page, expected: string[]) {
  await until(
    'messages',
    () => bodies(page),
    (b) => JSON.stringify(b) === JSON.stringify(expected),
  );
}

async function sendMessage(page: Page, text: string) {
  await page.getByRole('textbox', { name: /^Message to/ }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).press('Enter');
}

async function acceptBySignUp(page: Page, link: string, name: string) {
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: /^Invitation to/ }).waitFor();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email', { exact: true }).fill(`${fresh('neg')}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account and join' }).press('Enter');
  await page.getByRole('navigation', { name: 'Room sections' }).waitFor({ timeout: 30_000 });
}

describe('a live negotiation in three browsers', () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function context(): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await newContext(browser, app.server.url);
    contexts.push(ctx);
    return { ctx, page: await ctx.newPage() };
  }

  it('creates, invites, discusses live, keeps the caucus private, survives going offline, and removes a member', async () => {
    try {
      await negotiation();
    } catch (e) {
      // what each browser showed when it failed, beside the screenshots
      mkdirSync(SCREENSHOTS, { recursive: true });
      await Promise.all(
        contexts.flatMap((c, i) =>
          c.pages().map((p, j) => p.screenshot({ path: join(SCREENSHOTS, `failed-${i}-${j}.png`), fullPage: true }).catch(() => undefined)),
        ),
      );
      throw new Error(`at "${stage}": ${(e as Error).message}`, { cause: e });
    }
  }, 300_000);

  let stage = 'start';
  async function negotiation() {
    const facilitator = await newUser(app.anon, { displayName: 'Fran Facilitator' });
    const fac = await context();
    const north = await context();
    const south = await context();

    // --- the facilitator creates the room, all by keyboard
    stage = 'the facilitator creates the room, all by keyboard';
    await signIn(fac.page, facilitator.email, facilitator.password);
    await fac.page.getByRole('link', { name: 'New room' }).press('Enter');
    await fac.page.getByRole('heading', { level: 1, name: 'New room' }).waitFor();
    const title = fresh('Compute reporting');
    await fac.page.getByLabel('Title').fill(title);
    await fac.page.getByLabel('Purpose').fill('Agree on one shared reporting threshold.');
    await fac.page.getByLabel('Party 1', { exact: true }).fill('Lab North');
    await fac.page.getByLabel('Party 2', { exact: true }).fill('Lab South');
    await fac.page.getByRole('button', { name: 'Add a party' }).press('Enter');
    await fac.page.getByLabel('Party 3', { exact: true }).fill('Lab Spare');
    await fac.page.getByRole('button', { name: /^Remove party 3/ }).press('Enter');
    await expect(fac.page.getByLabel('Party 3', { exact: true }).count()).resolves.toBe(0);
    await fac.page.getByLabel('Parties shown, names hidden').check();
    await fac.page.getByLabel('Names and parties shown').press('Space');
    await checkScreen(fac.page, 'create-room');
    await fac.page.getByRole('button', { name: 'Create the room' }).press('Enter');
    await fac.page.getByRole('heading', { level: 1, name: title }).waitFor();
    const roomUrl = new URL(fac.page.url()).pathname;
    const roomId = roomUrl.split('/')[2];

    // --- invitations, shown once with a copy button
    stage = 'invitations, shown once with a copy button';
    await fac.page.getByRole('link', { name: 'People' }).press('Enter');
    const links: Record<string, string> = {};
    for (const party of ['Lab North', 'Lab South']) {
      await fac.page.getByLabel('Party', { exact: true }).selectOption({ label: party });
      await fac.page.getByRole('button', { name: 'Create invitation' }).press('Enter');
      const field = fac.page.getByLabel(/^Invitation link/);
      await until(
        'the invite link',
        () => field.inputValue().catch(() => ''),
        (v) => v.includes(`/invite#`) && !Object.values(links).includes(v),
      );
      links[party] = await field.inputValue();
      await fac.page.getByRole('button', { name: 'Copy link' }).press('Enter');
      await fac.page.getByText('Copied.').waitFor();
    }
    expect(links['Lab North']).toMatch(new RegExp(`^${app.server.url}/invite#[A-Za-z0-9_-]+$`));
    await until(
      'two open invitations',
      () => fac.page.getByRole('list', { name: 'Invitations sent' }).getByRole('listitem').count(),
      (n) => n === 2,
    );

    // --- invite preview, then sign up through it
    stage = 'invite preview, then sign up through it';
    await north.page.goto(links['Lab North']);
    await north.page.getByRole('heading', { level: 1, name: `Invitation to ${title}` }).waitFor();
    await expect(north.page.locator('.invite-preview').textContent()).resolves.toContain('Lab North');
    await checkScreen(north.page, 'invite-preview');
    await Promise.all([acceptBySignUp(north.page, links['Lab North'], 'Nora North'), acceptBySignUp(south.page, links['Lab South'], 'Sam South')]);
    // a used link is refused plainly
    const reused = await context();
    await reused.page.goto(links['Lab South']);
    await reused.page.getByRole('heading', { level: 1, name: 'This invitation is not valid' }).waitFor();

    // --- live discussion: each sees the others without reload
    stage = 'live discussion: each sees the others without reload';
    await fac.page.getByRole('link', { name: 'Text and discussion' }).press('Enter');
    await until(
      'presence',
      () => fac.page.locator('.presence').textContent(),
      (t) => !!t && t.includes('Nora North') && t.includes('Sam South'),
    );
    const all = [fac.page, north.page, south.page];
    await sendMessage(fac.page, 'Welcome, both of you.');
    // Ctrl+Enter in the box sends too
    await north.page.getByRole('textbox', { name: /^Message to/ }).fill('North is ready.');
    await north.page.getByRole('textbox', { name: /^Message to/ }).press('Control+Enter');
    // typing shows to the others, per attribution (names here)
    await south.page.getByRole('textbox', { name: /^Message to/ }).fill('South is ready.');
    await north.page.getByText('Sam South is typing…').waitFor();
    await south.page.getByRole('button', { name: 'Send', exact: true }).press('Enter');
    const room = ['Welcome, both of you.', 'North is ready.', 'South is ready.'];
    for (const p of all) await expectBodies(p, room);
    await checkScreen(north.page, 'room-discussion');
    // on a phone the discussion comes after the whole text: a link at the top gets there,
    // focused and in view, the address unchanged; side by side on a laptop, no link
    await north.page.setViewportSize(PHONE);
    const jump = north.page.getByRole('link', { name: 'Go to the discussion' });
    const before = north.page.url();
    await jump.press('Enter');
    await until(
      'the discussion focused',
      () => north.page.evaluate('document.activeElement?.id'),
      (id) => id === 'discussion',
    );
    const top = (await north.page.getByRole('region', { name: 'Discussion' }).boundingBox())!.y;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(PHONE.height / 2);
    expect(north.page.url()).toBe(before);
    await north.page.setViewportSize(LAPTOP);
    await expect(jump.isVisible()).resolves.toBe(false);

    // --- the caucus: only Lab North sees it (DOM and network of the others)
    stage = 'the caucus: only Lab North sees it (DOM and network of the others)';
    const southSaw: string[] = [];
    south.page.on('response', (r) => {
      if (r.url().endsWith('/graphql'))
        void r.text().then(
          (t) => southSaw.push(t),
          () => undefined,
        );
    });
    south.page.on('websocket', (ws) => ws.on('framereceived', (f) => southSaw.push(String(f.payload))));
    fac.page.on('websocket', (ws) => ws.on('framereceived', (f) => southSaw.push(String(f.payload))));
    await north.page.getByRole('tab', { name: /Lab North caucus/ }).press('Enter');
    await north.page.getByText('Only Lab North sees this caucus').waitFor();
    await sendMessage(north.page, 'North only: our fallback is 10^25.');
    await expectBodies(north.page, ['North only: our fallback is 10^25.']);
    await checkScreen(north.page, 'caucus');
    await expect(south.page.getByRole('tab', { name: /caucus/ }).allTextContents()).resolves.toEqual(['Lab South caucusprivate']);
    // a live message to the room reaches everyone after the caucus message: then the caucus
    // would have arrived before it, had it been sent to them
    await sendMessage(fac.page, 'Shall we start with clause 1?');
    room.push('Shall we start with clause 1?');
    await expectBodies(south.page, room);
    // North, in the caucus tab, gets an unread mark on the room thread
    await north.page.getByRole('tab', { name: /^Room.*1 unread/ }).waitFor();
    await north.page.getByRole('tab', { name: /^Room/ }).press('Enter');
    await expectBodies(north.page, room);
    await expect(north.page.getByRole('tab', { name: /unread/ }).count()).resolves.toBe(0);
    // South opening the caucus's URL gets nothing of it
    const [northParty] = await app.sql<{ id: string }>(`SELECT id FROM party WHERE room_id = $1 AND name = 'Lab North'`, [roomId]);
    await south.page.goto(`${roomUrl}?thread=party:${northParty.id}`);
    await south.page.getByRole('tabpanel').getByRole('alert').getByText('That does not exist, or you do not have access to it.').waitFor();
    await south.page.getByRole('tab', { name: /^Room/ }).press('Enter');
    await expectBodies(south.page, room);
    for (const p of [fac.page, south.page]) await expect(p.content()).resolves.not.toContain('North only');
    expect(southSaw.filter((t) => t.includes('North only'))).toEqual([]);
    expect(southSaw.length).toBeGreaterThan(0);

    // --- South drops off the network, writes twice, comes back: nothing lost or doubled
    stage = 'South drops off the network, writes twice, comes back: nothing lost or doubled';
    await south.ctx.setOffline(true);
    await south.page.getByText(/Offline: changes are kept/).waitFor();
    await sendMessage(south.page, 'Offline thought one.');
    await sendMessage(south.page, 'Offline thought two.');
    await sendMessage(north.page, 'North speaks while South is away.');
    await until(
      'queued messages',
      () => south.page.locator('li.message.queued').count(),
      (n) => n === 2,
    );
    await expectBodies(south.page, room);
    await south.ctx.setOffline(false);
    // North's message came first (South's were still queued); South's follow in order, once
    room.push('North speaks while South is away.', 'Offline thought one.', 'Offline thought two.');
    for (const p of all) await expectBodies(p, room);
    await until(
      'the queue to drain',
      () => south.page.locator('li.message.queued').count(),
      (n) => n === 0,
    );
    const stored = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM message WHERE room_id = $1 AND body LIKE 'Offline thought%'`, [roomId]);
    expect(Number(stored[0].n)).toBe(2);

    // --- edit and redact one's own message, by keyboard; the others see it live
    stage = "edit and redact one's own message, by keyboard; the others see it live";
    const mine = north.page.locator('li.message.mine', { hasText: 'North is ready.' });
    await mine.getByRole('button', { name: 'Edit your message' }).press('Enter');
    await north.page.getByLabel('Edit your message').fill('North is ready, with one reservation.');
    await north.page.getByRole('button', { name: 'Save' }).press('Enter');
    room[1] = 'North is ready, with one reservation.';
    for (const p of all) await expectBodies(p, room);
    await south.page.locator('li.message', { hasText: 'with one reservation' }).getByText('edited').waitFor();
    await north.page.locator('li.message.mine', { hasText: 'North speaks while' }).getByRole('button', { name: 'Redact your message' }).press('Enter');
    room[4] = 'This message was redacted.';
    for (const p of all) await expectBodies(p, room);
    // others' messages offer no edit
    await expect(south.page.locator('li.message:not(.mine)').getByRole('button', { name: /Edit/ }).count()).resolves.toBe(0);

    // --- a non-member sees the same "not found" as for a room that does not exist
    stage = 'a non-member sees the same "not found" as for a room that does not exist';
    const outsider = await newUser(app.anon, { displayName: 'Olive Outsider' });
    const out = await context();
    await signIn(out.page, outsider.email, outsider.password);
    await out.page.goto(roomUrl);
    await out.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    const forMember = await out.page.locator('main').innerText();
    await out.page.goto(`/rooms/${randomUUID()}`);
    await out.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await out.page.locator('main').innerText()).toBe(forMember);

    // --- the facilitator removes South; South's open page loses access at once
    stage = "the facilitator removes South; South's open page loses access at once";
    await fac.page.getByRole('link', { name: 'People' }).press('Enter');
    await checkScreen(fac.page, 'people');
    await fac.page.getByRole('button', { name: 'Remove Sam South' }).press('Enter');
    await fac.page.getByRole('button', { name: 'Yes, remove Sam South' }).press('Enter');
    await south.page.getByRole('heading', { level: 1, name: 'You no longer have access to this room' }).waitFor();
    await expect(south.page.content()).resolves.not.toContain('Offline thought');
    await until(
      'members',
      () => fac.page.locator('.member-list').innerText(),
      (t) => !t.includes('Sam South'),
    );

    // --- the rest of the people panel, by keyboard: add a party, revoke an invitation, archive
    stage = 'add a party, revoke an invitation, archive the room';
    await fac.page.getByLabel('New party').fill('Lab East');
    await fac.page.getByRole('button', { name: 'Add party' }).press('Enter');
    await fac.page.locator('.people').getByText('Lab East · 0 members').waitFor();
    await fac.page.getByLabel('Role').selectOption('OBSERVER');
    await fac.page.getByLabel('Party', { exact: true }).selectOption('');
    await fac.page.getByLabel('Email (optional)').fill('observer@example.org');
    await fac.page.getByRole('button', { name: 'Create invitation' }).press('Enter');
    const invites = fac.page.getByRole('list', { name: 'Invitations sent' });
    await invites.getByText(/observer@example\.org · open until/).waitFor();
    await invites.getByRole('button', { name: /^Revoke/ }).press('Enter');
    await invites.getByText('observer@example.org · revoked').waitFor();
    await fac.page.getByRole('button', { name: 'Archive this room' }).press('Enter');
    await fac.page.getByRole('button', { name: 'Yes, archive it' }).press('Enter');
    await fac.page.getByText('Archived: read-only').waitFor();
    await north.page.getByText('Archived: read-only').waitFor();
    await expect(north.page.getByRole('textbox', { name: /^Message to/ }).count()).resolves.toBe(0);
  }
});
