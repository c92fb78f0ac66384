import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hash';

// The room event log is a hash chain. In format 1 (rooms' events before format 2, below),
// event n's hash is
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

// ---- format 2: streams and salted commitments ----
//
// Each audience has its own stream and chain: 'room' for what every member sees, and
// 'party:<id>' for one party's private activity (its caucus, its sealed commitments), so no
// one outside a party can count or time that party's events. Within a stream seq is gapless.
//
// An event's hash covers no actor or payload value itself, only a salted commitment to each
// part (as SD-JWT's disclosures): digest = sha256_hex(canonicalJson([salt, path, value])),
// salt 128-bit random, held by the server. Event n's hash is
//   sha256_hex( prevHash + "\n" + canonicalJson({ v: 2, roomId, stream, seq, type, at, digests }) )
// with digests sorted. A viewer gets [salt, path, value] for the parts they may see and the
// bare digest of the rest, and recomputes the hash from both; a hidden part's digest says
// nothing about its value without the salt.
export const ROOM_STREAM = 'room';
export const partyStream = (partyId: string) => `party:${partyId}`;

export interface EventPart {
  path: string;
  value: unknown;
}

export type Disclosure = [salt: string, path: string, value: unknown];

export interface EventProof {
  v: 2;
  stream: string;
  disclosed: Disclosure[];
  hidden: string[];
}

export interface SealedEventBody {
  roomId: string;
  stream: string;
  seq: number;
  type: string;
  at: string;
  digests: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// The parts of an event: its actor, each payload field, and each field of `author` apart,
// so a room can show a speaker's party without their name. An undefined field is no part:
// the stored (JSON) payload will not have it either.
export function eventParts(actor: string | null, payload: Record<string, unknown>): EventPart[] {
  const parts: EventPart[] = [{ path: 'actor', value: actor }];
  for (const [key, value] of Object.entries(payload)) {
    // a part's path names it alone: its salt and whether it is shown hang on it
    if (key === 'actor' || key.includes('.')) throw new TypeError(`a payload field cannot be named ${key}`);
    if (value === undefined) continue;
    if (key === 'author' && isPlainObject(value)) {
      for (const [sub, v] of Object.entries(value)) if (v !== undefined) parts.push({ path: `author.${sub}`, value: v });
    } else {
      parts.push({ path: key, value });
    }
  }
  return parts;
}

export function partDigest(salt: string, path: string, value: unknown): string {
  return sha256Hex(canonicalJson([salt, path, value]));
}

export function eventHashV2(prevHash: string, body: SealedEventBody): string {
  const { roomId, stream, seq, type, at } = body;
  const digests = [...body.digests].sort();
  return sha256Hex(`${prevHash}\n${canonicalJson({ v: 2, roomId, stream, seq, type, at, digests })}`);
}

export function sealedDigests(parts: EventPart[], salts: Readonly<Record<string, string>>): string[] {
  return parts.map((p) => {
    const salt = salts[p.path];
    if (typeof salt !== 'string') throw new TypeError(`no salt for part ${p.path}`);
    return partDigest(salt, p.path, p.value);
  });
}

// What one viewer gets: the parts they may see with their salts, the digests of the rest.
export function proofFor(stream: string, parts: EventPart[], salts: Readonly<Record<string, string>>, hidden: ReadonlySet<string>): EventProof {
  const disclosed: Disclosure[] = [];
  const digests: string[] = [];
  for (const p of parts) {
    if (hidden.has(p.path)) digests.push(partDigest(salts[p.path], p.path, p.value));
    else disclosed.push([salts[p.path], p.path, p.value]);
  }
  disclosed.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return { v: 2, stream, disclosed, hidden: digests.sort() };
}

export function proofDigests(proof: EventProof): string[] {
  return [...proof.disclosed.map(([salt, path, value]) => partDigest(salt, path, value)), ...proof.hidden];
}

// An event as a member receives it. `proof` is null for a format-1 event (before the room
// moved to format 2): a viewer can check only its link, the server checks the rest.
export interface ViewedEvent {
  seq: number;
  type: string;
  at: string;
  prevHash: string;
  hash: string;
  proof: EventProof | null;
}

export interface StreamVerification extends ChainVerification {
  stream: string;
}

// Verifies one stream as a viewer received it, in seq order from its first event.
// `firstSeq`/`genesis` say where the stream starts (a party stream of a room made before
// format 2 starts after the room's format-1 events).
export function verifyViewedStream(
  roomId: string,
  stream: string,
  events: Iterable<ViewedEvent>,
  start: { firstSeq?: number; genesis?: string } = {},
): StreamVerification {
  let prev = start.genesis ?? GENESIS_HASH;
  let expectedSeq = start.firstSeq ?? 1;
  let length = 0;
  for (const e of events) {
    length += 1;
    const ok =
      e.seq === expectedSeq &&
      e.prevHash === prev &&
      (e.proof === null
        ? stream === ROOM_STREAM
        : isProof(e.proof) &&
          e.proof.stream === stream &&
          eventHashV2(prev, { roomId, stream, seq: e.seq, type: e.type, at: e.at, digests: proofDigests(e.proof) }) === e.hash);
    if (!ok) return { stream, valid: false, length, head: prev, firstBrokenSeq: expectedSeq };
    prev = e.hash;
    expectedSeq += 1;
  }
  return { stream, valid: true, length, head: prev, firstBrokenSeq: null };
}

function isProof(p: unknown): p is EventProof {
  if (!isPlainObject(p) || p.v !== 2 || typeof p.stream !== 'string' || !Array.isArray(p.disclosed) || !Array.isArray(p.hidden)) return false;
  return (
    p.disclosed.every((d) => Array.isArray(d) && d.length === 3 && typeof d[0] === 'string' && typeof d[1] === 'string') &&
    p.hidden.every((h) => typeof h === 'string')
  );
}

// The server's own check of a stream: every event with all its parts (format 1 events
// with the format-1 hash).
export interface StoredEvent {
  roomId: string;
  stream: string;
  seq: number;
  type: string;
  actor: string | null;
  payload: Record<string, unknown>;
  at: string;
  format: number;
  salts: Readonly<Record<string, string>> | null;
  prevHash: string;
  hash: string;
}

export function storedEventHash(prevHash: string, e: StoredEvent): string {
  if (e.format === 1) return eventHash(prevHash, e);
  return eventHashV2(prevHash, { ...e, digests: sealedDigests(eventParts(e.actor, e.payload), e.salts ?? {}) });
}

export class StreamVerifier {
  private prev: string;
  private expectedSeq: number;
  private count = 0;
  private broken: number | null = null;

  constructor(
    readonly stream: string,
    start: { firstSeq?: number; genesis?: string } = {},
  ) {
    this.prev = start.genesis ?? GENESIS_HASH;
    this.expectedSeq = start.firstSeq ?? 1;
  }

  push(e: StoredEvent): boolean {
    if (this.broken !== null) return false;
    this.count += 1;
    let ok = e.seq === this.expectedSeq && e.prevHash === this.prev && e.stream === this.stream && (e.format === 2 || this.stream === ROOM_STREAM);
    try {
      ok = ok && storedEventHash(this.prev, e) === e.hash;
    } catch {
      ok = false;
    }
    if (!ok) {
      this.broken = this.expectedSeq;
      return false;
    }
    this.prev = e.hash;
    this.expectedSeq += 1;
    return true;
  }

  result(): StreamVerification {
    return { stream: this.stream, valid: this.broken === null, length: this.count, head: this.prev, firstBrokenSeq: this.broken };
  }
}
