// The negotiating text and ballots in the browser: a facilitator and the negotiators of two
// parties, each in their own browser context, see one another's changes without reload.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/harness';
import { newRoom, type TestRoom } from '../support/factories';
import { checkScreen, launchBrowser, newContext, signIn } from './support/browser';

const LIVE = { timeout: 20_000 };

// Tab until `target` has the focus: proves it is reachable by keyboard, in tab order.
async function tabTo(page: Page, target: Locator, max = 250): Promise<void> {
  for (let i = 0; i < max; i += 1) {
    if (await target.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement).catch(() => false))
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target.toString()} with Tab`);
}

// select all of a focused field's text and type over it, keys only
async function typeOver(page: Page, text: string): Promise<void> {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

describe('the negotiating text and ballots in the browser', () => {
  let app: TestApp;
  let browser: Browser;
  let room: TestRoom;
  const contexts: BrowserContext[] = [];
  let fac: Page;
  let labA: Page;
  let labB: Page;
  let observer: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    // three parties: two votes do not close the ballot by themselves
    room = await newRoom(app.anon, { parties: ['Lab A', 'Lab B', 'Lab C'] });
    const pages: Page[] = [];
    for (const user of [room.facilitator, room.negotiators[0], room.negotiators[1], room.observer]) {
      const ctx = await newContext(browser, app.server.url);
      contexts.push(ctx);
      const page = await ctx.newPage();
      await signIn(page, user.email, user.password);
      await page.goto(`/rooms/${room.id}`);
      pages.push(page);
    }
    [fac, labA, labB, observer] = pages;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const text = (page: Page) => page.getByRole('region', { name: 'Negotiating text' });
  const clause = (page: Page, key: string) =>
    text(page)
      .getByRole('listitem', { name: new RegExp(`^Clause ${key.replace('.', '\\.')}( ·|$)`) })
      .first();
  const version = (page: Page, n: number) =>
    text(page)
      .getByText(new RegExp(`Version ${n} ·`))
      .first()
      .waitFor(LIVE);
  const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Room sections' }).getByRole('link', { name, exact: true });

  it('drafts, revises, brackets, amends, compares and votes, with every context live', async () => {
    // draft
    await fac.getByText('There is no proposal in this room yet.').waitFor();
    await fac.getByRole('button', { name: 'New proposal' }).click();
    await fac.getByLabel('Title').fill('Shared evaluation protocol');
    await fac.getByLabel('Heading of clause 1').fill('Scope');
    await fac.getByLabel('Text of clause 1').fill('Each lab runs the shared evaluation before release.');
    await fac.getByRole('button', { name: 'Add a clause' }).click();
    await fac.getByLabel('Text of clause 2').fill('Results are shared within thirty days.');
    await fac.getByRole('button', { name: 'Create proposal' }).click();
    for (const page of [fac, labA, labB]) {
      await page.getByRole('heading', { level: 2, name: 'Shared evaluation protocol' }).waitFor(LIVE);
      await version(page, 1);
    }

    // revise (Lab A)
    await labA.getByRole('button', { name: 'Revise the text' }).click();
    await labA.getByLabel('Text of clause 2').fill('Results are shared within fourteen days.');
    await labA.getByLabel('What changed').fill('Shorter sharing window');
    await labA.getByRole('button', { name: 'Save new version' }).click();
    for (const page of [fac, labA, labB]) await clause(page, '2').getByText('within fourteen days').waitFor(LIVE);

    // Lab B starts an edit on version 2 ...
    await labB.getByRole('button', { name: 'Revise the text' }).click();
    const stale = 'Results are shared within seven days, in full.';
    await labB.getByLabel('Text of clause 2').fill(stale);
    // ... while Lab A brackets clause 1 (version 3)
    await clause(labA, '1').getByRole('button', { name: 'Add an alternative to clause 1' }).click();
    await labA.getByLabel('Alternative text for clause 1').fill('Each lab runs the shared evaluation before any external deployment.');
    await labA.getByRole('button', { name: 'Add alternative' }).click();
    for (const page of [fac, labA]) await clause(page, '1').getByText('(Lab A)').waitFor(LIVE);
    await clause(fac, '1').getByText('[', { exact: true }).waitFor();

    // Lab B's stale save: refused, the typed text kept, the current text beside it
    await labB.getByRole('button', { name: 'Save new version' }).click();
    await labB.getByRole('heading', { name: 'Someone else saved a new version' }).waitFor(LIVE);
    await expect(labB.getByLabel('Text of clause 2').inputValue()).resolves.toBe(stale);
    const current = labB.getByRole('list', { name: /Current text, version 3/ });
    await current.getByText('before any external deployment').waitFor();
    await expect(current.locator('ins').first().textContent()).resolves.toContain('seven');
    await checkScreen(labB, 'text-conflict');
    // reapply over the new version
    await labB.getByRole('button', { name: 'Save my edit as version 4' }).click();
    for (const page of [fac, labA, labB]) await clause(page, '2').getByText('within seven days, in full').waitFor(LIVE);
    await version(labB, 4);

    // amendments: Lab B suggests on clause 2, Lab A on clause 1's text is bracketed, so on clause 2 too
    await clause(labB, '2').getByRole('button', { name: 'Suggest an amendment to clause 2' }).click();
    await labB.getByLabel('Suggested text').fill('Results are shared within seven days, in full, with the other labs.');
    await labB.getByLabel('Rationale').fill('Name who receives them');
    await labB.getByRole('button', { name: 'Propose amendment' }).click();
    await clause(labA, '2').getByRole('button', { name: 'Suggest an amendment to clause 2' }).click();
    await labA.getByLabel('Kind of change').selectOption('DELETE');
    await labA.getByLabel('Rationale').fill('Covered elsewhere');
    await labA.getByRole('button', { name: 'Propose amendment' }).click();
    // the facilitator sees both beside clause 2, as struck and inserted words
    const suggestions = clause(fac, '2').getByRole('complementary', { name: 'Amendments to clause 2' });
    const byB = suggestions.getByRole('article', { name: /Amendment by Lab B/ });
    const byA = suggestions.getByRole('article', { name: /Amendment by Lab A/ });
    await byB.waitFor(LIVE);
    await byA.waitFor(LIVE);
    await expect(byB.locator('ins').allTextContents()).resolves.toEqual([expect.stringContaining('with the other labs')]);
    await expect(byA.locator('del').textContent()).resolves.toContain('within seven days');
    // only a facilitator accepts or rejects
    await expect(clause(labA, '2').getByRole('button', { name: 'Accept' }).count()).resolves.toBe(0);
    await checkScreen(fac, 'text');
    // an observer reads it all, live, and can only switch views
    await clause(observer, '2')
      .getByRole('article', { name: /Amendment by Lab A/ })
      .waitFor(LIVE);
    await clause(observer, '1').getByText('(Lab A)').waitFor();
    await expect(text(observer).getByRole('button').allTextContents()).resolves.toEqual(['Text', 'Compare versions']);

    // the facilitator resolves the bracket, rejects Lab A's and accepts Lab B's amendment
    await clause(fac, '1').getByRole('button', { name: 'Resolve the bracket in clause 1' }).click();
    await fac.getByRole('radio', { name: /before any external deployment/ }).check();
    await fac.getByRole('button', { name: 'Resolve with this option' }).click();
    for (const page of [fac, labA, labB]) await version(page, 5);
    await expect(clause(labB, '1').getByText('[', { exact: true }).count()).resolves.toBe(0);
    await clause(labB, '1').getByText('before any external deployment').waitFor();
    await byA.getByRole('button', { name: 'Reject' }).click();
    await byA.waitFor({ state: 'detached', ...LIVE });
    await byB.getByRole('button', { name: 'Accept' }).click();
    for (const page of [fac, labA, labB]) await clause(page, '2').getByText('in full, with the other labs.').waitFor(LIVE);
    await version(labA, 6);

    // compare two versions
    await labA.getByRole('button', { name: 'Compare versions' }).click();
    await labA.getByLabel('From version').selectOption('1');
    await labA.getByLabel('To version').selectOption('6');
    const diff = labA.locator('.diff-list');
    await labA.getByText('From version 1 to version 6: 2 of 2 clauses differ').waitFor(LIVE);
    await expect(diff.locator('ins').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('external deployment')]));
    await expect(diff.locator('del').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('thirty')]));
    await expect(diff.locator('ins .sr-only').first().textContent()).resolves.toContain('inserted');
    await checkScreen(labA, 'text-diff');

    // a secret ballot on the whole text
    await tab(fac, 'Ballots').click();
    await fac.getByRole('button', { name: 'Open a ballot on “Shared evaluation protocol”' }).click();
    await expect(fac.getByLabel('Secret until closed', { exact: false }).isChecked()).resolves.toBe(true);
    await fac.getByLabel('Decision rule').selectOption('CONSENSUS');
    await fac.getByRole('button', { name: 'Open ballot' }).click();
    for (const page of [labA, labB]) await tab(page, 'Ballots').click();
    const ballot = (page: Page) => page.getByRole('article', { name: /Ballot on the whole text, version 6/ });
    for (const page of [fac, labA, labB]) await ballot(page).getByText('Voted: nobody yet').waitFor(LIVE);
    await ballot(labA).getByRole('radio', { name: 'Support' }).check();
    await ballot(labA).getByLabel('Reason').fill('Lab A can live with this');
    await ballot(labA).getByRole('button', { name: 'Cast vote' }).click();
    await ballot(labB).getByRole('radio', { name: 'Oppose' }).check();
    await ballot(labB).getByLabel('Reason').fill('Lab B secret reason');
    await ballot(labB).getByRole('button', { name: 'Cast vote' }).click();
    await ballot(labB).getByText('Lab B voted Oppose').waitFor(LIVE);
    // change of mind
    await ballot(labB).getByRole('radio', { name: 'Support' }).check();
    await ballot(labB).getByRole('button', { name: 'Change vote' }).click();
    await ballot(labB).getByText('Lab B voted Support').waitFor(LIVE);
    for (const page of [fac, labA, labB]) await ballot(page).getByText('Voted: Lab A, Lab B').waitFor(LIVE);
    // who voted, never what: neither the facilitator nor the other party sees a choice or reason
    await expect(ballot(fac).innerText()).resolves.not.toMatch(/Support|Oppose|can live with this|secret reason/);
    await expect(ballot(labA).innerText()).resolves.not.toContain('secret reason');
    await expect(ballot(labB).innerText()).resolves.not.toContain('can live with this');
    await expect(ballot(fac).getByRole('definition').count()).resolves.toBe(0);
    await checkScreen(labA, 'ballots');

    await ballot(fac).getByRole('button', { name: 'Close ballot' }).click();
    for (const page of [fac, labA, labB]) {
      await ballot(page).getByText('Closed: Passed').waitFor(LIVE);
      await ballot(page).getByText('Lab B secret reason', { exact: false }).waitFor(LIVE);
    }
    await expect(ballot(fac).getByRole('list', { name: 'Votes' }).innerText()).resolves.toMatch(/Lab A: Support[\s\S]*Lab B: Support/);

    // the text is adopted, with a link to its agreement
    await tab(labB, 'Text and discussion').click();
    await labB.getByText('This text was adopted.').waitFor(LIVE);
    await expect(labB.getByRole('link', { name: 'Open the agreement' }).getAttribute('href')).resolves.toMatch(/^\/agreements\/[0-9a-f-]{36}$/);
    await expect(labB.getByRole('button', { name: 'Revise the text' }).count()).resolves.toBe(0);
  }, 420_000);

  it('does every action of the text and ballots with the keyboard alone', async () => {
    const press = async (page: Page, target: Locator, key = 'Enter') => {
      await tabTo(page, target);
      await page.keyboard.press(key);
    };
    // the facilitator drafts a second proposal
    await fac.goto(`/rooms/${room.id}`);
    await press(fac, fac.getByRole('button', { name: 'New proposal' }));
    await tabTo(fac, fac.getByLabel('Title'));
    await fac.keyboard.type('Incident reporting');
    await tabTo(fac, fac.getByLabel('Text of clause 1'));
    await fac.keyboard.type('Labs report serious incidents.');
    await press(fac, fac.getByRole('button', { name: 'Add a clause' }));
    await tabTo(fac, fac.getByLabel('Text of clause 2'));
    await fac.keyboard.type('Reports go to the facilitator.');
    await press(fac, fac.getByRole('button', { name: 'Create proposal' }));
    await fac.getByRole('heading', { level: 2, name: 'Incident reporting' }).waitFor(LIVE);
    const id = new URL(fac.url()).searchParams.get('proposal');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // Lab A revises, brackets and suggests three amendments
    await labA.goto(`/rooms/${room.id}?proposal=${id}`);
    await press(labA, labA.getByRole('button', { name: 'Revise the text' }));
    await tabTo(labA, labA.getByLabel('Text of clause 2'));
    await typeOver(labA, 'Reports go to every party.');
    await press(labA, labA.getByRole('button', { name: 'Save new version' }));
    await version(labA, 2);
    await press(labA, labA.getByRole('button', { name: 'Add an alternative to clause 1' }));
    await tabTo(labA, labA.getByLabel('Alternative text for clause 1'));
    await labA.keyboard.type('Labs report serious incidents within 72 hours.');
    await press(labA, labA.getByRole('button', { name: 'Add alternative' }));
    await version(labA, 3);
    for (const suggestion of [
      'Reports go to every party, in writing.',
      'Reports go to every party, by phone.',
      'Reports go to every party and the facilitator.',
    ]) {
      await press(labA, labA.getByRole('button', { name: 'Suggest an amendment to clause 2' }));
      await tabTo(labA, labA.getByLabel('Suggested text'));
      await typeOver(labA, suggestion);
      await press(labA, labA.getByRole('button', { name: 'Propose amendment' }));
      await clause(labA, '2')
        .getByText(suggestion.split(', ')[1] ?? 'and the facilitator')
        .first()
        .waitFor(LIVE);
    }
    const amendments = (page: Page) => clause(page, '2').getByRole('article');
    await amendments(labA)
      .nth(2)
      .waitFor()
      .catch(async (e: Error) => {
        throw new Error(`${e.message}\n${await clause(labA, '2').innerText()}`);
      });
    await expect(amendments(labA).count()).resolves.toBe(3);
    // Lab A withdraws its first
    await press(labA, amendments(labA).nth(0).getByRole('button', { name: 'Withdraw' }));
    await clause(labA, '2')
      .getByText('in writing')
      .waitFor({ state: 'detached', ...LIVE });

    // the facilitator resolves the bracket on the second option, rejects one and accepts one
    await fac.goto(`/rooms/${room.id}?proposal=${id}`);
    await version(fac, 3);
    await press(fac, fac.getByRole('button', { name: 'Resolve the bracket in clause 1' }));
    await tabTo(fac, fac.getByRole('radio', { checked: true }));
    await fac.keyboard.press('ArrowDown');
    await expect(fac.getByRole('radio', { name: /within 72 hours/ }).isChecked()).resolves.toBe(true);
    await press(fac, fac.getByRole('button', { name: 'Resolve with this option' }));
    await version(fac, 4);
    await press(fac, amendments(fac).filter({ hasText: 'by phone' }).getByRole('button', { name: 'Reject' }));
    await clause(fac, '2')
      .getByText('by phone')
      .waitFor({ state: 'detached', ...LIVE });
    await press(fac, amendments(fac).filter({ hasText: 'and the facilitator' }).getByRole('button', { name: 'Accept' }));
    await version(fac, 5);

    // compare with keys: the select changes with the arrow keys
    await press(fac, fac.getByRole('button', { name: 'Compare versions' }));
    await tabTo(fac, fac.getByLabel('From version'));
    await fac.keyboard.press('End');
    await expect(fac.getByLabel('From version').inputValue()).resolves.toBe('1');
    await fac.getByText('From version 1 to version 5: 2 of 2 clauses differ').waitFor(LIVE);

    // ballot: open (facilitator), vote and change the vote (Lab A), close (facilitator)
    await press(fac, tab(fac, 'Ballots'));
    await press(fac, fac.getByRole('button', { name: 'Open a ballot on “Incident reporting”' }));
    await press(fac, fac.getByRole('button', { name: 'Open ballot' }));
    const ballot = (page: Page) => page.getByRole('article', { name: /Ballot on the whole text, version 5/ });
    await ballot(fac).waitFor(LIVE);
    await labA.goto(`/rooms/${room.id}/ballots`);
    await tabTo(labA, ballot(labA).getByRole('radio', { name: 'Support' }));
    await labA.keyboard.press('Space');
    await tabTo(labA, ballot(labA).getByLabel('Reason'));
    await labA.keyboard.type('Fine by us');
    await press(labA, ballot(labA).getByRole('button', { name: 'Cast vote' }));
    await ballot(labA).getByText('Lab A voted Support').waitFor(LIVE);
    await tabTo(labA, ballot(labA).getByRole('radio', { name: 'Support' }));
    await labA.keyboard.press('ArrowDown');
    await press(labA, ballot(labA).getByRole('button', { name: 'Change vote' }));
    await ballot(labA).getByText('Lab A voted Oppose').waitFor(LIVE);
    await ballot(fac).getByText('Voted: Lab A').waitFor(LIVE);
    await press(fac, ballot(fac).getByRole('button', { name: 'Close ballot' }));
    // one party of three voted: below the 50% quorum
    await ballot(fac).getByText('Closed: No quorum').waitFor(LIVE);

    // back to drafting: the facilitator withdraws the proposal
    await press(fac, tab(fac, 'Text and discussion'));
    await fac.getByRole('heading', { level: 2, name: 'Incident reporting' }).waitFor(LIVE);
    await press(fac, fac.getByRole('button', { name: 'Withdraw proposal' }));
    await fac.keyboard.press('Enter'); // "Yes, withdraw" has the focus
    await fac.getByText('This proposal was withdrawn').waitFor(LIVE);
  }, 420_000);
});
