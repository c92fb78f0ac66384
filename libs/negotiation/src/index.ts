export * from './negotiation.module';
export * from './proposals.service';
export * from './amendments.service';
export * from './ballots.service';
export * from './negotiation.types';
export * from './negotiation-figures.query';
export { BALLOT_RULES_SQL } from './proposal.repository';
export type { AmendmentStatus, BallotSecrecy, BallotStatus, ProposalStatus } from './negotiation.entities';
