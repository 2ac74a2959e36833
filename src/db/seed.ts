// Loads demo data (supabase/seed.sql) in one transaction. The file itself is
// idempotent (INSERT … ON CONFLICT), so seeding twice changes nothing; this module
// runs it and tells what the tables hold before and after.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { isDatabaseUnavailable } from './errors.js';
import { inTransaction, lockSchema, sqlErrorWhere, withClient } from './migrate.js';

/** The tables of the model, in the order a summary lists them. */
export const SEED_TABLES = [
  'businesses', 'opening_hours', 'offerings', 'faqs', 'users', 'members', 'bookings',
  'conversations', 'messages', 'workflow_runs', 'audit_log', 'announcements',
] as const;
export type SeedTable = (typeof SEED_TABLES)[number];

export interface TableCount {
  table: SeedTable;
  /** Rows after seeding. */
  rows: number;
  /** Rows the seed added. */
  added: number;
}

export class SeedError extends Error {
  override name = 'SeedError';
}

export async function seed(pool: pg.Pool, file: string): Promise<TableCount[]> {
  let sql: string;
  try {
    sql = await readFile(file, 'utf8');
  } catch (error) {
    throw new SeedError(`cannot read the seed file ${file}: ${(error as Error).message}`);
  }
  return withClient(pool, (client) => inTransaction(client, async () => {
    // The same lock as migrations: seeding a schema being changed would fail halfway.
    await lockSchema(client);
    const before = await countRows(client);
    try {
      await client.query(sql);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      throw new SeedError(`${file} failed${sqlErrorWhere(sql, error)}: ${(error as Error).message}`, { cause: error });
    }
    const after = await countRows(client);
    return SEED_TABLES.map((table) => ({ table, rows: after[table], added: after[table] - before[table] }));
  }));
}

/** Rows per table of the model. */
export async function countRows(client: pg.ClientBase): Promise<Record<SeedTable, number>> {
  // Table names come from the constant list above, never from input.
  const columns = SEED_TABLES.map((table) => `(select count(*) from ${table})::int as ${table}`).join(', ');
  const { rows } = await client.query<Record<SeedTable, number>>(`select ${columns}`);
  return rows[0]!;
}

const LABELS: Partial<Record<SeedTable, string>> = { audit_log: 'audit entries', faqs: 'FAQs' };

/** "42 businesses, 290 opening hours, …" for people. */
export function describeCounts(counts: TableCount[]): string {
  return counts.map(({ table, rows }) => `${rows} ${LABELS[table] ?? table.replace(/_/g, ' ')}`).join(', ');
}
