// Typed configuration from environment variables.
//
// Every variable is parsed and checked at start; all problems are collected and
// reported together, one line per bad value, so an operator fixes them in one go.
// `.env.example` lists every variable read here, with its default.

export interface Config {
  /** Kafka bootstrap servers. */
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** Base URL of the Confluent-compatible schema registry API. */
  schemaRegistryUrl: string;
  redisUrl: string;
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /**
   * Prepended to every topic name and so to every subject (TopicNameStrategy).
   * Empty in production; integration tests use it to own their topics.
   */
  topicPrefix: string;
  /** Consumer group of `x7 processor`. */
  consumerGroup: string;
  /** How many partitions the processor works on at once (in order within each). */
  partitionConcurrency: number;
  /** Largest accepted `text` of a chat message, in UTF-8 bytes. */
  maxTextBytes: number;
  /** How far in the future a `sentAt` may lie (clock skew), in milliseconds. */
  maxClockSkewMs: number;
  /** First and longest wait before retrying an unavailable dependency, in milliseconds. */
  retryInitialMs: number;
  retryMaxMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const config: Config = {
    kafkaBrokers: read.list('KAFKA_BROKERS', '127.0.0.1:9092', isHostPort, 'host:port pairs separated by commas'),
    kafkaClientId: read.string('KAFKA_CLIENT_ID', 'x7-stream'),
    schemaRegistryUrl: read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7', ['http:', 'https:']),
    redisUrl: read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    databaseUrl: read.url('DATABASE_URL', 'postgresql://x7:x7@127.0.0.1:54322/x7', ['postgres:', 'postgresql:']),
    temporalAddress: read.string('TEMPORAL_ADDRESS', '127.0.0.1:7233', isHostPort, 'host:port'),
    temporalNamespace: read.string('TEMPORAL_NAMESPACE', 'default'),
    topicPrefix: read.string('X7_TOPIC_PREFIX', '', (v) => v === '' || /^[A-Za-z0-9._-]+$/.test(v), 'letters, digits, ".", "_" or "-"'),
    consumerGroup: read.string('X7_CONSUMER_GROUP', 'x7-processor'),
    partitionConcurrency: read.int('X7_PARTITION_CONCURRENCY', 4, 1, 256),
    maxTextBytes: read.int('X7_MAX_TEXT_BYTES', 4000, 1, 1_000_000),
    maxClockSkewMs: read.int('X7_MAX_CLOCK_SKEW_MS', 5 * 60_000, 0, 24 * 3_600_000),
    retryInitialMs: read.int('X7_RETRY_INITIAL_MS', 250, 1, 60_000),
    retryMaxMs: read.int('X7_RETRY_MAX_MS', 10_000, 1, 600_000),
    logLevel: read.oneOf('X7_LOG_LEVEL', 'info', LOG_LEVELS),
  };
  if (config.retryMaxMs < config.retryInitialMs) {
    problems.push(`X7_RETRY_MAX_MS (${config.retryMaxMs}) must not be below X7_RETRY_INITIAL_MS (${config.retryInitialMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function isHostPort(value: string): boolean {
  const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(value);
  return match !== null && Number(match[2]) > 0 && Number(match[2]) < 65536;
}

/** Reads one variable at a time, recording a problem instead of throwing. */
class EnvReader {
  constructor(private readonly env: Env, private readonly problems: string[]) {}

  private raw(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  }

  string(name: string, fallback: string, valid?: (v: string) => boolean, expected?: string): string {
    const value = this.raw(name, fallback);
    if (valid && !valid(value)) this.problems.push(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
    return value;
  }

  list(name: string, fallback: string, valid: (v: string) => boolean, expected: string): string[] {
    const items = this.raw(name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((item) => !valid(item));
    if (items.length === 0 || bad.length > 0) {
      this.problems.push(`${name}=${JSON.stringify(this.raw(name, fallback))} is not valid: expected ${expected}`);
    }
    return items;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.raw(name, fallback);
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got ${url.protocol})`);
      }
    } catch {
      this.problems.push(`${name}=${JSON.stringify(value)} is not a URL`);
    }
    return value.replace(/\/+$/, '');
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name, String(fallback));
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name}=${JSON.stringify(value)} is not valid: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name, fallback);
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}=${JSON.stringify(value)} is not valid: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }
}
