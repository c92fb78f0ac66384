import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { badInput, Check, invalidState, notFound, versionConflict } from '@parley/common';
import type { Tx } from '@parley/database';
import { clauseTextProblem, countOpenBrackets, diffClauses, validateClauses, type Clause, type ClauseInput } from '@parley/domain';
import type { AuthUser } from '@parley/identity';
import { eventAuthor, ROOM, RoomAccessService, RoomsService, RoomWrites, type PartyEntity, type RoomScope } from '@parley/rooms';
import type { ProposalEntity } from './negotiation.entities';
import { PartyBook } from './party-book';
import { ProposalWrites } from './proposal-writes';
import { PROPOSAL, ProposalRepository } from './proposal.repository';
import type { ConvergenceSink } from './negotiation-figures.query';
import {
  ProposalSiblings,
  type ClauseDiffType,
  type CreateProposalInput,
  type ProposalType,
  type ProposalVersionType,
  type ReviseProposalInput,
} from './negotiation.types';

export const MAX_TITLE = 300;
export const MAX_SUMMARY = 1000;
export const MAX_ALTERNATIVES = 20;

const toClauses = (input: ClauseInput[]): Clause[] => input.map((c) => ({ key: c.key, heading: c.heading ? c.heading : null, text: c.text, alternatives: [] }));

export function assertEditable(p: ProposalEntity): void {
  if (p.status === 'VOTING') throw invalidState('The text is frozen while a ballot on it is open.');
  if (p.status !== 'DRAFTING') throw invalidState(`The proposal is ${p.status.toLowerCase()}; its text can no longer change.`);
}

export function assertVersion(p: ProposalEntity, expected: number): void {
  if (p.version !== expected) throw versionConflict(p.version);
}

@Injectable()
export class ProposalsService {
  constructor(
    private readonly repo: ProposalRepository,
    private readonly writes: RoomWrites,
    private readonly proposalWrites: ProposalWrites,
    private readonly access: RoomAccessService,
    private readonly rooms: RoomsService,
  ) {}

  // where every negotiation write hands its convergence figures (see ConvergenceSink); set once
  // at start-up in apps/api/src/room-event-hooks.ts
  useConvergence(sink: ConvergenceSink): void {
    this.proposalWrites.useConvergence(sink);
  }

  // `tx` inside a write
  async book(scope: RoomScope, tx?: Tx): Promise<PartyBook> {
    return new PartyBook(tx ? await this.writes.parties(tx, scope.room.id) : await this.rooms.parties(scope.room.id), scope);
  }

  // A proposal's view names parties only as the authors of bracket options: with no clause
  // bracketed, there are none to read.
  async view(scope: RoomScope, p: ProposalEntity, book?: PartyBook | Tx): Promise<ProposalType> {
    if (book instanceof PartyBook) return this.viewWith(scope, p, book);
    const bracketed = p.clauses.some((c) => c.alternatives.length > 0);
    return this.viewWith(scope, p, bracketed ? await this.book(scope, book) : new PartyBook([], scope));
  }

  private viewWith(scope: RoomScope, p: ProposalEntity, parties: PartyBook): ProposalType {
    return {
      id: p.id,
      roomId: p.roomId,
      title: p.title,
      status: p.status,
      version: p.version,
      textHash: p.textHash,
      clauses: parties.clauses(p.clauses),
      openBrackets: countOpenBrackets(p.clauses),
      scope,
      entity: p,
    };
  }

  // reads

  async proposal(user: AuthUser, id: string): Promise<ProposalType> {
    const roomId = await this.access.roomOfOrThrow(user, PROPOSAL, id);
    const scope = await this.access.check(user, roomId, 'read');
    return this.view(scope, await this.repo.proposalOrThrow(id));
  }

  // `known` parties: a caller that has read the room's parties already passes them on
  async roomProposals(scope: RoomScope, known?: PartyEntity[]): Promise<ProposalType[]> {
    const [list, parties] = await Promise.all([this.repo.roomProposals(scope.room.id), known ?? this.rooms.parties(scope.room.id)]);
    return this.listViews(scope, list, parties);
  }

  // The room's proposals from rows a caller read itself (progress reads them with its
  // figures), listed together so field resolvers load for all of them at once.
  listViews(scope: RoomScope, list: ProposalEntity[], parties: PartyEntity[]): ProposalType[] {
    const book = new PartyBook(parties, scope);
    const siblings = new ProposalSiblings(list.map((p) => p.id));
    return list.map((p) => ({ ...this.viewWith(scope, p, book), siblings }));
  }

