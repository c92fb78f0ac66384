import { describe, expect, it } from '@jest/globals';
import type { RoomEvent } from '@parley/rooms';
import { fromPeer, NOTICE_MAX, noticeEntries, toPeer } from './peer-events';

const ROOM = '00000000-0000-4000-8000-000000000001';
const event = {
  roomId: ROOM,
  stream: 'room',
  seq: 7,
  type: 'message.posted',
  actorMembershipId: '00000000-0000-4000-8000-00000000000a',
  audiencePartyId: null,
  payload: { messageId: 'm1', body: 'hello', thread: null },
  at: new Date('2026-12-01T12:00:00.000Z'),
  prevHash: 'p'.repeat(64),
  hash: 'h'.repeat(64),
  format: 2,
  salts: { body: 's' },
} as unknown as RoomEvent;

// what crosses Redis is JSON
const overTheWire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('peer events', () => {
  it('come back as the event that was committed', () => {
    expect(fromPeer(overTheWire(toPeer(event)), ROOM, 7, 'room')).toEqual(event);
  });

  it('are refused when not the event the notice names, or not well formed', () => {
    const row = overTheWire(toPeer(event)) as Record<string, unknown>;
    expect(fromPeer(row, ROOM, 8, 'room')).toBeNull();
    expect(fromPeer(row, ROOM, 7, 'party:x')).toBeNull();
    expect(fromPeer(row, '00000000-0000-4000-8000-000000000002', 7, 'room')).toBeNull();
    for (const broken of [{ at: 'not a date' }, { payload: null }, { payload: [] }, { hash: 1 }, { format: '2' }, { salts: 'x' }, { audiencePartyId: 3 }])
      expect(fromPeer({ ...row, ...broken }, ROOM, 7, 'room')).toBeNull();
    expect(fromPeer(undefined, ROOM, 7, 'room')).toBeNull();
  });

  it('are read from a notice of many, or from the single form older instances send', () => {
    const rows = [7, 8, 9].map((seq) => overTheWire(toPeer({ ...event, seq } as RoomEvent)));
    const entries = noticeEntries(overTheWire([rows]) as unknown[]);
    expect(entries.map(([roomId, seq, stream]) => [roomId, seq, stream])).toEqual([
      [ROOM, 7, 'room'],
      [ROOM, 8, 'room'],
      [ROOM, 9, 'room'],
    ]);
    expect(entries.map(([roomId, seq, stream, row]) => fromPeer(row, roomId as string, seq as number, stream as string))).toEqual(
      [7, 8, 9].map((seq) => ({ ...event, seq })),
    );
    expect(noticeEntries([ROOM, 7, 'room', rows[0]])).toEqual([[ROOM, 7, 'room', rows[0]]]);
  });

  it('skip what is not an event in a notice of many, and take at most NOTICE_MAX', () => {
    const row = overTheWire(toPeer(event)) as Record<string, unknown>;
    expect(noticeEntries([[null, 3, 'x', [row], row]])).toEqual([[ROOM, 7, 'room', row]]);
    expect(noticeEntries([Array.from({ length: NOTICE_MAX + 5 }, () => row)])).toHaveLength(NOTICE_MAX);
    expect(noticeEntries([[]])).toEqual([]);
  });
});
