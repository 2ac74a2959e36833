// The start-up check of `x7 processor`, `x7 worker` and `x7 bridge`: each dependency
// is asked once, before the command starts, whether it accepts us. A refusal (wrong
// credentials, an untrusted certificate, TLS on one side only; access-errors.ts) stops
// the command with one line naming the dependency and the variables to check, instead
// of a process that retries forever and is never ready. A dependency that does not
// answer is logged and the command starts as it always has: it is retried, and /readyz
// says so meanwhile.
import pg from 'pg';
import type { Config } from '../config.js';
import { connectionSettings } from '../db/connection.js';
import { createKafka } from '../kafka/client.js';
import { createLogger, type Logger } from '../log.js';
import { describeFailure } from '../observability/redact.js';
import { withTimeout } from '../observability/http.js';
import { pingRegistry } from '../observability/probes.js';
import { accessRefusal, StartupRefusedError, type AccessDependency, type AccessRefusedError } from '../pipeline/access-errors.js';
import { connectRedis } from '../state/redis.js';
import { connectTemporalClient, tcpReachable, tlsHandshakeCheck } from '../workflows/connection.js';

const CHECK_TIMEOUT_MS = 8_000;

type Probe = (config: Config, timeoutMs: number) => Promise<void>;

/** One connection per dependency, with the configuration's credentials and TLS, closed at once. */
export const STARTUP_PROBES: Record<AccessDependency, Probe> = {
  async kafka(config) {
    // Silent: the check's own verdict is the line that matters, not kafkajs's log of it.
    const admin = createKafka({ ...config, logLevel: 'silent' }, 'startup-check', undefined, { retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
  async registry(config, timeoutMs) {
    await pingRegistry(config, timeoutMs);
  },
  async redis(config) {
    const redis = await connectRedis(config, { logger: createLogger('redis', 'silent'), overrides: { retryStrategy: () => null } });
    redis.disconnect();
  },
  async postgres(config, timeoutMs) {
    const { connectionString, ssl } = connectionSettings(config.databaseUrl);
    const client = new pg.Client({ connectionString, ...(ssl === undefined ? {} : { ssl }), connectionTimeoutMillis: timeoutMs, application_name: 'x7-stream-check' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } finally {
      await client.end().catch(() => undefined);
    }
  },
  async temporal(config, timeoutMs) {
    // A refused port answers at once here; grpc-js would wait for its whole connect timeout.
    await tcpReachable(config.temporalAddress, timeoutMs);
    // Node's own handshake next: its errors say which certificate is wrong (grpc-js's do not).
    if (config.temporalTls) await tlsHandshakeCheck(config, timeoutMs);
    const connection = await connectTemporalClient(config);
    try {
      // A namespaced call: an API key or client certificate is checked against the namespace.
      await connection.withDeadline(Date.now() + 5_000, () => connection.workflowService.describeNamespace({ namespace: config.temporalNamespace }));
    } finally {
      await connection.close().catch(() => undefined);
    }
  },
};

/**
 * Resolves when no dependency refused us (those that did not answer are logged);
 * throws StartupRefusedError with a line per refusal.
 */
export async function checkAccess(
  config: Config,
  dependencies: AccessDependency[],
  options: { logger: Logger; timeoutMs?: number; probes?: Partial<Record<AccessDependency, Probe>> },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  const refusals = await Promise.all(dependencies.map(async (dependency): Promise<AccessRefusedError | null> => {
    const probe = options.probes?.[dependency] ?? STARTUP_PROBES[dependency];
    try {
      await withTimeout(probe(config, timeoutMs), timeoutMs, () => Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      return null;
    } catch (error) {
      const refused = accessRefusal(error, dependency);
      if (refused) return refused;
      options.logger.warn({ dependency, problem: describeFailure(error) }, `${dependency} did not answer at start; starting anyway (it is retried, /readyz says so meanwhile)`);
      return null;
    }
  }));
  const refused = refusals.filter((r): r is AccessRefusedError => r !== null);
  if (refused.length > 0) throw new StartupRefusedError(refused);
}
