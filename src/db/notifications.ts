// LISTEN on a PostgreSQL channel from one dedicated connection, for as long as the
// process runs: reconnects with backoff when the server goes away, and calls
// `onReset` on every (re)connect, because notifications sent while it was not
// listening are lost and whatever they would have invalidated must be dropped.
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from '../runtime/backoff.js';
import { connectionSettings } from './connection.js';

export interface ListenOptions {
  channel: string;
  onNotification(payload: string): void;
  onReset(): void;
  logger: Pick<Logger, 'info' | 'warn'>;
  retry?: { initialMs: number; maxMs: number };
}

export interface Listener {
  /** True while the LISTEN connection is up. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export function listen(config: Pick<Config, 'databaseUrl'>, options: ListenOptions): Listener {
  const { connectionString, ssl } = connectionSettings(config.databaseUrl);
  const retry = options.retry ?? { initialMs: 250, maxMs: 10_000 };
  // Channel names cannot be parameters; this one is ours, checked to be a plain identifier.
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a channel name: ${options.channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let listening = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString, ...(ssl === undefined ? {} : { ssl }), application_name: 'x7-stream-listen', connectionTimeoutMillis: 10_000 });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined) options.onNotification(message.payload);
    });
    next.on('error', () => undefined);
    next.on('end', () => {
      if (client !== next) return;
      listening = false;
      options.onReset();
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
      if (closed) return void (await next.end().catch(() => undefined));
      listening = true;
      attempt = 0;
      options.onReset();
      options.logger.info({ channel: options.channel }, 'listening for PostgreSQL notifications');
    } catch (error) {
      options.logger.warn({ err: error, channel: options.channel }, 'could not LISTEN; retrying');
      client = undefined;
      await next.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed || timer) return;
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoffDelayMs(attempt, retry));
    timer.unref();
  };
  void connect();

  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      listening = false;
      await current?.end().catch(() => undefined);
    },
  };
}
