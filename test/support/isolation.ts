// Each integration test owns its topics, subjects and consumer groups: a unique
// X7_TOPIC_PREFIX puts every name it touches in a namespace of its own, so tests
// run in parallel and twice in a row without seeing each other's records.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';

export function uniquePrefix(testName: string): string {
  const safe = testName.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 24);
  return `t-${safe}-${randomBytes(4).toString('hex')}.`;
}

/** Environment for a spawned x7 that works inside the test's namespace. */
export function isolatedEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  // Metrics port 0: processes of tests running side by side must not compete for 9464/9465.
  return { X7_TOPIC_PREFIX: prefix, X7_CONSUMER_GROUP: `${prefix}processor`, X7_LOG_LEVEL: 'warn', X7_METRICS_PORT: '0', ...extra };
}

/** The same configuration, for code the test runs in-process. */
export function isolatedConfig(prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...isolatedEnv(prefix, extra) });
}
