// Applies supabase/migrations/*.sql to a database, each file once, in order, each
// in a transaction of its own together with its schema_migrations row, so a file
// is either wholly applied and recorded or not at all.
//
// Two runners (two replicas starting at once, a CI job and a developer) must not
// interleave: every step takes a transaction-level advisory lock first. A
// transaction-level lock, not a session one, because it is released by COMMIT
// even behind a transaction-mode pooler (Supabase's port 6543), where a session
// lock could outlive the step on a server connection someone else then gets.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { databaseError, isDatabaseUnavailable } from './errors.js';
import {
  MigrationError, orderMigrations, planMigrations, positionInText,
  type AppliedMigration, type Migration,
} from './migrations.js';

/** pg_advisory_xact_lock(30775, 1): 30775 is 0x7837, "x7"; 1 is schema changes (migrate and seed). */
export const SCHEMA_LOCK: readonly [number, number] = [30775, 1];

/** Reads a migrations folder: its VERSION_name.sql files in the order they run. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new MigrationError(`cannot read the migrations folder ${dir}: ${(error as Error).message}`);
  }
  const sources = await Promise.all(
    names.filter((name) => name.endsWith('.sql')).map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));
  return orderMigrations(sources);
}

export interface MigrateResult {
  /** Applied by this run, in order. */
  applied: Migration[];
  /** Migrations in the folder (all of them applied now). */
  total: number;
}

/**
 * Brings the database up to date with the folder. `onApplied` hears of each file
 * as soon as it is committed (a later file may still fail).
 */
export async function migrate(pool: pg.Pool, dir: string, onApplied?: (migration: Migration) => void): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const applied: Migration[] = [];
  await withClient(pool, async (client) => {
    // One file per transaction; the plan is made again under the lock each time,
    // so a runner that waited on the lock sees what the other one did.
    for (;;) {
      const next = await inTransaction(client, async () => {
        await lockSchema(client);
        await ensureHistoryTable(client);
        const [first] = planMigrations(migrations, await readHistory(client));
        if (first) await applyOne(client, first);
        return first;
      });
      if (!next) return;
      applied.push(next);
      onApplied?.(next);
    }
  });
  return { applied, total: migrations.length };
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: Migration[];
}

/** Where the database stands against the folder, without changing anything. */
export async function migrationStatus(pool: pg.Pool, dir: string): Promise<MigrationStatus> {
  const migrations = await readMigrations(dir);
  return withClient(pool, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(`select to_regclass('schema_migrations') is not null as exists`);
    const applied = rows[0]?.exists ? await readHistory(client) : [];
    return { applied, pending: planMigrations(migrations, applied) };
  });
}

async function applyOne(client: pg.PoolClient, migration: Migration): Promise<void> {
  try {
    // No parameters: pg sends it as a simple query, which may hold many statements.
    await client.query(migration.sql);
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    throw new MigrationError(`${migration.name} failed${sqlErrorWhere(migration.sql, error)}: ${(error as Error).message}`, { cause: error });
  }
  await client.query(
    'insert into schema_migrations (version, name, checksum) values ($1, $2, $3)',
    [migration.version, migration.name, migration.checksum]);
}

/** " at line L, column C" when PostgreSQL told where in the text the error is. */
export function sqlErrorWhere(sql: string, error: unknown): string {
  const position = Number((error as { position?: unknown }).position);
  return Number.isInteger(position) && position > 0 ? ` at ${positionInText(sql, position)}` : '';
}

export async function lockSchema(client: pg.ClientBase): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, $2)', [...SCHEMA_LOCK]);
}

async function ensureHistoryTable(client: pg.ClientBase): Promise<void> {
  await client.query(`
    create table if not exists schema_migrations (
      version    text primary key,
      name       text not null,
      checksum   text not null,
      applied_at timestamptz not null default now()
    )`);
}

async function readHistory(client: pg.ClientBase): Promise<AppliedMigration[]> {
  const { rows } = await client.query<AppliedMigration>('select version, name, checksum from schema_migrations order by applied_at, version');
  return rows;
}

/**
 * Runs `work` with a connection of the pool; database outages come out as
 * DependencyUnavailableError, and a connection that failed is discarded.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const url = pool.options.connectionString ?? '';
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw databaseError(error, url);
  }
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    broken = isDatabaseUnavailable(error);
    throw databaseError(error, url);
  } finally {
    client.release(broken);
  }
}

/** BEGIN … COMMIT around `work`, ROLLBACK when it throws. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    // The original error is the one worth reporting; a failed rollback (the
    // connection is gone) changes nothing, the server rolls back on its own.
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
