// `x7 db migrate` and `x7 db seed`: the database schema and its demo data.
import { resolve } from 'node:path';
import { loadConfig } from '../../config.js';
import { createPool, describeCounts, describeDatabaseUrl, migrate, migrationStatus, seed } from '../../db/index.js';
import { projectPath } from '../../paths.js';
import { parseCommandArgs, type Command } from '../command.js';
import { commandLogger, print, progress } from '../io.js';

const DEFAULT_MIGRATIONS = projectPath('supabase/migrations');
const DEFAULT_SEED = projectPath('supabase/seed.sql');

const MIGRATE_OPTIONS = { dir: { type: 'string' } } as const;
const SEED_OPTIONS = { file: { type: 'string' }, dir: { type: 'string' } } as const;

export const dbMigrateCommand: Command = {
  help: [
    'usage: x7 db migrate [--dir supabase/migrations]',
    '',
    'Applies the migrations (VERSION_name.sql) that DATABASE_URL\'s database has not',
    'applied yet, in version order, each in its own transaction, and records each with',
    'a checksum in schema_migrations. Refuses, changing nothing, when an applied file',
    'was edited since, when the database has a version no file has, or when a new file',
    'sorts before an applied one. Safe to run from several places at once.',
    '',
    'options:',
    '  --dir DIR   the migrations folder (default: the project\'s supabase/migrations)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof MIGRATE_OPTIONS; allowPositionals: false }>(args, { options: MIGRATE_OPTIONS, allowPositionals: false });
    const dir = values.dir ? resolve(values.dir) : DEFAULT_MIGRATIONS;
    const config = loadConfig();
    const pool = createPool(config, { max: 1, logger: commandLogger('x7-db', config) });
    progress(`migrating ${describeDatabaseUrl(config.databaseUrl)} from ${dir}`);
    try {
      const result = await migrate(pool, dir, (migration) => print(`applied ${migration.name}`));
      if (result.applied.length === 0) print(`up to date (${result.total} migration${result.total === 1 ? '' : 's'} applied)`);
      return 0;
    } finally {
      await pool.end();
    }
  },
};

export const dbSeedCommand: Command = {
  help: [
    'usage: x7 db seed [--file supabase/seed.sql] [--dir supabase/migrations]',
    '',
    'Loads the demo data into DATABASE_URL\'s database in one transaction. The seed',
    'inserts what is missing and leaves what is there, so running it again is harmless.',
    'The database must be migrated first (x7 db migrate).',
    '',
    'options:',
    '  --file FILE   the seed file (default: the project\'s supabase/seed.sql)',
    '  --dir DIR     the migrations folder to check against (default: supabase/migrations)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof SEED_OPTIONS; allowPositionals: false }>(args, { options: SEED_OPTIONS, allowPositionals: false });
    const file = values.file ? resolve(values.file) : DEFAULT_SEED;
    const dir = values.dir ? resolve(values.dir) : DEFAULT_MIGRATIONS;
    const config = loadConfig();
    const pool = createPool(config, { max: 1, logger: commandLogger('x7-db', config) });
    progress(`seeding ${describeDatabaseUrl(config.databaseUrl)} from ${file}`);
    try {
      const { pending } = await migrationStatus(pool, dir);
      if (pending.length > 0) {
        process.stderr.write(`x7 db seed: the database is not migrated (${pending.length} pending, first ${pending[0]!.name}): run "x7 db migrate" first\n`);
        return 1;
      }
      const counts = await seed(pool, file);
      const added = counts.reduce((sum, c) => sum + c.added, 0);
      print(`seeded ${describeCounts(counts)}`);
      print(added === 0 ? 'no new rows: the seed was already loaded' : `${added} new rows`);
      return 0;
    } finally {
      await pool.end();
    }
  },
};
