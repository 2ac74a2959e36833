// A database of the test's own: created (as the DATABASE_URL role, which needs
// CREATEDB) under a unique name, migrated, optionally seeded, and dropped at the
// end, so integration tests run in parallel and twice in a row without meeting.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createPool, migrate, seed } from '../../src/db/index.js';
import { projectPath } from '../../src/paths.js';

export interface TestDatabase {
  /** DATABASE_URL of the test database (give it to a spawned x7). */
  url: string;
  name: string;
  pool: pg.Pool;
  /** Closes the pool and drops the database, even with sessions still open. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Apply supabase/migrations (default true). */
  migrate?: boolean;
  /** Load supabase/seed.sql (default false; implies migrate). */
  seed?: boolean;
  /** Part of the database name, for finding it while debugging. */
  label?: string;
  /** The server to create it on (a DATABASE_URL); default the configured one. */
  adminUrl?: string;
}

/** The server's maintenance connection: the configured DATABASE_URL. */
function adminUrl(): string {
  return loadConfig().databaseUrl;
}

export function databaseUrlFor(name: string, base = adminUrl()): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const label = (options.label ?? 'db').toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  const name = `x7_test_${label}_${randomBytes(4).toString('hex')}`;
  // Identifiers cannot be query parameters; the name is built from [a-z0-9_] only.
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const serverUrl = options.adminUrl ?? adminUrl();
  const admin = createPool({ databaseUrl: serverUrl }, { max: 1 });
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(name, serverUrl);
  const pool = createPool({ databaseUrl: url }, { max: 4 });
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await pool.end();
    const again = createPool({ databaseUrl: serverUrl }, { max: 1 });
    try {
      // FORCE (PG13+) ends sessions a failed test left open. It cannot end an autovacuum
      // worker busy in the database (PostgreSQL 15 refuses a non-superuser with 42501,
      // "must be a member of the role whose process is being terminated"); that worker
      // finishes within moments on a test database, so try again a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          await again.query(`drop database if exists "${name}" with (force)`);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '42501' || attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      await again.end();
    }
  };
  try {
    if (options.migrate !== false || options.seed) await migrate(pool, projectPath('supabase/migrations'));
    if (options.seed) await seed(pool, projectPath('supabase/seed.sql'));
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, name, pool, drop };
}
