import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Kind, parse, type DocumentNode } from 'graphql';
import { BoundedSemaphore, Pace } from '@parley/common';
import { ARGON2_QUEUE, ARGON2_SLOTS, type IdentityService } from '@parley/identity';

// A request that is only a `login` or `signUp`, from an address whose limit is used up or
// while the queue below is full, is refused here, before GraphQL's pipeline, guards and
// resolvers: the answer is the one the resolver would give (RATE_LIMITED, data null) plus a
// `Retry-After` header. Anything else goes on unchanged.
// The refusal is held for HOLD_MS before it is sent: every request still costs the server its
// HTTP handling (about a millisecond of the event loop on a loaded 2-core machine, ten times
// a bare Node answer: docs/benchmarks.md), so a client that waits for its answer before
// trying again, as scripted ones do, is slowed to one try a second per connection; a held
// answer costs a timer, not CPU. This is what keeps a sign-in burst from taking the live
// rooms' event loop (bench/burst.bench.mjs).
// The others are let into GraphQL at most ADMITTED at once (twice the argon2 processes' slots:
// one hashing while the next is made ready), in arrival order; the rest wait here, at most
// ARGON2_QUEUE, costing nothing while they wait. So the event loop handles a burst's sign-ins
// one after the other, at argon2's pace, instead of every request that arrived during a
// scheduler stall in one batch (which is what made the live rooms' longest stalls).
// And they are let in at most PER_SLOT_PER_SECOND a second per argon2 slot (15 on a 2-core
// machine; PARLEY_SIGN_INS_PER_SECOND sets it), BURST at once after a quiet spell, so one
// person's sign-in never waits: in a burst argon2 then takes about a quarter of one core here,
// not 80 %, and the event loop's share falls with it (from 25 to 13–15 % of a core), which is
// what held other rooms' live p99 over the issue's bar of 1.5 × (measured at 25 and 15 a
// second: bench/burst.bench.mjs, docs/benchmarks.md "Sign-in burst"). A request waiting for
// the pace holds its admission, so the queue and its refusals are as above.
const GATED = new Set(['login', 'signUp']);
const MAYBE_GATED = /login|signUp/;
export const HOLD_MS = 1000;
export const ADMITTED = 2 * ARGON2_SLOTS;
export const PER_SLOT_PER_SECOND = 15;
export const BURST = 5;

// the gate's pace: `perSecond` (PARLEY_SIGN_INS_PER_SECOND), else PER_SLOT_PER_SECOND per argon2 slot
export function signInPace(perSecond?: number | null): Pace {
  return new Pace(perSecond ?? PER_SLOT_PER_SECOND * ARGON2_SLOTS, BURST);
}

export function signInGate(
  identity: Pick<IdentityService, 'refusalAtOnce'>,
  pace = signInPace(),
  admission = new BoundedSemaphore(ADMITTED, ARGON2_QUEUE),
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const op = req.method === 'POST' && req.path === '/graphql' ? gatedOperation(req.body) : null;
    if (!op) return next();
    const refusal = identity.refusalAtOnce(op.name, req.ip ?? 'unknown', admission.full);
    if (!refusal) {
      return admission.admit((release) => {
        const enter = () => {
          // a client that left while it waited: nothing to do
          if (req.socket.destroyed) return release();
          res.once('close', release);
          next();
        };
        const wait = pace.reserve();
        if (wait > 0) setTimeout(enter, wait);
        else enter();
      });
    }
    const answer = { errors: [{ message: refusal.message, path: [op.alias], extensions: { code: 'RATE_LIMITED' } }], data: null };
    setTimeout(() => res.status(200).setHeader('Retry-After', String(refusal.retryAfterSeconds)).json(answer), HOLD_MS);
  };
}

type Gated = { name: 'login' | 'signUp'; alias: string } | null;

// Clients send the same few texts again and again (the web app's, a script's): the answer per
// text is kept, the CACHED most recent texts, so a burst's sign-ins are parsed once here
// (Apollo keeps its own parsed documents).
const CACHED = 128;
const seen = new Map<string, Gated>();

// the field of a document that is one mutation of one gated field; null for anything else
function gatedOperation(body: unknown): Gated {
  const query: unknown = (body as { query?: unknown } | undefined)?.query;
  if (typeof query !== 'string' || query.length > 2048 || !MAYBE_GATED.test(query)) return null;
  const known = seen.get(query);
  if (known !== undefined) return known;
  const gated = parseGated(query);
  if (seen.size >= CACHED) seen.delete(seen.keys().next().value!);
  seen.set(query, gated);
  return gated;
}

function parseGated(query: string): Gated {
  let doc: DocumentNode;
  try {
    doc = parse(query, { maxTokens: 200 });
  } catch {
    return null;
  }
  if (doc.definitions.length !== 1) return null;
  const [op] = doc.definitions;
  if (op.kind !== Kind.OPERATION_DEFINITION || op.operation !== 'mutation' || op.selectionSet.selections.length !== 1) return null;
  const [field] = op.selectionSet.selections;
  if (field.kind !== Kind.FIELD || !GATED.has(field.name.value)) return null;
  return { name: field.name.value as 'login' | 'signUp', alias: field.alias?.value ?? field.name.value };
}
