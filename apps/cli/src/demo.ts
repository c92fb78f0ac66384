import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { DiscussionService } from '@parley/discussion';
import { IdentityService, type AuthUser } from '@parley/identity';
import { AppModule } from '../../api/src/app.module';
import { openDatabase } from './cli-context';

// `parley demo`: a room in the middle of a negotiation, made through the same GraphQL API a
// browser uses (an in-process server on a loopback port) so the data is exactly what real use
// makes. Messages go through the discussion service, as the socket gateway would send them.
// Running it again finds the room and changes nothing.

export const DEMO_TITLE = 'Frontier incident-sharing accord';
export const DEMO_PASSWORD = 'parley-demo-password';
const DOMAIN = 'demo.parley.example';

const PEOPLE = {
  facilitator: { email: `facilitator@${DOMAIN}`, name: 'Fatima Okafor (facilitator)' },
  aurora: { email: `aurora@${DOMAIN}`, name: 'Anna Lindqvist', party: 'Aurora Labs' },
  borealis: { email: `borealis@${DOMAIN}`, name: 'Bao Nguyen', party: 'Borealis AI' },
  cirrus: { email: `cirrus@${DOMAIN}`, name: 'Carlos Mendes', party: 'Cirrus Research' },
  observer: { email: `observer@${DOMAIN}`, name: 'Olivia Grant (observer)' },
} as const;

const CLAUSES = [
  {
    key: '1',
    heading: 'Purpose',
    text: 'The parties share information about serious safety incidents involving frontier AI systems so that each can prevent similar incidents in its own systems.',
  },
  {
    key: '2',
    heading: 'Scope',
    text: 'A serious incident is an event in which a deployed model caused, or came close to causing, significant harm to people or critical infrastructure.',
  },
  { key: '3', heading: 'Notification', text: 'A party notifies the others through the facilitator within 7 days of confirming a serious incident.' },
  {
    key: '4',
    heading: 'Content of a notice',
    text: 'A notice describes what happened, the systems involved, the mitigations taken and the contact person; it need not include model weights or proprietary code.',
  },
  { key: '5', heading: 'Confidentiality', text: 'Notices are confidential to the parties and the facilitator.' },
  { key: '6', heading: 'Review', text: 'The parties review this accord twelve months after it takes effect.' },
];

class Api {
  constructor(
    private readonly url: string,
    public token: string | null = null,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the demo reads GraphQL answers untyped, as the e2e tests do
  async call<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length) {
      const e = body.errors[0];
      throw new Error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
    }
    return body.data as T;
  }

  as(token: string): Api {
    return new Api(this.url, token);
  }
}

