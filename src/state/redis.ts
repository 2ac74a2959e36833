// The Redis client shared by the checkpointer and the bridge, and the rule that
// turns a Redis failure into "dependency unavailable".
//
// A stream processor must not hide an outage: a command issued while Redis is
// down fails at once (no offline queue), a command caught by a dropped
// connection is retried on at most one reconnect, and a hung server times out.
// The runtime then pauses the partition and retries with its own backoff, while
// the client keeps reconnecting in the background, forever.
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { DependencyUnavailableError } from '../pipeline/errors.js';

/** Longest wait for a TCP connection (and the ready check) to Redis. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Longest wait for one reply. A server that accepts but does not answer (a
 * network partition, a stuck primary) must fail the call, not hang the partition.
 */
const COMMAND_TIMEOUT_MS = 5_000;

export type RedisConfig = Pick<Config, 'redisUrl' | 'redisCa' | 'retryInitialMs' | 'retryMaxMs'>;

/**
 * Connection options that come from the configuration rather than from REDIS_URL:
 * ioredis itself takes the host, port, db, ACL user and password from the URL, and
 * turns TLS on for rediss://; REDIS_CA_FILE adds the CA that the server's
 * certificate must chain to (without it, Node's CA store).
 */
export function redisTlsOptions(config: Pick<Config, 'redisUrl' | 'redisCa'>): Pick<RedisOptions, 'tls'> {
  return config.redisCa && config.redisUrl.startsWith('rediss://') ? { tls: { ca: config.redisCa } } : {};
}

/**
 * A connected ioredis client. Resolves once Redis answered, so a process never
 * starts "ready" against a Redis it cannot reach; rejects with
 * DependencyUnavailableError when the first connection fails.
 */
export async function connectRedis(
  config: RedisConfig,
  options: { logger?: Logger; overrides?: RedisOptions } = {},
): Promise<Redis> {
  const client = createRedis(config, { ...options, overrides: { ...options.overrides, lazyConnect: true } });
  try {
    await client.connect();
  } catch (error) {
    // connect() rejects with "Connection is closed."; why it closed (WRONGPASS, an
    // untrusted certificate, ECONNREFUSED …) is the error the client emitted before.
    const reason = lastErrors.get(client) ?? error;
    client.disconnect();
    throw toRedisError(reason, `connect to ${describeUrl(config.redisUrl)}`);
  }
  return client;
}

/**
 * An ioredis client with fail-fast options. Connects in the background unless
 * `overrides.lazyConnect` is set; prefer `connectRedis` at start-up.
 */
export function createRedis(
  config: RedisConfig,
  options: { logger?: Logger; overrides?: RedisOptions } = {},
): Redis {
  const logger = options.logger ?? createLogger('redis');
  const client = new Redis(config.redisUrl, {
    // RESP2 needs no HELLO handshake and is spoken by every Redis, Valkey and
    // managed offering (and the proxies in front of some of them).
    protocol: 2,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // Fail while disconnected instead of queueing without bound; the caller's
    // backoff decides when to try again.
    enableOfflineQueue: false,
    // An in-flight command cut off by a dropped connection gets one resend after
    // the reconnect; every write here is idempotent, so a resend is safe.
    maxRetriesPerRequest: 1,
    // Reconnect forever with the same backoff the runtime uses for dependencies;
    // work resumes by itself when Redis is back.
    retryStrategy: (attempt) => Math.min(config.retryInitialMs * 2 ** Math.min(attempt - 1, 20), config.retryMaxMs),
    ...redisTlsOptions(config),
    ...options.overrides,
  });
  // Without a listener ioredis prints every failed reconnect to stderr; log them
  // as JSON instead, once per state change rather than once per attempt.
  let down = false;
  client.on('error', (error: Error) => {
    redactCredentials(error);
    lastErrors.set(client, error);
    if (!down) logger.error({ err: error }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    lastErrors.delete(client);
    if (down) logger.info('redis connection restored');
    down = false;
  });
  return client;
}

const lastErrors = new WeakMap<Redis, Error>();

/**
 * ioredis puts the failed command on its error, arguments included: a refused AUTH
 * (or HELLO … AUTH) carries the user and password, which a logged error must not.
 */
export function redactCredentials(error: Error): Error {
  const command = (error as { command?: { name?: unknown; args?: unknown } }).command;
  if (command && typeof command.name === 'string' && /^(auth|hello)$/i.test(command.name) && Array.isArray(command.args)) {
    command.args = command.args.map(() => '***');
  }
  return error;
}

/** The client's last connection error since it was last ready (readiness says why it is not). */
export function lastRedisError(client: Redis): Error | undefined {
  return lastErrors.get(client);
}

// Replies that mean "the server cannot serve right now", not "the request is wrong".
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|READONLY|MASTERDOWN|OOM|MISCONF|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|NOAUTH|WRONGPASS)\b/;

/**
 * Maps what ioredis throws to what the pipeline understands: transport failures
 * (refused, closed, timed out, offline) and "server not available" replies become
 * DependencyUnavailableError; any other reply error is a bug and passes unchanged.
 */
export function toRedisError(error: unknown, operation: string): Error {
  if (error instanceof DependencyUnavailableError) return error;
  if (error instanceof Error) {
    const isReply = error.name === 'ReplyError';
    if (!isReply || UNAVAILABLE_REPLIES.test(error.message)) {
      return new DependencyUnavailableError('redis', `${operation}: ${error.message}`, { cause: error });
    }
    return error;
  }
  return new DependencyUnavailableError('redis', `${operation}: ${String(error)}`, { cause: error });
}

/** host:port/db of a Redis URL, without credentials, for messages and logs. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis';
  }
}