  async versions(proposal: ProposalType): Promise<ProposalVersionType[]> {
    return (await this.repo.versions(proposal.id)).map((v) => ({ number: v.number, textHash: v.textHash, summary: v.summary, createdAt: v.createdAt }));
  }

  async diff(proposal: ProposalType, from: number, to: number): Promise<ClauseDiffType[]> {
    const c = new Check();
    c.int('from', from, { min: 1, max: proposal.version });
    c.int('to', to, { min: 1, max: proposal.version });
    c.done();
    const found = await this.repo.versionsNumbered(proposal.id, [from, to]);
    const before = found.find((v) => v.number === from);
    const after = found.find((v) => v.number === to);
    if (!before || !after) throw badInput({ [before ? 'to' : 'from']: 'no such version' });
    return diffClauses(before.clauses, after.clauses);
  }

  // for exports: the proposal's title and its version history hashes
  async titleOf(proposalId: string): Promise<string> {
    return (await this.repo.proposalOrThrow(proposalId)).title;
  }

  versionIn(tx: Tx, proposalId: string, number: number) {
    return this.repo.versionIn(tx, proposalId, number);
  }

  async versionHashes(proposalId: string): Promise<Array<{ number: number; textHash: string; createdAt: Date }>> {
    return (await this.repo.versions(proposalId)).map((v) => ({ number: v.number, textHash: v.textHash, createdAt: v.createdAt }));
  }

  // writes: room lock first, then the proposal, one transaction, one event

  async create(user: AuthUser, input: CreateProposalInput): Promise<ProposalType> {
    const c = new Check();
    const title = c.text('title', input.title, { min: 1, max: MAX_TITLE });
    for (const [field, problem] of Object.entries(validateClauses(input.clauses))) c.that(field, false, problem);
    c.done();
    const clauses = toClauses(input.clauses);
    return this.writes.run(async (tx) => {
      const ctx = await this.writes.lock(tx, user, ROOM, input.roomId, 'draft');
      const p = await this.repo.insertProposal(tx, { roomId: ctx.room.id, title, clauses, createdBy: ctx.membership.id });
      await this.proposalWrites.append(tx, ctx, {
        roomId: p.roomId,
        type: 'proposal.created',
        actor: ctx.membership,
        payload: { proposalId: p.id, title, version: 1, textHash: p.textHash, clauses: clauses.length, author: eventAuthor(ctx.membership) },
      });
      return this.view(ctx, p, tx);
    });
  }

  async revise(user: AuthUser, input: ReviseProposalInput): Promise<ProposalType> {
    const c = new Check();
    c.int('expectedVersion', input.expectedVersion, { min: 1, max: 2 ** 31 - 1 });
    const summary = c.text('summary', input.summary, { max: MAX_SUMMARY, optional: true }) || null;
    for (const [field, problem] of Object.entries(validateClauses(input.clauses))) c.that(field, false, problem);
    c.done();
    const next = toClauses(input.clauses);
    // the one-statement revision goes with the room lock, as the caller's membership (see
    // ProposalWrites.locked): refused by the lock's checks, it is rolled back
    const reviseWith = (tx: Tx) => this.repo.reviseUnbracketed(tx, input.proposalId, input.expectedVersion, next, summary, user.id);
    return this.proposalWrites.locked(user, input.proposalId, 'draft', reviseWith, async (tx, ctx, plain) => {
      const p = plain.committed ? plain.proposal : await this.reviseChecked(tx, plain.proposal, input.expectedVersion, next, summary, ctx.membership.id);
      await this.proposalWrites.append(
        tx,
        ctx,
        {
          roomId: p.roomId,
          type: 'proposal.revised',
          actor: ctx.membership,
          payload: { proposalId: p.id, version: p.version, textHash: p.textHash, summary, author: eventAuthor(ctx.membership) },
        },
        plain.figures,
      );
      return this.view(ctx, p, tx);
    });
  }

  // the revision the one-statement path left to the checks: a refusal, or a bracketed text
  private async reviseChecked(tx: Tx, p: ProposalEntity, expected: number, next: Clause[], summary: string | null, authorId: string): Promise<ProposalEntity> {
    assertEditable(p);
    assertVersion(p, expected);
    return this.repo.commitVersion(tx, p, expected, this.keepBrackets(p.clauses, next), summary, authorId);
  }

