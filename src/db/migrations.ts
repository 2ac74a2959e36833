// What a migration is, in what order migrations run and whether a database's
// history still matches the files: pure functions, no I/O (see migrate.ts).
//
// A migration is a file `VERSION_name.sql` in supabase/migrations, VERSION being
// digits (0001, or a Supabase CLI timestamp like 20240611093000). They run in
// numeric order of VERSION, each once; the database records VERSION, the file
// name and a SHA-256 of the contents in schema_migrations.
import { createHash } from 'node:crypto';

export interface MigrationSource {
  /** File name, e.g. 0001_init.sql. */
  name: string;
  sql: string;
}

export interface Migration extends MigrationSource {
  version: string;
  checksum: string;
}

/** A row of schema_migrations. */
export interface AppliedMigration {
  version: string;
  name: string;
  checksum: string;
}

/** The files and the database disagree, or a file is misnamed: nothing is applied. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

// A statement of its own: `begin;` (not plpgsql's `begin` that opens a block, nor its `end;`).
const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback)\s*(transaction|work)?\s*;/im;

const FILE_NAME = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.sql$/;

/** The version of a migration file name, or null when the name does not follow VERSION_name.sql. */
export function migrationVersion(fileName: string): string | null {
  return FILE_NAME.exec(fileName)?.[1] ?? null;
}

/**
 * SHA-256 of a migration's text, hex. Line endings are normalised first, so that a
 * checkout with CRLF (git autocrlf on Windows) is not mistaken for an edited file.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The migrations among a folder's files, in the order they run. Files that do not
 * end in .sql are not migrations and are skipped; a .sql file with another name
 * pattern, or two files with the same version, is an error rather than a guess.
 */
export function orderMigrations(sources: MigrationSource[]): Migration[] {
  const migrations: Migration[] = [];
  for (const source of sources) {
    if (!source.name.endsWith('.sql')) continue;
    const version = migrationVersion(source.name);
    if (version === null) {
      throw new MigrationError(`${source.name} is not named VERSION_name.sql (VERSION digits, e.g. 0002_add_reviews.sql)`);
    }
    // The runner wraps each file in a transaction of its own; a COMMIT inside the
    // file would end it early and leave a half-applied file recorded as applied.
    if (TRANSACTION_CONTROL.test(source.sql)) {
      throw new MigrationError(`${source.name} contains BEGIN/COMMIT/ROLLBACK: remove them, each file already runs in its own transaction`);
    }
    migrations.push({ ...source, version, checksum: migrationChecksum(source.sql) });
  }
  migrations.sort((a, b) => compareVersions(a.version, b.version) || a.name.localeCompare(b.name));
  for (let i = 1; i < migrations.length; i++) {
    const [previous, current] = [migrations[i - 1]!, migrations[i]!];
    if (compareVersions(previous.version, current.version) === 0) {
      throw new MigrationError(`${previous.name} and ${current.name} have the same version ${BigInt(current.version)}`);
    }
  }
  return migrations;
}

/**
 * The migrations still to apply, in order. Refuses (MigrationError) when the
 * history in the database no longer matches the files, because applying anything
 * on top of an unknown schema could do damage that is hard to undo:
 * - an applied file was edited (checksum changed),
 * - an applied version has no file (the database is newer than this code),
 * - a pending file sorts before one already applied (it would run out of order).
 */
export function planMigrations(migrations: Migration[], applied: AppliedMigration[]): Migration[] {
  const byVersion = new Map(migrations.map((m) => [BigInt(m.version), m]));
  let latestApplied: AppliedMigration | undefined;
  for (const row of applied) {
    const file = byVersion.get(BigInt(row.version));
    if (!file) {
      throw new MigrationError(
        `the database has migration ${row.name} (version ${row.version}) applied, but no file has that version: ` +
        'this code is older than the database, or the file was deleted');
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `${file.name} changed after it was applied (checksum recorded ${row.checksum.slice(0, 12)}…, file now ` +
        `${file.checksum.slice(0, 12)}…): restore the file and put the change in a new migration`);
    }
    if (!latestApplied || compareVersions(row.version, latestApplied.version) > 0) latestApplied = row;
  }
  const appliedVersions = new Set(applied.map((row) => BigInt(row.version)));
  const pending = migrations.filter((m) => !appliedVersions.has(BigInt(m.version)));
  const early = latestApplied && pending.find((m) => compareVersions(m.version, latestApplied!.version) < 0);
  if (early) {
    throw new MigrationError(
      `${early.name} is not applied but sorts before ${latestApplied!.name}, which is: ` +
      'give it a version after the latest applied one');
  }
  return pending;
}

/** "line L, column C" of a 1-based character position in a text (PostgreSQL's error position). */
export function positionInText(text: string, position: number): string {
  const before = text.slice(0, Math.max(0, position - 1));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1]!.length + 1}`;
}
