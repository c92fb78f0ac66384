import { badInput, isUuid } from '@parley/common';

// null = room-wide; "proposal:<id>", "proposal:<id>:clause:<key>", or "party:<id>" (a caucus)
export type Thread =
  | { kind: 'room'; name: null }
  | { kind: 'proposal'; name: string; proposalId: string; clauseKey: string | null }
  | { kind: 'party'; name: string; partyId: string };

const CLAUSE_KEY = /^[A-Za-z0-9._-]{1,20}$/;
const ROOM: Thread = { kind: 'room', name: null };

export function parseThread(raw: unknown, field = 'thread'): Thread {
  if (raw === undefined || raw === null) return ROOM;
  const bad = () => badInput({ [field]: 'must be null, proposal:<id>, proposal:<id>:clause:<key> or party:<id>' });
  if (typeof raw !== 'string' || raw.length > 120) throw bad();
  const parts = raw.split(':');
  if (parts[0] === 'party' && parts.length === 2 && isUuid(parts[1])) {
    const partyId = parts[1].toLowerCase();
    return { kind: 'party', name: `party:${partyId}`, partyId };
  }
  if (parts[0] === 'proposal' && isUuid(parts[1])) {
    const proposalId = parts[1].toLowerCase();
    if (parts.length === 2) return { kind: 'proposal', name: `proposal:${proposalId}`, proposalId, clauseKey: null };
    if (parts.length === 4 && parts[2] === 'clause' && CLAUSE_KEY.test(parts[3])) {
      return { kind: 'proposal', name: `proposal:${proposalId}:clause:${parts[3]}`, proposalId, clauseKey: parts[3] };
    }
  }
  throw bad();
}

// Who a message in this thread is for: a caucus is its party's alone (anyone else gets
// NOT_FOUND from `assertCaucusMember`, learning nothing of it, not even that it exists).
export function threadAudience<S>(
  access: { assertCaucusMember(scope: S, partyId: string): void },
  scope: S,
  thread: Thread,
): { name: string | null; audiencePartyId: string | null } {
  if (thread.kind === 'party') {
    access.assertCaucusMember(scope, thread.partyId);
    return { name: thread.name, audiencePartyId: thread.partyId };
  }
  return { name: thread.name, audiencePartyId: null };
}
