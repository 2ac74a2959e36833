// The PostgreSQL connection pool every x7 process uses.
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { connectionSettings } from './connection.js';

export interface PoolOptions {
  /** Most connections held at once. */
  max?: number;
  /** Where to report errors of idle connections (the server went away). */
  logger?: Pick<Logger, 'warn'>;
}

export function createPool(config: Pick<Config, 'databaseUrl'>, options: PoolOptions = {}): pg.Pool {
  const { connectionString, ssl } = connectionSettings(config.databaseUrl);
  const pool = new pg.Pool({
    connectionString,
    ...(ssl === undefined ? {} : { ssl }),
    max: options.max ?? 10,
    // An unreachable host (dropped packets) fails within seconds instead of hanging.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'x7-stream',
  });
  // pg emits 'error' on the pool when an idle connection breaks (server restart,
  // network blip). Without a listener Node would crash the process; the pool has
  // already discarded that connection, and the next query opens a fresh one (or
  // fails and is reported where it is made).
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle PostgreSQL connection failed'));
  // A checked-out connection that breaks between two queries (a server or proxy cutting
  // it) emits 'error' on its client, where the pool listens only while it is idle: the
  // process would crash. Its next query fails and is reported (and retried) where it is made.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger?.warn({ err: error }, 'PostgreSQL connection in use failed'));
  });
  return pool;
}
