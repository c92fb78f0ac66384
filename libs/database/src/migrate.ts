import { DataSource } from 'typeorm';
import { migrations } from './migrations';

// Runs pending migrations under an advisory lock, so several API instances starting
// against one database never race each other.
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource({ type: 'postgres', url, migrations, extra: { max: 1 }, logging: false });
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

export async function revertLastMigration(url: string): Promise<void> {
  const ds = new DataSource({ type: 'postgres', url, migrations, extra: { max: 1 }, logging: false });
  await ds.initialize();
  try {
    await ds.undoLastMigration({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
