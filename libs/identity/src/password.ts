import { hash, verify, Algorithm } from '@node-rs/argon2';
import { BoundedSemaphore } from '@parley/common';

export { PASSWORD_MAX, PASSWORD_MIN } from './password-policy';

// OWASP password storage guidance: argon2id, m = 19 MiB, t = 2, p = 1.
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// argon2 is expensive on purpose: at most two hashes at once per instance, at most 32 waiting;
// past that the caller gets RATE_LIMITED at once, so a burst of sign-ins or sign-ups cannot
// take the CPU (and the libuv pool) from everyone else's requests.
export const ARGON2_SLOTS = 2;
export const ARGON2_QUEUE = 32;
const gate = new BoundedSemaphore(ARGON2_SLOTS, ARGON2_QUEUE);

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => hash(password, PARAMS));
}

// A real hash of a random password, verified against when the email is unknown so that
// unknown emails and wrong passwords take about the same time.
let dummy: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hash(`dummy-${Math.random()}-${Date.now()}`, PARAMS);
    const d = await dummy;
    await gate.run(() => verify(d, password).catch(() => false));
    return false;
  }
  return gate.run(() => verify(stored, password).catch(() => false));
}
