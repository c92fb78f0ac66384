// The authorization matrix: every Query and Mutation field of the schema the code generates
// must have a row here, with the expected outcome for each kind of caller. A new operation
// without a row fails this test, and so does a row for an operation the schema does not offer.
// (test/schema.e2e-spec.ts checks that apps/api/schema.gql is that same schema.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { startApp, type Client, type TestApp } from './support/harness';
import { generatedSchema, operationsOf } from './support/schema';
import { adoptedAgreement, fresh, invite, join, newRoom, newUser, publishedAgreement, type TestRoom, type TestUser } from './support/factories';

type Actor = 'facilitator' | 'negotiator' | 'observer' | 'outsider' | 'anonymous';
const ACTORS: Actor[] = ['facilitator', 'negotiator', 'observer', 'outsider', 'anonymous'];
type Outcome = 'OK' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_STATE' | 'BAD_USER_INPUT';

interface World {
  app: TestApp;
  room: TestRoom;
  outsider: TestUser;
  client(actor: Actor): Client;
  // a room where the facilitator, negotiator and observer of `room` hold the same roles
  freshRoom(): Promise<TestRoom>;
}

interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

interface Row {
  expect: Record<Actor, Outcome>;
  call(w: World, actor: Actor): Promise<Call>;
}

const everyone = (anon: Outcome = 'UNAUTHENTICATED'): Record<Actor, Outcome> => ({
  facilitator: 'OK',
  negotiator: 'OK',
  observer: 'OK',
  outsider: 'OK',
  anonymous: anon,
});
const members = (): Record<Actor, Outcome> => ({ facilitator: 'OK', negotiator: 'OK', observer: 'OK', outsider: 'NOT_FOUND', anonymous: 'UNAUTHENTICATED' });
const facilitators = (): Record<Actor, Outcome> => ({
  facilitator: 'OK',
  negotiator: 'FORBIDDEN',
  observer: 'FORBIDDEN',
  outsider: 'NOT_FOUND',
  anonymous: 'UNAUTHENTICATED',
});
const drafters = (): Record<Actor, Outcome> => ({
  facilitator: 'OK',
  negotiator: 'OK',
  observer: 'FORBIDDEN',
  outsider: 'NOT_FOUND',
  anonymous: 'UNAUTHENTICATED',
});
// castVote: the facilitator of the matrix room represents no party
const partyAction = (): Record<Actor, Outcome> => ({
  facilitator: 'FORBIDDEN',
  negotiator: 'OK',
  observer: 'FORBIDDEN',
  outsider: 'NOT_FOUND',
  anonymous: 'UNAUTHENTICATED',
});

// a fresh proposal (and what hangs off it) in the matrix room for each call
async function proposalIn(w: World): Promise<string> {
  const d = await w.room.facilitator.client.ok(
    `mutation($r: ID!) { createProposal(input: { roomId: $r, title: "T", clauses: [{ key: "1", text: "One." }, { key: "2", text: "Two." }] }) { id } }`,
    { r: w.room.id },
  );
  return d.createProposal.id;
}
async function amendmentIn(w: World): Promise<{ proposalId: string; id: string }> {
  const proposalId = await proposalIn(w);
  const d = await w.room.negotiators[0].client.ok(
    `mutation($p: ID!) { proposeAmendment(input: { proposalId: $p, baseVersion: 1, clauseKey: "2", kind: REPLACE, text: "Deux." }) { id } }`,
    { p: proposalId },
  );
  return { proposalId, id: d.proposeAmendment.id };
}
async function ballotIn(w: World): Promise<string> {
  const proposalId = await proposalIn(w);
  const d = await w.room.facilitator.client.ok(
    `mutation($p: ID!) { openBallot(input: { proposalId: $p, rule: MAJORITY, quorum: 0.5, secrecy: OPEN }) { id } }`,
    { p: proposalId },
  );
  return d.openBallot.id;
}

// a fresh agreement: a proposal adopted by a consensus ballot in the room (the matrix room,
// whose parties grow with the addParty rows, or another)
async function agreementIn(w: World, room: TestRoom = w.room): Promise<{ id: string; textHash: string }> {
  const a = await adoptedAgreement(room, { texts: ['One.'], voters: [w.room.negotiators[0]], ballot: { rule: 'CONSENSUS', quorum: 0 }, close: true });
  return { id: a.agreementId, textHash: a.textHash };
}

let publishedSlug: Promise<string> | null = null;
function publishedIn(w: World): Promise<string> {
  publishedSlug ??= (async () => {
    const room = await w.freshRoom();
    const a = await agreementIn(w, room);
    return publishedAgreement({ agreementId: a.id, textHash: a.textHash }, [w.room.negotiators[0]]);
  })();
  return publishedSlug;
}

const publicKeyPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

