// The PostgreSQL pool when a connection breaks while it is checked out (a server or a
// proxy cutting it between two queries): the process must not crash on the client's
// 'error' event, and the next query on that connection fails where it is made, as an
// outage the pipeline retries. Found by the full suite: an uncaught "Connection
// terminated unexpectedly" while dedicated-pipeline.test.ts cut its PostgreSQL proxy.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseError } from '../../src/db/errors.js';
import { createPool } from '../../src/db/index.js';
import type { Logger } from '../../src/log.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sleep } from '../support/pipeline.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let db: TestDatabase;
let proxy: TcpProxy;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false, label: 'pool' });
  const target = new URL(db.url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
});
afterAll(async () => {
  await proxy?.cut();
  await db?.drop();
});

describe('the PostgreSQL pool', () => {
  it('survives a checked-out connection cut between two queries, and reports the next query as an outage', async () => {
    const lines: { msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) }) as unknown as Logger;
    const url = proxy.rewrite(db.url);
    const pool = createPool({ databaseUrl: url }, { max: 1, logger });
    try {
      const client = await pool.connect();
      expect((await client.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await proxy.cut();
      await sleep(300);
      expect(lines.map((l) => l.msg)).toContain('PostgreSQL connection in use failed');
      const failed = await client.query('select 1').then(() => null, (error: unknown) => databaseError(error, url));
      expect(failed).toBeInstanceOf(DependencyUnavailableError);
      client.release(true);
    } finally {
      await proxy.restore();
      await pool.end();
    }
  });
});
