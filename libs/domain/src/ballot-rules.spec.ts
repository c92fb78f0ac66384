import fc from 'fast-check';
import {
  acceptsVotes,
  ballotDue,
  ballotSealed,
  everyPartyVoted,
  latestWholeTextBallot,
  partiesAwaiting,
  type BallotSecrecy,
  type BallotStatus,
} from './ballot-rules';

const status = fc.constantFrom<BallotStatus>('OPEN', 'CLOSED');
const secrecy = fc.constantFrom<BallotSecrecy>('OPEN', 'SECRET_UNTIL_CLOSE');
const time = fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => new Date(ms));
const deadline = fc.option(time, { nil: null });
const uuid = fc.uuid().map((u) => u.toLowerCase());

describe('ballot rules', () => {
  describe(ballotSealed.name, () => {
    it('seals exactly the open secret ballots', () => {
      fc.assert(
        fc.property(status, secrecy, (s, sec) => {
          expect(ballotSealed({ status: s, secrecy: sec })).toBe(s === 'OPEN' && sec === 'SECRET_UNTIL_CLOSE');
        }),
      );
    });

    it('never seals a closed ballot: closing reveals every choice', () => {
      fc.assert(fc.property(secrecy, (sec) => !ballotSealed({ status: 'CLOSED', secrecy: sec })));
    });
  });

  describe(acceptsVotes.name, () => {
    it('never accepts a vote on a closed ballot', () => {
      fc.assert(fc.property(deadline, time, (closesAt, now) => !acceptsVotes({ status: 'CLOSED', closesAt }, now)));
    });

    it('accepts a vote on an open ballot strictly before its deadline, and never at or after it', () => {
      fc.assert(
        fc.property(time, time, (closesAt, now) => {
          expect(acceptsVotes({ status: 'OPEN', closesAt }, now)).toBe(now.getTime() < closesAt.getTime());
        }),
      );
    });

    it('once it refuses a vote at some time, refuses at every later time', () => {
      fc.assert(
        fc.property(status, deadline, time, fc.nat(), (s, closesAt, now, later) => {
          const then = new Date(now.getTime() + later);
          if (!acceptsVotes({ status: s, closesAt }, now)) expect(acceptsVotes({ status: s, closesAt }, then)).toBe(false);
        }),
      );
    });

    it('an open ballot without a deadline accepts votes at any time', () => {
      fc.assert(fc.property(time, (now) => acceptsVotes({ status: 'OPEN', closesAt: null }, now)));
    });
  });

  describe(ballotDue.name, () => {
    it('is due exactly when it is open and no longer accepts votes', () => {
      fc.assert(
        fc.property(status, deadline, time, (s, closesAt, now) => {
          const b = { status: s, closesAt };
          expect(ballotDue(b, now)).toBe(s === 'OPEN' && !acceptsVotes(b, now));
          // an open ballot is either taking votes or due, never both
          if (s === 'OPEN') expect(ballotDue(b, now)).not.toBe(acceptsVotes(b, now));
        }),
      );
    });
  });

  describe(latestWholeTextBallot.name, () => {
    const ballot = fc.record({
      id: uuid,
      amendmentId: fc.option(uuid, { nil: null }),
      createdAt: fc.integer({ min: 0, max: 5 }).map((s) => new Date(s * 1000)),
    });
    const ballots = fc.uniqueArray(ballot, { selector: (b) => b.id, maxLength: 12 });

    it('is a whole-text ballot no other whole-text ballot comes after, or null when there is none', () => {
      fc.assert(
        fc.property(ballots, (list) => {
          const latest = latestWholeTextBallot(list);
          const whole = list.filter((b) => b.amendmentId === null);
          if (!whole.length) return expect(latest).toBeNull();
          expect(latest).not.toBeNull();
          expect(latest!.amendmentId).toBeNull();
          for (const b of whole) {
            const after = b.createdAt > latest!.createdAt || (b.createdAt.getTime() === latest!.createdAt.getTime() && b.id > latest!.id);
            expect(after).toBe(false);
          }
        }),
      );
    });

    it('does not depend on the order of the list', () => {
      fc.assert(
        fc.property(ballots, fc.nat(), (list, seed) => {
          const shuffled = [...list].sort((a, b) => ((a.id.charCodeAt(seed % 36) ^ seed) & 7) - ((b.id.charCodeAt(seed % 36) ^ seed) & 7));
          expect(latestWholeTextBallot(shuffled)).toBe(latestWholeTextBallot(list));
        }),
      );
    });

    it('ignores ballots on amendments whatever their dates', () => {
      fc.assert(
        fc.property(ballots, uuid, uuid, (list, id, amendmentId) => {
          const late = { id, amendmentId, createdAt: new Date(10_000) };
          expect(latestWholeTextBallot([...list.filter((b) => b.id !== id), late])).toBe(latestWholeTextBallot(list.filter((b) => b.id !== id)));
        }),
      );
    });
  });

  describe(everyPartyVoted.name, () => {
    const parties = fc.uniqueArray(uuid, { maxLength: 8 });

    it('holds exactly when no party is still awaited', () => {
      fc.assert(
        fc.property(parties, fc.array(uuid), (ids, voted) => {
          expect(everyPartyVoted(ids, voted)).toBe(ids.every((id) => voted.includes(id)));
          expect(partiesAwaiting(ids, voted).every((id) => ids.includes(id) && !voted.includes(id))).toBe(true);
        }),
      );
    });

    it('holds once every party voted, whatever else voted and in whatever order', () => {
      fc.assert(fc.property(parties, fc.array(uuid), (ids, others) => everyPartyVoted(ids, [...others, ...[...ids].reverse()])));
    });

    it('fails while any one party has not voted', () => {
      fc.assert(
        fc.property(
          parties.filter((ids) => ids.length > 0),
          fc.nat(),
          (ids, i) => {
            const missing = ids[i % ids.length];
            expect(
              everyPartyVoted(
                ids,
                ids.filter((id) => id !== missing),
              ),
            ).toBe(false);
            expect(
              partiesAwaiting(
                ids,
                ids.filter((id) => id !== missing),
              ),
            ).toEqual([missing]);
          },
        ),
      );
    });
  });
});
