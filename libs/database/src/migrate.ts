import { DataSource } from 'typeorm';
import { migrations } from './migrations';

// Runs pending migrations under an advisory lock, so several API instances starting
// against one database never race each other.
export async function runMigrations(url: string): Promise<string[]> {
  // a migration may legitimately run long: no statement timeout here
  const ds = new DataSource({ type: 'postgres', url, migrations, extra: { max: 1, options: '-c statement_timeout=0' }, logging: false });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7031964)');
    const ran = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(7031964)');
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

// Reverts the latest applied migration; its name, or null when none is applied.
export async function revertLastMigration(url: string): Promise<string | null> {
  const ds = new DataSource({ type: 'postgres', url, migrations, extra: { max: 1 }, logging: false });
  await ds.initialize();
  try {
    const applied: Array<{ name: string }> = await ds.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`).catch(() => []);
    if (!applied.length) return null;
    await ds.undoLastMigration({ transaction: 'each' });
    return applied[0].name;
  } finally {
    await ds.destroy();
  }
}
