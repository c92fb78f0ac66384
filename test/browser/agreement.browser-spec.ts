import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type TestApp } from '../support/harness';
import { newRoom, type TestUser } from '../support/factories';
import { createProposal, openBallot, PROPOSE_AMENDMENT, WITHDRAW_AMENDMENT } from '../support/negotiation';
import { checkScreen, launchBrowser, newContext } from './support/browser';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['dist/apps/cli/src/main.js', ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

const PROPOSAL = `mutation($i: CreateProposalInput!) { createProposal(input: $i) { id } }`;
const BALLOT = `mutation($i: OpenBallotInput!) { openBallot(input: $i) { id } }`;
const VOTE = `mutation($b: ID!, $c: VoteChoice!) { castVote(input: { ballotId: $b, choice: $c }) { choice } }`;
const CONVERGENCE = `query($id: ID!) { room(id: $id) { progress { proposals { proposal { id } convergence { seq } } } partyKeys { party { name } publicKey } } }`;

// A room with an adopted proposal (unanimous open ballot) and a second one under an open
// secret ballot that two of the three parties have voted on.
async function negotiated(app: TestApp) {
  const room = await newRoom(app.anon, { parties: ['Lab A', 'Lab B', 'Lab C'] });
  const fac = room.facilitator.client;
  const adopted = (
    await fac.ok(PROPOSAL, {
      i: {
        roomId: room.id,
        title: 'Incident-sharing accord',
        clauses: [
          { key: '1', heading: 'Scope', text: 'Each lab reports serious incidents in frontier model training and deployment.' },
          { key: '2', heading: 'Timing', text: 'Reports reach every other party within 72 hours of discovery.' },
          { key: '3', heading: 'Confidentiality', text: 'Reports stay within the parties until all of them agree to publish.' },
        ],
      },
    })
  ).createProposal.id as string;
  const b1 = (await fac.ok(BALLOT, { i: { proposalId: adopted, rule: 'UNANIMITY', quorum: 1, secrecy: 'OPEN' } })).openBallot.id;
  for (const n of room.negotiators) await n.client.ok(VOTE, { b: b1, c: 'SUPPORT' });
  const secret = (
    await fac.ok(PROPOSAL, {
      i: { roomId: room.id, title: 'Shared evaluation registry', clauses: [{ key: '1', text: 'The parties fund one shared registry of evaluations.' }] },
    })
  ).createProposal.id as string;
  const b2 = (await fac.ok(BALLOT, { i: { proposalId: secret, rule: 'MAJORITY', quorum: 0.5, secrecy: 'SECRET_UNTIL_CLOSE' } })).openBallot.id;
  await room.negotiators[0].client.ok(VOTE, { b: b2, c: 'OPPOSE' });
  await room.negotiators[1].client.ok(VOTE, { b: b2, c: 'SUPPORT' });
  const q = await fac.ok(`query($id: ID!) { proposal(id: $id) { status agreement { id textHash } } }`, { id: adopted });
  expect(q.proposal.status).toBe('ADOPTED');
  return { room, adopted, secret, agreementId: q.proposal.agreement.id as string, textHash: q.proposal.agreement.textHash as string };
}

describe('agreements in the browser', () => {
  let app: TestApp;
  let browser: Browser;
  let dir: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser, dir] = await Promise.all([startApp({ PARLEY_SCHEDULER_INTERVAL_MS: '300' }), launchBrowser(), mkdtemp(join(tmpdir(), 'parley-agree-'))]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await app?.close();
  });

  async function as(user: TestUser, path: string): Promise<Page> {
    const ctx = await newContext(browser, app.server.url);
    contexts.push(ctx);
    // the sign-in screen is covered by the shell test: here the session cookie comes straight from login
    const login = await ctx.request.post('/graphql', {
      headers: { 'content-type': 'application/json', 'x-parley-session': 'cookie' },
      data: { query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { expiresAt } }', variables: { e: user.email, p: user.password } },
    });
    expect(login.ok()).toBe(true);
    const page = await ctx.newPage();
    await page.goto(path);
    return page;
  }

  it('names the amendment a ballot is on, and offers only open amendments to vote on', async () => {
    const room = await newRoom(app.anon, { parties: ['Lab A', 'Lab B'] });
    const fac = room.facilitator.client;
    const [a, b] = room.negotiators;
    const proposalId = (await createProposal(fac, room.id)).id;
    const amend = async (who: TestUser, input: Record<string, unknown>) =>
      (await who.client.ok(PROPOSE_AMENDMENT, { input: { proposalId, baseVersion: 1, ...input } })).proposeAmendment.id as string;
    const insert = await amend(a, { clauseKey: '1', kind: 'INSERT', text: 'The registry is hosted by a neutral party.' });
    await amend(b, { clauseKey: '2', kind: 'REPLACE', text: 'Reports go to the facilitator within 7 days.' });
    await b.client.ok(WITHDRAW_AMENDMENT, { id: await amend(b, { clauseKey: '1', kind: 'DELETE' }) });
    await openBallot(fac, proposalId, { amendmentId: insert });

    const pf = await as(room.facilitator, `/rooms/${room.id}/ballots`);
    await pf.getByRole('article', { name: /^Ballot on the amendment adding a clause after clause 1 \(Lab A\)/ }).waitFor();
    await pf.getByRole('button', { name: 'Open a ballot on “Compute reporting”' }).click();
    const options = await pf.getByLabel('Vote on').locator('option').allTextContents();
    expect(options).toEqual(['The whole text (version 1)', 'The amendment adding a clause after clause 1 (Lab A)', 'The amendment replacing clause 2 (Lab B)']);
  }, 120_000);

  it('signs (with a key made in the browser, an imported keygen key, and none), commits under seal, resolves, publishes and verifies the bundle; the dashboard shows the room', async () => {
    const { room, agreementId, textHash, adopted, secret } = await negotiated(app);
    const [a, b, c] = room.negotiators;
    const path = `/agreements/${agreementId}`;

    // Lab A makes a key in the browser, with a PEM copy, and signs with it
    const pa = await as(a, path);
    const sent: string[] = [];
    pa.on('request', (r) => sent.push(r.postData() ?? ''));
    await pa.getByRole('heading', { level: 1, name: 'Incident-sharing accord' }).waitFor();
    await expect(pa.locator('code.hash').getAttribute('data-hash')).resolves.toBe(textHash);
    await expect(pa.locator('code.hash').textContent()).resolves.toBe(textHash.match(/.{4}/g)!.join(' '));
    await pa.getByLabel('Download a copy of the private key').check();
    const [keyDownload] = await Promise.all([pa.waitForEvent('download'), pa.getByRole('button', { name: 'Make a key in this browser' }).click()]);
    const keyFile = join(dir, 'lab-a.pem');
    await keyDownload.saveAs(keyFile);
    await pa.getByText('held by this browser').waitFor();
    await pa.getByRole('button', { name: 'Sign with our party key' }).click();
    await pa.getByText('Your party signed this text.').waitFor();

    // the exported PEM signs with the CLI, and gives the very signature the browser made (Ed25519 is deterministic)
    const keys = (await room.facilitator.client.ok(CONVERGENCE, { id: room.id })).room.partyKeys as Array<{ party: { name: string }; publicKey: string }>;
    const publicKey = keys.find((k) => k.party.name === 'Lab A')!.publicKey;
    const signed = await cli(['sign', '--key', keyFile, '--hash', textHash]);
    expect(signed.code).toBe(0);
    const cliSignature = signed.out.trim();
    expect(verify(null, Buffer.from(textHash, 'ascii'), createPublicKey(publicKey), Buffer.from(cliSignature, 'base64'))).toBe(true);
    const sigs = await a.client.ok(`query($id: ID!) { agreement(id: $id) { signatures { party { name } partyMade partySignature } } }`, { id: agreementId });
    expect(sigs.agreement.signatures).toEqual([{ party: { name: 'Lab A' }, partyMade: true, partySignature: cliSignature }]);
    // the private key never left the browser
    const privateBody = (await readFile(keyFile, 'utf8')).split('\n')[1];
    expect(sent.join('\n')).toContain('BEGIN PUBLIC KEY');
    expect(sent.join('\n')).not.toContain(privateBody);
    expect(sent.join('\n')).not.toContain('PRIVATE KEY');
    const fingerprint = createHash('sha256')
      .update(createPublicKey(publicKey).export({ type: 'spki', format: 'der' }))
      .digest('hex');
    await expect(pa.locator('.signature-list li', { hasText: 'Lab A' }).locator('.fingerprint').textContent()).resolves.toBe(
      fingerprint.match(/.{8}/g)!.join(' '),
    );

    // Lab B signs without a key
    const pb = await as(b, path);
    await pb.getByRole('button', { name: 'Sign for Lab B' }).click();
    await pb.getByText('Your party signed this text.').waitFor();
    // Lab C imports a key made by `parley keygen` and signs with it
    const cKey = join(dir, 'lab-c.pem');
    expect((await cli(['keygen', '--out', cKey])).code).toBe(0);
    const pc = await as(c, path);
    await pc.getByLabel('Import a key file').setInputFiles(cKey);
    await pc.getByText('held by this browser').waitFor();
    await pc.getByRole('button', { name: 'Sign with our party key' }).click();
    await pc.getByText('Your party signed this text.').waitFor();
    const cPublic = createPublicKey(await readFile(`${cKey}.pub`, 'utf8')).export({ type: 'spki', format: 'der' });
    const cFingerprint = createHash('sha256').update(cPublic).digest('hex').match(/.{8}/g)!.join(' ');
    await expect(pc.locator('.signature-list li', { hasText: 'Lab C' }).locator('.fingerprint').textContent()).resolves.toBe(cFingerprint);
    await pc.getByText('Signed by every party').waitFor();

    // sealed commitments: A if at least two parties commit; B if A commits, and another if C commits (that one lapses)
    await pa.getByLabel('We will').fill('publish a monthly incident digest');
    await pa.getByLabel('if at least this many parties').fill('2');
    await pa.getByRole('button', { name: 'Make sealed commitment' }).click();
    await pa.getByText('We will publish a monthly incident digest').waitFor();
    await pb.getByLabel('We will').fill('host the shared incident registry');
    await pb.getByLabel('Lab A', { exact: true }).check();
    await pb.getByRole('button', { name: 'Make sealed commitment' }).click();
    await pb.getByText('We will host the shared incident registry').waitFor();
    await pb.getByLabel('We will').fill('second a staff member to the registry');
    await pb.getByLabel('Lab C', { exact: true }).check();
    await pb.getByRole('button', { name: 'Make sealed commitment' }).click();
    await pb.getByText('We will second a staff member to the registry').waitFor();

    // Lab C sees nothing of them: not in the page, not in any answer it receives
    const answers: Array<Promise<string>> = [];
    pc.on('response', (r) => {
      if (r.url().endsWith('/graphql')) answers.push(r.text().catch(() => ''));
    });
    await pc.reload();
    await pc.getByText('Your party has made no commitment.').waitFor();
    const bodies = await Promise.all(answers);
    expect(bodies.length).toBeGreaterThan(0);
    for (const secretWord of ['monthly incident digest', 'shared incident registry', 'second a staff member']) {
      await expect(pc.getByText(secretWord).count()).resolves.toBe(0);
      expect(bodies.join('\n')).not.toContain(secretWord);
    }
    await checkScreen(pa, 'agreement');

    // the facilitator resolves; B's own lapsed one is shown only to B
    const pf = await as(room.facilitator, path);
    await pf.getByRole('button', { name: 'Resolve commitments' }).click();
    await pf.getByText('Lab A will publish a monthly incident digest').waitFor();
    await pf.getByText('Lab B will host the shared incident registry').waitFor();
    await expect(pf.getByText('second a staff member').count()).resolves.toBe(0);
    await pb.getByText('lapsed: visible only to your party').waitFor();
    await expect(pc.getByText('second a staff member').count()).resolves.toBe(0);

    // all consent; a date already past is refused next to the field; C's embargo passes a few seconds later
    await pa.getByLabel('Not before').fill('2020-01-01T09:00:00');
    await pa.getByRole('button', { name: 'Consent to publish for Lab A' }).click();
    await pa.getByText('The embargo date must be in the future.').waitFor();
    await pa.getByLabel('Not before').fill('');
    await pa.getByRole('button', { name: 'Consent to publish for Lab A' }).click();
    await pb.getByRole('button', { name: 'Consent to publish for Lab B' }).click();
    // local time in the browser's own zone, 8 s ahead
    const soon = await pc.evaluate(() => {
      const d = new Date(Date.now() + 8000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    });
    await pc.getByLabel('Not before').fill(soon);
    await pc.getByRole('button', { name: 'Consent to publish for Lab C' }).click();
    await pc.getByText('Embargo until').waitFor();
    for (const page of [pa, pb, pc]) await page.getByRole('button', { name: /^Consent to publish/ }).waitFor({ state: 'detached' });
    await pc.getByRole('link', { name: 'the public page' }).waitFor({ timeout: 30_000 });
    await pc.getByRole('link', { name: 'the public page' }).click();

    // the public page, without a session
    const slugPath = new URL(pc.url()).pathname;
    const anon = await newContext(browser, app.server.url);
    contexts.push(anon);
    const pub = await anon.newPage();
    await pub.goto(slugPath);
    await pub.getByRole('heading', { level: 1, name: 'Incident-sharing accord' }).waitFor();
    await pub.getByText('Reports reach every other party within 72 hours of discovery.').waitFor();
    await expect(pub.getByText('Lab A will publish a monthly incident digest').count()).resolves.toBe(1);
    await checkScreen(pub, 'public-agreement');
    const [pdf] = await Promise.all([pub.waitForEvent('download'), pub.getByRole('link', { name: 'PDF' }).click()]);
    const pdfFile = join(dir, 'agreement.pdf');
    await pdf.saveAs(pdfFile);
    expect((await readFile(pdfFile)).subarray(0, 5).toString()).toBe('%PDF-');
    const [json] = await Promise.all([pub.waitForEvent('download'), pub.getByRole('link', { name: 'JSON bundle' }).click()]);
    const bundleFile = join(dir, 'bundle.json');
    await json.saveAs(bundleFile);

    // parley verify accepts the bundle, and refuses it after one byte changes
    const ok = await cli(['verify', bundleFile]);
    expect(ok.code).toBe(0);
    const text = await readFile(bundleFile, 'utf8');
    const at = text.indexOf('72 hours');
    expect(at).toBeGreaterThan(0);
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, `${text.slice(0, at)}73${text.slice(at + 2)}`);
    expect((await cli(['verify', tampered])).code).toBe(1);

    // the member page offers the same downloads with the cookie session
    const [md] = await Promise.all([pa.waitForEvent('download'), pa.getByRole('link', { name: 'Markdown' }).click()]);
    expect(md.suggestedFilename()).toMatch(/\.md$/);

    // the dashboard: positions matrix, a secret ballot showing only who voted, the chart and its table
    await pf.goto(`/rooms/${room.id}/progress`);
    const matrix = pf.locator('table.matrix');
    await matrix.waitFor();
    await pf.getByText('3 parties · 2 proposals').waitFor();
    const rows = await matrix.locator('tbody tr').allTextContents();
    expect(rows).toEqual(['Lab ASupportVoted (secret)', 'Lab BSupportVoted (secret)', 'Lab CSupportNot voted']);
    for (const choice of ['Oppose', 'Abstain', 'Block']) await expect(matrix.getByText(choice).count()).resolves.toBe(0);
    const progress = (await room.facilitator.client.ok(CONVERGENCE, { id: room.id })).room.progress.proposals as Array<{
      proposal: { id: string };
      convergence: unknown[];
    }>;
    const points = progress.find((p) => p.proposal.id === adopted)!.convergence.length;
    expect(points).toBeGreaterThan(1);
    const card = pf.locator('section', { has: pf.getByRole('heading', { level: 2, name: 'Incident-sharing accord' }) });
    await expect(card.locator('table.convergence-table tbody tr').count()).resolves.toBe(points);
    await card.locator('.recharts-line-dots').first().waitFor();
    // three series, one dot per point each
    await expect(card.locator('.recharts-line-dots circle').count()).resolves.toBe(3 * points);
    // the time axis says when (a room whose events fell within one second showed no time)
    expect(await card.locator('.recharts-xAxis-tick-labels text').allTextContents()).toContainEqual(expect.stringMatching(/\d:\d\d/));
    expect(progress.find((p) => p.proposal.id === secret)!.convergence.length).toBeGreaterThan(0);
    await checkScreen(pf, 'progress');

    // remind: once, then the rate limit as a sentence
    const remind = pf.getByRole('button', { name: 'Remind parties that have not voted' });
    await remind.click();
    await pf.getByText('Reminder sent to Lab C.').waitFor();
    await remind.click();
    await pf.getByText('less than an hour ago').waitFor();

    // a negotiator is told plainly that the dashboard is not theirs
    await pa.goto(`/rooms/${room.id}/progress`);
    await pa.getByText('Your role in this room does not allow that.').waitFor();
  }, 360_000);
});
