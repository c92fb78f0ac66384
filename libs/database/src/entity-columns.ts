import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

// Raw SQL that reads whole rows of several entities in one statement: `select(em, Entity, 'x')`
// lists the entity's columns as `x.<column> AS "x.<property>"`, and `fromRow(row, 'x')` takes
// them back out of a result row as the entity's shape (pg has already parsed each value by its
// column type: dates, numbers, jsonb).
const cache = new WeakMap<object, Map<string, string>>();

export function selectColumns(em: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  const metadata = em.connection.getMetadata(entity);
  let byAlias = cache.get(metadata);
  if (!byAlias) cache.set(metadata, (byAlias = new Map()));
  let sql = byAlias.get(alias);
  if (sql === undefined) {
    sql = metadata.columns.map((c) => `${alias}.${c.databaseName} AS "${alias}.${c.propertyName}"`).join(', ');
    byAlias.set(alias, sql);
  }
  return sql;
}

export function fromRow<T>(row: Record<string, unknown>, alias: string): T {
  const prefix = `${alias}.`;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  return out as T;
}