const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`;
const INVITE = `mutation($i: CreateInviteInput!) { createInvite(input: $i) { token } }`;
const P = `id version clauses { key alternatives { id } }`;

export interface DemoResult {
  created: boolean;
  roomId: string;
  // where `npm start` listens with this configuration (3000 when PORT=0 asks for any free port)
  serverAddress: string;
  accounts: Array<{ who: string; email: string; password: string }>;
}

export async function runDemo(): Promise<DemoResult> {
  const { url, config, logger, embedded } = await openDatabase();
  const serverAddress = `http://localhost:${config.port || 3000}`;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config: { ...config, logLevel: 'warn' }, logger, databaseUrl: url }), {
    logger: false,
  });
  try {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const api = new Api(`http://127.0.0.1:${address.port}/graphql`);
    const identity = app.get(IdentityService);
    const accounts = Object.entries(PEOPLE).map(([who, p]) => ({
      who: 'party' in p ? `negotiator for ${p.party}` : who,
      email: p.email,
      password: DEMO_PASSWORD,
    }));

    const login = async (email: string) => api.as((await api.call<{ login: { token: string } }>(LOGIN, { e: email, p: DEMO_PASSWORD })).login.token);
    let fac: Api;
    try {
      fac = await login(PEOPLE.facilitator.email);
    } catch {
      await identity.createUser({ email: PEOPLE.facilitator.email, password: DEMO_PASSWORD, displayName: PEOPLE.facilitator.name });
      fac = await login(PEOPLE.facilitator.email);
    }
    const existing = (await fac.call<{ rooms: Array<{ id: string; title: string }> }>(`{ rooms { id title } }`)).rooms.find((r) => r.title === DEMO_TITLE);
    if (existing) return { created: false, roomId: existing.id, serverAddress, accounts };

    const room = (
      await fac.call(`mutation($i: CreateRoomInput!) { createRoom(input: $i) { id parties { id name } } }`, {
        i: {
          title: DEMO_TITLE,
          purpose: 'Agree how three frontier labs tell each other about serious safety incidents, before anything is announced.',
          speakerAttribution: 'ATTRIBUTED',
          parties: [PEOPLE.aurora.party, PEOPLE.borealis.party, PEOPLE.cirrus.party],
        },
      })
    ).createRoom as { id: string; parties: Array<{ id: string; name: string }> };
    const partyId = (name: string) => room.parties.find((p) => p.name === name)!.id;

    // each member joins through an invitation, as people do
    const join = async (person: { email: string; name: string }, role: string, party?: string): Promise<Api> => {
      const token = (await fac.call(INVITE, { i: { roomId: room.id, role, partyId: party ? partyId(party) : null } })).createInvite.token as string;
      try {
        const member = await login(person.email);
        await member.call(`mutation($t: String!) { acceptInvite(token: $t) { id } }`, { t: token });
        return member;
      } catch {
        const signed = await api.call(SIGN_UP, { i: { email: person.email, password: DEMO_PASSWORD, displayName: person.name, inviteToken: token } });
        return api.as(signed.signUp.token as string);
      }
    };
    const aurora = await join(PEOPLE.aurora, 'NEGOTIATOR', PEOPLE.aurora.party);
    const borealis = await join(PEOPLE.borealis, 'NEGOTIATOR', PEOPLE.borealis.party);
    const cirrus = await join(PEOPLE.cirrus, 'NEGOTIATOR', PEOPLE.cirrus.party);
    const observer = await join(PEOPLE.observer, 'OBSERVER');

    // the text: a first draft, a revision, then an open bracket on the notification window
    let p = (
      await fac.call(`mutation($i: CreateProposalInput!) { createProposal(input: $i) { ${P} } }`, {
        i: { roomId: room.id, title: 'Incident-sharing accord', clauses: CLAUSES },
      })
    ).createProposal;
    const revised = CLAUSES.map((c) =>
      c.key === '6'
        ? { ...c, text: 'The parties review this accord twelve months after it takes effect, and after any serious incident that it did not cover.' }
        : c,
    );
    p = (
      await aurora.call(`mutation($i: ReviseProposalInput!) { reviseProposal(input: $i) { ${P} } }`, {
        i: { proposalId: p.id, expectedVersion: p.version, clauses: revised, summary: 'Review also after an uncovered incident' },
      })
    ).reviseProposal;
    p = (
      await borealis.call(
        `mutation($p: ID!, $k: String!, $t: String!, $v: Int!) { addAlternative(proposalId: $p, clauseKey: $k, text: $t, expectedVersion: $v) { ${P} } }`,
        {
          p: p.id,
          k: '3',
          t: 'A party notifies the others through the facilitator within 72 hours of confirming a serious incident.',
          v: p.version,
        },
      )
    ).addAlternative;

    // an amendment put to an open ballot, which passed and closed: a new version
    const amend = `mutation($i: ProposeAmendmentInput!) { proposeAmendment(input: $i) { id } }`;
    const a1 = (
      await cirrus.call(amend, {
        i: {
          proposalId: p.id,
          baseVersion: p.version,
          clauseKey: '5',
          kind: 'REPLACE',
          text: 'Notices are confidential to the parties and the facilitator, and are never published without the consent of the party that sent them.',
          rationale: 'A party must control what is said about its own incidents.',
        },
      })
    ).proposeAmendment.id as string;
    const openBallot = `mutation($i: OpenBallotInput!) { openBallot(input: $i) { id } }`;
    const b1 = (await fac.call(openBallot, { i: { proposalId: p.id, amendmentId: a1, rule: 'CONSENSUS', quorum: 0.67, secrecy: 'OPEN' } })).openBallot
      .id as string;
    const vote = `mutation($i: CastVoteInput!) { castVote(input: $i) { castAt } }`;
    await aurora.call(vote, { i: { ballotId: b1, choice: 'SUPPORT', reason: 'Agreed: each party owns its disclosures.' } });
    await borealis.call(vote, { i: { ballotId: b1, choice: 'SUPPORT' } });
    await cirrus.call(vote, { i: { ballotId: b1, choice: 'SUPPORT', reason: 'Our proposal.' } });
    // every party voted, so the ballot closed itself; close it explicitly only if it did not
    const b1Status = (await fac.call(`query($id: ID!) { proposal(id: $id) { ballots { id status } } }`, { id: p.id })).proposal.ballots.find(
      (b: { id: string }) => b.id === b1,
    ).status;
    if (b1Status === 'OPEN') await fac.call(`mutation($id: ID!) { closeBallot(ballotId: $id) { id } }`, { id: b1 });

    // an open amendment with an open secret ballot on it
    p = (await fac.call(`query($id: ID!) { proposal(id: $id) { ${P} } }`, { id: p.id })).proposal;
    const a2 = (
      await aurora.call(amend, {
        i: {
          proposalId: p.id,
          baseVersion: p.version,
          clauseKey: '2',
          kind: 'REPLACE',
          text: 'A serious incident is an event in which a deployed or internally used model caused, or came close to causing, significant harm to people or critical infrastructure.',
          rationale: 'Internal use can be as risky as deployment.',
        },
      })
    ).proposeAmendment.id as string;
    const b2 = (
      await fac.call(openBallot, {
        i: {
          proposalId: p.id,
          amendmentId: a2,
          rule: 'MAJORITY',
          quorum: 0.5,
          secrecy: 'SECRET_UNTIL_CLOSE',
          closesAt: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
        },
      })
    ).openBallot.id as string;
    await borealis.call(vote, { i: { ballotId: b2, choice: 'OPPOSE', reason: 'Internal use is covered by our own policies.' } });

    // discussion: the room thread, the bracketed clause's thread, and Aurora's caucus
    const discussion = app.get(DiscussionService);
    const sender = async (client: Api) => (await identity.authenticate(client.token!)) as AuthUser;
    const say = async (client: Api, body: string, thread: string | null = null) =>
      discussion.send(await sender(client), { roomId: room.id, body, thread, clientMsgId: `demo-${Math.random().toString(36).slice(2)}` });
    await say(fac, 'Welcome. The text is on the left; clause 3 still has two options in brackets.');
    await say(aurora, 'Thanks. We can live with most of it; the notification window is the open question.');
    await say(cirrus, 'Our amendment on confidentiality passed, thank you all.');
    await say(observer, 'For the record: I will summarise the open points at the end of the week.');
    const clauseThread = `proposal:${p.id}:clause:3`;
    await say(borealis, '72 hours is what regulators are moving to; 7 days leaves others exposed for too long.', clauseThread);
    await say(cirrus, 'Confirming an incident can itself take days. 72 hours from confirmation is workable, not from detection.', clauseThread);
    await say(aurora, 'We could accept 72 hours if the notice may be preliminary.', clauseThread);
    const caucus = `party:${partyId(PEOPLE.aurora.party)}`;
    await say(aurora, 'Caucus: our floor is 72 hours with a preliminary notice allowed. Do not concede the internal-use scope yet.', caucus);
    return { created: true, roomId: room.id, serverAddress, accounts };
  } finally {
    await app.close();
    await embedded?.stop();
  }
}
