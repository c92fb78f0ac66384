import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hash';

// The room event log is a hash chain. Event n's hash is
//   sha256_hex( prevHash + "\n" + canonicalJson({ at, actor, payload, roomId, seq, type }) )
// where prevHash is event n-1's hash and the first event's prevHash is GENESIS_HASH.
// `at` is the ISO-8601 UTC timestamp with milliseconds; `actor` the acting membership id or null.
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEventBody {
  roomId: string;
  seq: number;
  type: string;
  actor: string | null;
  payload: unknown;
  at: string;
}

export interface ChainedEvent extends ChainedEventBody {
  prevHash: string;
  hash: string;
}

export function eventHash(prevHash: string, body: ChainedEventBody): string {
  const { roomId, seq, type, actor, payload, at } = body;
  return sha256Hex(`${prevHash}\n${canonicalJson({ roomId, seq, type, actor, payload, at })}`);
}

export interface ChainVerification {
  valid: boolean;
  length: number;
  head: string;
  firstBrokenSeq: number | null;
}

// Verifies events given in seq order, starting at seq 1. A gap, a wrong prevHash or a
// hash that does not match the body marks the first broken seq.
export function verifyChain(events: Iterable<ChainedEvent>): ChainVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let length = 0;
  for (const e of events) {
    length += 1;
    if (e.seq !== expectedSeq || e.prevHash !== prev || eventHash(prev, e) !== e.hash) {
      return { valid: false, length, head: prev, firstBrokenSeq: expectedSeq };
    }
    prev = e.hash;
    expectedSeq += 1;
  }
  return { valid: true, length, head: prev, firstBrokenSeq: null };
}

// Incremental form for long logs read page by page.
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private count = 0;
  private broken: number | null = null;

  push(e: ChainedEvent): boolean {
    if (this.broken !== null) return false;
    this.count += 1;
    if (e.seq !== this.expectedSeq || e.prevHash !== this.prev || eventHash(this.prev, e) !== e.hash) {
      this.broken = this.expectedSeq;
      return false;
    }
    this.prev = e.hash;
    this.expectedSeq += 1;
    return true;
  }

  result(): ChainVerification {
    return { valid: this.broken === null, length: this.count, head: this.prev, firstBrokenSeq: this.broken };
  }
}
