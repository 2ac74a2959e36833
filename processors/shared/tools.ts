// Tools: the named SQL queries agents answer from, and the database handle they run on.
//
// A tool is declared by the agents that use it (Agent.tools), so the registry can
// say what an agent touches and AgentInput.use can refuse a tool it did not
// declare. Every query is parameterised ($1, $2 …); no value is ever spliced into SQL.
// A database that cannot be reached becomes DependencyUnavailableError here, once,
// so no agent has to know how pg reports an outage.
import type pg from 'pg';
import { databaseError } from '../../src/db/errors.js';
import type { RowsOf } from '../../src/db/members.js';
import { statement } from '../../src/db/statements.js';
import type { Logger } from '../../src/log.js';
import type { BusinessContext } from './agent.js';
import type { WorkflowReader } from './deps.js';

/** What a tool runs queries on: the pool, or one transaction of it. */
export interface Db {
  /** Rows of a parameterised query. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `body` in one transaction (nested calls join the outer one). */
  transaction<T>(body: (tx: Db) => Promise<T>): Promise<T>;
}

export interface ToolContext {
  db: Db;
  /** Temporal's visibility (DASHBOARD's workflow tools); down, it throws DependencyUnavailableError. */
  workflows: WorkflowReader;
  now: Date;
  /** Null for GLOBAL. */
  business: BusinessContext | null;
  /**
   * Business rows from the process's cache (business.ts), e.g. for the announcements on
   * GLOBAL's cards: read from PostgreSQL only when not cached, never per message.
   */
  businesses(ids: readonly string[]): Promise<ReadonlyMap<string, BusinessContext>>;
  logger: Logger;
}

export interface Tool<A, R> {
  /** Unique among tools, snake_case: "find_offerings", "count_bookings" … */
  readonly name: string;
  /** One line: what it answers. */
  readonly description: string;
  run(context: ToolContext, args: A): Promise<R>;
}

/** Identity with inference, so `defineTool({...})` types A and R from `run`. */
export function defineTool<A, R>(tool: Tool<A, R>): Tool<A, R> {
  return tool;
}

/**
 * A Db over a pg pool, its queries as named prepared statements unless
 * `preparedStatements` is false (src/db/statements.ts). `databaseUrl` only names the
 * server in errors (never its credentials). Non-outage errors (bad SQL, a constraint) pass unchanged: they are bugs
 * or bad data, and the runtime dead-letters the event rather than retrying forever.
 */
export function poolDb(pool: pg.Pool, databaseUrl: string, options: { preparedStatements?: boolean } = {}): Db {
  const prepared = options.preparedStatements ?? true;
  const fail = (error: unknown): never => {
    throw databaseError(error, databaseUrl);
  };
  const over = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): Db => ({
    async query<R extends object>(sql: string, params: readonly unknown[] = []) {
      try {
        const result = await client.query<R>(statement(sql, params, prepared));
        return result.rows;
      } catch (error) {
        return fail(error);
      }
    },
    async transaction<T>(body: (tx: Db) => Promise<T>): Promise<T> {
      if (inTransaction) return body(this);
      let connection: pg.PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        return fail(error);
      }
      let broken = false;
      try {
        await connection.query('BEGIN').catch(fail);
        const result = await body(over(connection, true));
        await connection.query('COMMIT').catch(fail);
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: drop it from the pool.
        connection.release(broken ? true : undefined);
      }
    },
  });
  return over(pool, false);
}

/** A Db as the shared SQL of src/db takes it (src/db/members.ts, src/db/handoffs.ts). */
export function rowsOf(db: Db): RowsOf {
  return (sql, params) => db.query(sql, params);
}