  // A revision keeps a bracketed clause's options while its text stays; changing the text of
  // a bracketed clause would silently drop them, so that goes through resolveBracket instead.
  private keepBrackets(current: Clause[], next: Clause[]): Clause[] {
    const byKey = new Map(current.map((c) => [c.key, c]));
    const bad: Record<string, string> = {};
    const out = next.map((c, i) => {
      const old = byKey.get(c.key);
      if (!old || old.alternatives.length === 0) return c;
      if (old.text !== c.text) bad[`clauses[${i}].text`] = 'is bracketed: resolve its bracket before changing its text';
      return { ...c, alternatives: old.alternatives };
    });
    if (Object.keys(bad).length) throw badInput(bad);
    return out;
  }

  async addAlternative(user: AuthUser, proposalId: string, clauseKey: string, text: string, expectedVersion: number): Promise<ProposalType> {
    const problem = clauseTextProblem(text);
    if (problem) throw badInput({ text: problem });
    return this.proposalWrites.run(user, proposalId, 'draft', async (tx, ctx, p) => {
      assertEditable(p);
      assertVersion(p, expectedVersion);
      const clause = p.clauses.find((cl) => cl.key === clauseKey);
      if (!clause) throw badInput({ clauseKey: `no clause has the key "${clauseKey}"` });
      const options = clause.alternatives.length ? clause.alternatives : [{ id: randomUUID(), text: clause.text, partyId: null }];
      if (options.some((o) => o.text === text)) throw badInput({ text: 'is already an option of this clause' });
      if (options.length >= MAX_ALTERNATIVES) throw badInput({ clauseKey: `a clause holds at most ${MAX_ALTERNATIVES} options` });
      const added = { id: randomUUID(), text, partyId: ctx.membership.partyId };
      const opened = clause.alternatives.length === 0;
      const clauses = p.clauses.map((cl) => (cl.key === clauseKey ? { ...cl, alternatives: [...options, added] } : cl));
      await this.repo.commitVersion(tx, p, expectedVersion, clauses, null, ctx.membership.id);
      await this.proposalWrites.append(tx, ctx, {
        roomId: p.roomId,
        type: opened ? 'bracket.opened' : 'bracket.option_added',
        actor: ctx.membership,
        payload: { proposalId: p.id, clauseKey, alternativeId: added.id, version: p.version, textHash: p.textHash, author: eventAuthor(ctx.membership) },
      });
      return this.view(ctx, p, tx);
    });
  }

  async resolveBracket(user: AuthUser, proposalId: string, clauseKey: string, alternativeId: string, expectedVersion: number): Promise<ProposalType> {
    return this.proposalWrites.run(user, proposalId, 'facilitate', async (tx, ctx, p) => {
      assertEditable(p);
      assertVersion(p, expectedVersion);
      const clause = p.clauses.find((cl) => cl.key === clauseKey);
      if (!clause) throw badInput({ clauseKey: `no clause has the key "${clauseKey}"` });
      if (!clause.alternatives.length) throw badInput({ clauseKey: 'this clause is not bracketed' });
      const chosen = clause.alternatives.find((a) => a.id === alternativeId);
      if (!chosen) throw notFound();
      const clauses = p.clauses.map((cl) => (cl.key === clauseKey ? { ...cl, text: chosen.text, alternatives: [] } : cl));
      await this.repo.commitVersion(tx, p, expectedVersion, clauses, null, ctx.membership.id);
      await this.proposalWrites.append(tx, ctx, {
        roomId: p.roomId,
        type: 'bracket.resolved',
        actor: ctx.membership,
        payload: { proposalId: p.id, clauseKey, alternativeId, version: p.version, textHash: p.textHash },
      });
      return this.view(ctx, p, tx);
    });
  }

  async withdraw(user: AuthUser, proposalId: string): Promise<ProposalType> {
    return this.proposalWrites.run(user, proposalId, 'facilitate', async (tx, ctx, p) => {
      if (p.status !== 'DRAFTING') throw invalidState(`A ${p.status.toLowerCase()} proposal cannot be withdrawn.`);
      if ((await this.repo.openBallots(tx, p.id)).length) throw invalidState('Close its open ballots first.');
      await this.repo.setStatus(tx, p, 'WITHDRAWN');
      await this.proposalWrites.append(tx, ctx, {
        roomId: p.roomId,
        type: 'proposal.withdrawn',
        actor: ctx.membership,
        payload: { proposalId: p.id, version: p.version },
      });
      return this.view(ctx, p, tx);
    });
  }
}
