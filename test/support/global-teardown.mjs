import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const embedded = globalThis.__PARLEY_EMBEDDED__;
  if (!embedded) return;
  await embedded.db.stop();
  await rm(embedded.dir, { recursive: true, force: true });
}
