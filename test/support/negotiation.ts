// GraphQL documents and helpers for proposals, amendments and ballots.
import type { Client } from './harness';

// castVote lives with the other factories; re-exported for the files that import it from here
export { CAST_VOTE } from './factories';

export const PROPOSAL_FIELDS = `id roomId title status version textHash openBrackets clauses { key heading text alternatives { id text party { id name } } }`;
export const BALLOT_FIELDS = `id proposalId amendmentId version rule threshold quorum secrecy status closesAt outcome votedParties { id name } votes { party { id name } choice reason castAt } tally { support oppose abstain block notVoted }`;

export const CREATE_PROPOSAL = `mutation($input: CreateProposalInput!) { createProposal(input: $input) { ${PROPOSAL_FIELDS} } }`;
export const REVISE_PROPOSAL = `mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) { ${PROPOSAL_FIELDS} } }`;
export const GET_PROPOSAL = `query($id: ID!) { proposal(id: $id) { ${PROPOSAL_FIELDS} versions { number textHash summary createdAt } } }`;
export const DIFF = `query($id: ID!, $from: Int!, $to: Int!) { proposal(id: $id) { diff(from: $from, to: $to) { key change before after hunks { op text } } } }`;
export const ADD_ALTERNATIVE = `mutation($p: ID!, $k: String!, $t: String!, $v: Int!) { addAlternative(proposalId: $p, clauseKey: $k, text: $t, expectedVersion: $v) { ${PROPOSAL_FIELDS} } }`;
export const RESOLVE_BRACKET = `mutation($p: ID!, $k: String!, $a: ID!, $v: Int!) { resolveBracket(proposalId: $p, clauseKey: $k, alternativeId: $a, expectedVersion: $v) { ${PROPOSAL_FIELDS} } }`;
export const WITHDRAW_PROPOSAL = `mutation($p: ID!) { withdrawProposal(proposalId: $p) { id status } }`;
export const PROPOSE_AMENDMENT = `mutation($input: ProposeAmendmentInput!) { proposeAmendment(input: $input) { id proposalId baseVersion clauseKey kind text rationale status party { id name } createdAt } }`;
export const WITHDRAW_AMENDMENT = `mutation($id: ID!) { withdrawAmendment(id: $id) { id status } }`;
export const ACCEPT_AMENDMENT = `mutation($id: ID!, $v: Int!) { acceptAmendment(id: $id, expectedVersion: $v) { ${PROPOSAL_FIELDS} } }`;
export const REJECT_AMENDMENT = `mutation($id: ID!) { rejectAmendment(id: $id) { id status } }`;
export const AMENDMENTS = `query($id: ID!, $s: AmendmentStatus) { proposal(id: $id) { amendments(status: $s) { id status kind clauseKey party { name } } } }`;
export const OPEN_BALLOT = `mutation($input: OpenBallotInput!) { openBallot(input: $input) { ${BALLOT_FIELDS} } }`;
export const CLOSE_BALLOT = `mutation($id: ID!) { closeBallot(ballotId: $id) { ${BALLOT_FIELDS} } }`;
export const BALLOTS = `query($id: ID!) { proposal(id: $id) { status version ballots { ${BALLOT_FIELDS} } agreement { id proposalId version textHash status clauses { key text } signatures { textHash } publishConsents { id } commitments { id } publicSlug } } }`;

export const clauses = (...texts: string[]) => texts.map((text, i) => ({ key: String(i + 1), heading: null, text }));

export async function createProposal(
  client: Client,
  roomId: string,
  texts = ['Each lab reports training runs above the threshold.', 'Reports go to the facilitator within 30 days.'],
) {
  const d = await client.ok(CREATE_PROPOSAL, { input: { roomId, title: 'Compute reporting', clauses: clauses(...texts) } });
  return d.createProposal as {
    id: string;
    version: number;
    textHash: string;
    clauses: Array<{ key: string; text: string; alternatives: Array<{ id: string; text: string }> }>;
  };
}

export async function openBallot(client: Client, proposalId: string, over: Record<string, unknown> = {}) {
  const d = await client.ok(OPEN_BALLOT, { input: { proposalId, rule: 'MAJORITY', quorum: 0.5, secrecy: 'OPEN', ...over } });
  return d.openBallot as { id: string; status: string };
}

export async function ballots(client: Client, proposalId: string) {
  return (await client.ok(BALLOTS, { id: proposalId })).proposal as {
    status: string;
    version: number;
    ballots: Array<Record<string, any>>;
    agreement: Record<string, any> | null;
  };
}