const ROWS: Record<string, Row> = {
  // identity
  me: { expect: everyone(), call: async () => ({ query: `{ me { id } }` }) },
  signUp: {
    expect: everyone('OK'),
    call: async () => ({
      query: `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      variables: { i: { email: `${fresh('m')}@example.org`, password: 'a long enough password', displayName: 'M' } },
    }),
  },
  login: {
    expect: everyone('OK'),
    call: async (w) => {
      const u = await newUser(w.app.anon);
      return { query: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, variables: { e: u.email, p: u.password } };
    },
  },
  logout: {
    // a throwaway session of the same user, so the actor's own token stays valid
    expect: everyone(),
    call: async () => ({ query: `mutation { logout }` }),
  },
  // what a browser needs before sign-in (first-run page): no session needed, nothing private
  setup: { expect: everyone('OK'), call: async () => ({ query: `{ setup { needsFirstUser openSignup } }` }) },
  sessions: { expect: everyone(), call: async () => ({ query: `{ sessions { id current } }` }) },
  endSession: {
    // a throwaway session of the actor's own user
    expect: everyone(),
    call: async (w, actor) => {
      const user =
        actor === 'outsider' ? w.outsider : actor === 'facilitator' ? w.room.facilitator : actor === 'negotiator' ? w.room.negotiators[0] : w.room.observer;
      const d = await w.app.anon.ok(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: user.email, p: user.password });
      const s = await w.app.anon.as(d.login.token).ok(`{ sessions { id current } }`);
      return { query: `mutation($id: ID!) { endSession(id: $id) }`, variables: { id: s.sessions.find((x: { current: boolean }) => x.current).id } };
    },
  },
  changePassword: {
    // needs a session; a wrong current password then answers BAD_USER_INPUT, changing nothing
    expect: { ...everyone(), facilitator: 'BAD_USER_INPUT', negotiator: 'BAD_USER_INPUT', observer: 'BAD_USER_INPUT', outsider: 'BAD_USER_INPUT' },
    call: async () => ({ query: `mutation { changePassword(oldPassword: "not the current one", newPassword: "a brand new long passphrase") }` }),
  },
  // rooms
  rooms: { expect: everyone(), call: async () => ({ query: `{ rooms { id } }` }) },
  room: {
    expect: members(),
    call: async (w) => ({
      query: `query($id: ID!) { room(id: $id) { id members { id } parties { id } progress { partyCount } } }`,
      variables: { id: w.room.id },
    }),
  },
  createRoom: {
    expect: everyone(),
    call: async () => ({ query: `mutation { createRoom(input: { title: "t", purpose: "p", speakerAttribution: ATTRIBUTED, parties: ["A"] }) { id } }` }),
  },
  addParty: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($r: ID!, $n: String!) { addParty(roomId: $r, name: $n) { id } }`, variables: { r: w.room.id, n: fresh('P') } }),
  },
  createInvite: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($r: ID!) { createInvite(input: { roomId: $r, role: OBSERVER }) { token } }`, variables: { r: w.room.id } }),
  },
  revokeInvite: {
    expect: facilitators(),
    call: async (w) => {
      const d = await w.room.facilitator.client.ok(`mutation($r: ID!) { createInvite(input: { roomId: $r, role: OBSERVER }) { invite { id } } }`, {
        r: w.room.id,
      });
      return { query: `mutation($id: ID!) { revokeInvite(id: $id) { id } }`, variables: { id: d.createInvite.invite.id } };
    },
  },
  invitePreview: {
    expect: everyone('OK'),
    call: async (w) => ({
      query: `query($t: String!) { invitePreview(token: $t) { role } }`,
      variables: { t: await invite(w.room.facilitator.client, w.room.id, 'OBSERVER') },
    }),
  },
  acceptInvite: {
    // the facilitator, negotiator and observer are already members: one membership per room
    expect: { facilitator: 'INVALID_STATE', negotiator: 'INVALID_STATE', observer: 'INVALID_STATE', outsider: 'OK', anonymous: 'UNAUTHENTICATED' },
    call: async (w) => {
      const r = await w.freshRoom();
      return { query: `mutation($t: String!) { acceptInvite(token: $t) { id } }`, variables: { t: await invite(w.room.facilitator.client, r.id, 'OBSERVER') } };
    },
  },
  removeMember: {
    expect: facilitators(),
    call: async (w) => {
      const { membershipId } = await join(w.app.anon, w.room.facilitator.client, w.room.id, 'OBSERVER');
      return { query: `mutation($id: ID!) { removeMember(membershipId: $id) }`, variables: { id: membershipId } };
    },
  },
  archiveRoom: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($id: ID!) { archiveRoom(roomId: $id) { id } }`, variables: { id: (await w.freshRoom()).id } }),
  },
  roomEvents: { expect: members(), call: async (w) => ({ query: `query($r: ID!) { roomEvents(roomId: $r) { seq } }`, variables: { r: w.room.id } }) },
  messages: { expect: members(), call: async (w) => ({ query: `query($r: ID!) { messages(roomId: $r) { id } }`, variables: { r: w.room.id } }) },
  verifyAuditChain: {
    expect: members(),
    call: async (w) => ({ query: `query($r: ID!) { verifyAuditChain(roomId: $r) { valid } }`, variables: { r: w.room.id } }),
  },
  // negotiation
  proposal: {
    expect: members(),
    call: async (w) => ({
      query: `query($id: ID!) { proposal(id: $id) { id versions { number } diff(from: 1, to: 1) { key } amendments { id } ballots { id } agreement { id } } }`,
      variables: { id: await proposalIn(w) },
    }),
  },
  createProposal: {
    expect: drafters(),
    call: async (w) => ({
      query: `mutation($r: ID!) { createProposal(input: { roomId: $r, title: "T", clauses: [{ key: "1", text: "One." }] }) { id } }`,
      variables: { r: w.room.id },
    }),
  },
  reviseProposal: {
    expect: drafters(),
    call: async (w) => ({
      query: `mutation($p: ID!) { reviseProposal(input: { proposalId: $p, expectedVersion: 1, clauses: [{ key: "1", text: "Uno." }] }) { id } }`,
      variables: { p: await proposalIn(w) },
    }),
  },
  addAlternative: {
    expect: drafters(),
    call: async (w) => ({
      query: `mutation($p: ID!) { addAlternative(proposalId: $p, clauseKey: "1", text: "Uno.", expectedVersion: 1) { id } }`,
      variables: { p: await proposalIn(w) },
    }),
  },
  resolveBracket: {
    expect: facilitators(),
    call: async (w) => {
      const p = await proposalIn(w);
      const d = await w.room.facilitator.client.ok(
        `mutation($p: ID!) { addAlternative(proposalId: $p, clauseKey: "1", text: "Uno.", expectedVersion: 1) { clauses { alternatives { id } } } }`,
        { p },
      );
      return {
        query: `mutation($p: ID!, $a: ID!) { resolveBracket(proposalId: $p, clauseKey: "1", alternativeId: $a, expectedVersion: 2) { id } }`,
        variables: { p, a: d.addAlternative.clauses[0].alternatives[1].id },
      };
    },
  },
  withdrawProposal: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($p: ID!) { withdrawProposal(proposalId: $p) { id } }`, variables: { p: await proposalIn(w) } }),
  },
  proposeAmendment: {
    expect: drafters(),
    call: async (w) => ({
      query: `mutation($p: ID!) { proposeAmendment(input: { proposalId: $p, baseVersion: 1, clauseKey: "1", kind: DELETE }) { id } }`,
      variables: { p: await proposalIn(w) },
    }),
  },
  withdrawAmendment: {
    // the amendment is the matrix negotiator's party's own
    expect: drafters(),
    call: async (w) => ({ query: `mutation($id: ID!) { withdrawAmendment(id: $id) { id } }`, variables: { id: (await amendmentIn(w)).id } }),
  },
  acceptAmendment: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($id: ID!) { acceptAmendment(id: $id, expectedVersion: 1) { id } }`, variables: { id: (await amendmentIn(w)).id } }),
  },
  rejectAmendment: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($id: ID!) { rejectAmendment(id: $id) { id } }`, variables: { id: (await amendmentIn(w)).id } }),
  },
  openBallot: {
    expect: facilitators(),
    call: async (w) => ({
      query: `mutation($p: ID!) { openBallot(input: { proposalId: $p, rule: CONSENSUS, quorum: 0.5, secrecy: SECRET_UNTIL_CLOSE }) { id } }`,
      variables: { p: await proposalIn(w) },
    }),
  },
  castVote: {
    expect: partyAction(),
    call: async (w) => ({ query: `mutation($b: ID!) { castVote(input: { ballotId: $b, choice: SUPPORT }) { choice } }`, variables: { b: await ballotIn(w) } }),
  },
  remindParties: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($b: ID!) { remindParties(ballotId: $b) }`, variables: { b: await ballotIn(w) } }),
  },
  closeBallot: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($b: ID!) { closeBallot(ballotId: $b) { id } }`, variables: { b: await ballotIn(w) } }),
  },
  // agreements
  agreement: {
    expect: members(),
    call: async (w) => ({
      query: `query($id: ID!) { agreement(id: $id) { id signatures { textHash } publishConsents { id } commitments { id } } }`,
      variables: { id: (await agreementIn(w)).id },
    }),
  },
  signAgreement: {
    expect: partyAction(),
    call: async (w) => {
      const a = await agreementIn(w);
      return { query: `mutation($a: ID!, $h: String!) { signAgreement(agreementId: $a, textHash: $h) { textHash } }`, variables: { a: a.id, h: a.textHash } };
    },
  },
  registerPartyKey: {
    expect: partyAction(),
    call: async (w) => ({
      query: `mutation($r: ID!, $k: String!) { registerPartyKey(roomId: $r, publicKey: $k) { id } }`,
      variables: { r: w.room.id, k: publicKeyPem() },
    }),
  },
  makeCommitment: {
    expect: partyAction(),
    call: async (w) => ({
      query: `mutation($a: ID!) { makeCommitment(input: { agreementId: $a, statement: "We will", minParties: 2 }) { id } }`,
      variables: { a: (await agreementIn(w)).id },
    }),
  },
  withdrawCommitment: {
    // the commitment is the matrix negotiator's party's own; sealed, it does not exist for
    // anyone outside that party (as a caucus), so a facilitator or observer gets NOT_FOUND
    expect: { ...partyAction(), facilitator: 'NOT_FOUND', observer: 'NOT_FOUND' },
    call: async (w) => {
      const a = await agreementIn(w);
      const d = await w.room.negotiators[0].client.ok(`mutation($a: ID!) { makeCommitment(input: { agreementId: $a, statement: "We will" }) { id } }`, {
        a: a.id,
      });
      return { query: `mutation($id: ID!) { withdrawCommitment(id: $id) { id } }`, variables: { id: d.makeCommitment.id } };
    },
  },
  resolveCommitments: {
    expect: facilitators(),
    call: async (w) => ({ query: `mutation($a: ID!) { resolveCommitments(agreementId: $a) { id } }`, variables: { a: (await agreementIn(w)).id } }),
  },
  consentToPublish: {
    expect: partyAction(),
    call: async (w) => ({ query: `mutation($a: ID!) { consentToPublish(agreementId: $a) { id } }`, variables: { a: (await agreementIn(w)).id } }),
  },
  publishedAgreement: {
    expect: everyone('OK'),
    call: async (w) => ({ query: `query($s: String!) { publishedAgreement(slug: $s) { title } }`, variables: { s: await publishedIn(w) } }),
  },
};

describe('authorization matrix', () => {
  let app: TestApp;
  let world: World;
  let operations: string[] = [];

  beforeAll(async () => {
    operations = operationsOf(await generatedSchema());
    app = await startApp();
    const room = await newRoom(app.anon, { parties: ['Lab A', 'Lab B'] });
    const outsider = await newUser(app.anon);
    await newRoom(app.anon, { facilitator: outsider, parties: ['Elsewhere'] });
    world = {
      app,
      room,
      outsider,
      client(actor) {
        switch (actor) {
          case 'facilitator':
            return room.facilitator.client;
          case 'negotiator':
            return room.negotiators[0].client;
          case 'observer':
            return room.observer.client;
          case 'outsider':
            return outsider.client;
          case 'anonymous':
            return app.anon;
        }
      },
      async freshRoom() {
        const r = await newRoom(app.anon, { facilitator: room.facilitator, parties: ['Lab A'] });
        // the same negotiator and observer users join it with the same roles
        const neg = await invite(room.facilitator.client, r.id, 'NEGOTIATOR', r.parties[0].id);
        await room.negotiators[0].client.ok(`mutation($t: String!) { acceptInvite(token: $t) { id } }`, { t: neg });
        const obs = await invite(room.facilitator.client, r.id, 'OBSERVER');
        await room.observer.client.ok(`mutation($t: String!) { acceptInvite(token: $t) { id } }`, { t: obs });
        return r;
      },
    };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('has a row for every operation of the schema, and none for an operation it does not offer', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter((op) => !ROWS[op])).toEqual([]);
    expect(Object.keys(ROWS).filter((op) => !operations.includes(op))).toEqual([]);
  });

  const cases = Object.entries(ROWS).flatMap(([op, row]) => ACTORS.map((actor) => [op, actor, row.expect[actor]] as const));
  it.each(cases)('%s as %s → %s', async (op, actor, expected) => {
    const row = ROWS[op];
    let client = world.client(actor);
    if (op === 'logout' && actor !== 'anonymous') {
      const user =
        actor === 'outsider'
          ? world.outsider
          : actor === 'facilitator'
            ? world.room.facilitator
            : actor === 'negotiator'
              ? world.room.negotiators[0]
              : world.room.observer;
      const d = await app.anon.ok(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, { e: user.email, p: user.password });
      client = app.anon.as(d.login.token);
    }
    const call = await row.call(world, actor);
    const result = await client.gql(call.query, call.variables);
    const outcome = result.errors?.length ? result.errors[0].extensions?.code : 'OK';
    expect(outcome).toBe(expected);
  });
});
