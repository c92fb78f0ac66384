import { rm } from 'node:fs/promises';

// the embedded server stops after the last project that set it up is done
export default async function globalTeardown() {
  const embedded = globalThis.__PARLEY_EMBEDDED__;
  if (!embedded) return;
  embedded.users -= 1;
  if (embedded.users > 0) return;
  globalThis.__PARLEY_EMBEDDED__ = undefined;
  await embedded.db.stop();
  await rm(embedded.dir, { recursive: true, force: true });
}
