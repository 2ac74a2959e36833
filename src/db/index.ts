// PostgreSQL access: the pool, migrations, demo data.
export { createPool, type PoolOptions } from './pool.js';
export { connectionSettings, describeDatabaseUrl, DatabaseUrlError, type ConnectionSettings, type SslMode } from './connection.js';
export { databaseError, isDatabaseUnavailable } from './errors.js';
export { MigrationError, type AppliedMigration, type Migration } from './migrations.js';
export { inTransaction, migrate, migrationStatus, readMigrations, withClient, type MigrateResult, type MigrationStatus } from './migrate.js';
export { countRows, describeCounts, seed, SEED_TABLES, SeedError, type SeedTable, type TableCount } from './seed.js';
export { listen, type Listener, type ListenOptions } from './notifications.js';
