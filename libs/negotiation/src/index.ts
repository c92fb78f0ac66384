export * from './negotiation.module';
export * from './proposals.service';
export * from './amendments.service';
export * from './ballots.service';
export * from './negotiation.types';
export type { AmendmentStatus, BallotSecrecy, BallotStatus, ProposalStatus } from './negotiation.entities';
