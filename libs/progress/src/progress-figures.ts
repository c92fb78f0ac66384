import type { SignOffSets } from '@parley/agreements';
import { ballotSealed } from '@parley/domain';
import type { BallotType, ProposalType } from '@parley/negotiation';
import type { PartyType } from '@parley/rooms';
import type { ConvergencePointType, ProposalProgressType } from './progress.types';

function lastWhere<T>(list: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i])) return list[i];
  return undefined;
}

// The ballots a proposal's row uses, from all of its ballots oldest first, in the same order:
// the latest (latestBallot), the latest on the whole text (positions; the CSV's `voted`) and
// the latest open one (awaitingVote) — one to three ballots however many rounds were held.
// proposalProgress and progressCsvRows give the same answer from these as from all of them
// (property-tested); NegotiationFiguresQuery.roomFigures (libs/negotiation) selects the same ballots in SQL (its
// nth_latest / nth_of_kind / nth_of_status ranks), and an e2e test checks that both agree.
export function figureBallots<B extends { amendmentId: string | null; status: string }>(ballots: readonly B[]): B[] {
  const latest = ballots.at(-1);
  const wholeText = lastWhere(ballots, (b) => b.amendmentId === null);
  const open = lastWhere(ballots, (b) => b.status === 'OPEN');
  return ballots.filter((b) => b === latest || b === wholeText || b === open);
}

// One proposal's row from what the viewer may already see: `ballots` come with secrecy
// applied, oldest first. An open secret ballot shows who voted (awaitingVote) but no
// position at all, not even the viewer's own party's, so every viewer sees the same table.
export function proposalProgress(
  proposal: ProposalType,
  parties: PartyType[],
  ballots: BallotType[],
  series: readonly ConvergencePointType[],
  signOff: SignOffSets | undefined,
): ProposalProgressType {
  const latestBallot = ballots.at(-1) ?? null;
  const wholeText = ballots.filter((b) => b.amendmentId === null).at(-1) ?? null;
  const choices = new Map(wholeText && !ballotSealed(wholeText) ? wholeText.votes.map((v) => [v.party.id, v.choice]) : []);
  const open = ballots.filter((b) => b.status === 'OPEN').at(-1) ?? null;
  const voted = new Set(open?.votedParties.map((p) => p.id) ?? []);
  return {
    proposal,
    openBrackets: proposal.openBrackets,
    // the series holds a point for every change of the figure, so its last point is current
    openAmendments: series.at(-1)?.openAmendments ?? 0,
    latestBallot,
    positions: parties.map((party) => ({ party, choice: choices.get(party.id) ?? null })),
    awaitingVote: open ? parties.filter((p) => !voted.has(p.id)) : [],
    awaitingSignature: signOff ? parties.filter((p) => !signOff.signed.has(p.id)) : [],
    awaitingPublishConsent: signOff ? parties.filter((p) => !signOff.consented.has(p.id)) : [],
    convergence: series,
  };
}

export const CSV_HEADER = ['proposal id', 'proposal title', 'party', 'position', 'voted', 'signed', 'consented'];

const yesNo = (known: boolean, yes: boolean) => (known ? (yes ? 'yes' : 'no') : '');

// One row per proposal and party. `voted` is about the latest whole-text ballot (who voted
// is never secret); signed / consented are blank while no agreement exists.
export function progressCsvRows(rows: Array<{ progress: ProposalProgressType; ballots: BallotType[] }>): string[][] {
  const out = [CSV_HEADER];
  for (const { progress, ballots } of rows) {
    const wholeText = ballots.filter((b) => b.amendmentId === null).at(-1) ?? null;
    const voted = new Set(wholeText?.votedParties.map((p) => p.id) ?? []);
    const hasAgreement = progress.awaitingSignature.length > 0 || progress.proposal.status === 'ADOPTED';
    const unsigned = new Set(progress.awaitingSignature.map((p) => p.id));
    const unconsented = new Set(progress.awaitingPublishConsent.map((p) => p.id));
    for (const { party, choice } of progress.positions) {
      out.push([
        progress.proposal.id,
        progress.proposal.title,
        party.name,
        choice ?? '',
        yesNo(wholeText !== null, voted.has(party.id)),
        yesNo(hasAgreement, !unsigned.has(party.id)),
        yesNo(hasAgreement, !unconsented.has(party.id)),
      ]);
    }
  }
  return out;
}
