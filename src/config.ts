// Typed configuration from environment variables.
//
// Every variable is parsed and checked at start; all problems are collected and
// reported together, one line per bad value, so an operator fixes them in one go.
// `.env.example` lists every variable read here, with its default.
import { isIP } from 'node:net';
import { connectionSettings, DatabaseUrlError } from './db/connection.js';
import { readSecureSettings, type BasicAuth, type KafkaSecurity, type TemporalTls } from './secure-config.js';

export interface Config {
  /** Kafka bootstrap servers. */
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** KAFKA_SECURITY_PROTOCOL, SASL credentials and TLS files (secure-config.ts). */
  kafkaSecurity: KafkaSecurity;
  /** Base URL of the Confluent-compatible schema registry API, without credentials. */
  schemaRegistryUrl: string;
  /** SCHEMA_REGISTRY_BASIC_AUTH, or the user:password that SCHEMA_REGISTRY_URL carried. */
  schemaRegistryAuth: BasicAuth | null;
  /** PEM of SCHEMA_REGISTRY_CA_FILE (https only); null: Node's CA store. */
  schemaRegistryCa: string | null;
  /** redis:// or rediss:// (TLS), with the ACL user and password in it when Redis wants them. */
  redisUrl: string;
  /** PEM of REDIS_CA_FILE (rediss only); null: Node's CA store. */
  redisCa: string | null;
  /** How long a conversation's state is remembered after its last message, in seconds. */
  checkpointTtlSeconds: number;
  databaseUrl: string;
  /** Queries as named prepared statements (off behind a pooler that cannot keep them). */
  pgPreparedStatements: boolean;
  temporalAddress: string;
  temporalNamespace: string;
  /** TLS to Temporal (TEMPORAL_TLS*); null: plain-text gRPC. */
  temporalTls: TemporalTls | null;
  /** TEMPORAL_API_KEY (Temporal Cloud), sent as "authorization: Bearer"; null: none. */
  temporalApiKey: string | null;
  /** Temporal task queue of `x7 worker` and of the workflows the manager starts. */
  taskQueue: string;
  /** How long before a reservation the customer is reminded, in minutes (0: no reminder). */
  reminderLeadMinutes: number;
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
  /**
   * Port of /healthz, /readyz and /metrics of `x7 processor` and `x7 worker` (the
   * bridge has X7_BRIDGE_METRICS_PORT). Null: the command's default
   * (DEFAULT_METRICS_PORTS); 0: any free port (the start log line names it).
   */
  metricsPort: number | null;
  /** Interface that port (and the bridge's metrics port) listens on. */
  metricsHost: string;

  // --- `x7 bridge` (WebSocket bridge); see src/bridge/README.md ---
  /** HS256 key of client JWTs; null: HS256 tokens are refused. */
  jwtSecret: string | null;
  /** JWKS endpoint of an identity provider (RS256/ES256/EdDSA tokens); null: none. */
  jwksUrl: string | null;
  /** When set, a token's `iss` must equal it. */
  jwtIssuer: string | null;
  /** When set, a token's `aud` must contain it. */
  jwtAudience: string | null;
  /** When set, a token issued (iat) longer ago than this is refused, whatever its exp says. */
  jwtMaxAgeSeconds: number | null;
  bridgeHost: string;
  bridgePort: number;
  /**
   * Names this bridge instance's Kafka consumer group, so a restarted instance
   * resumes where it stopped. Empty: "<hostname>-<port>".
   */
  bridgeInstanceId: string;
  /** Origins (scheme://host[:port]) whose pages may open a WebSocket; the bridge's own always may. */
  allowedOrigins: string[];
  /** Serves POST /dev/token (sign in as any demo user). Never in production. */
  devTokens: boolean;
  /** Outbound events kept per conversation for resume. */
  historySize: number;
  /** How long a conversation's history lives after its last event, in ms. */
  historyTtlMs: number;
  /** Largest client frame in bytes; larger frames are refused (FRAME_TOO_LARGE). */
  maxFrameBytes: number;
  /** Token bucket per user, shared by their connections to one instance: frames per second refilled, and the burst allowed. */
  rateLimitPerSec: number;
  rateLimitBurst: number;
  /** Interval of WebSocket pings; a connection silent for two intervals is closed. */
  heartbeatMs: number;
  /** Bytes queued for one socket beyond which it is dropped as a slow consumer. */
  maxBufferedBytes: number;
  /** Conversations one connection may subscribe to at once. */
  maxSubscriptions: number;
  /** Bytes queued across all sockets of this instance beyond which the largest backlogs are dropped as slow consumers. */
  maxBufferedBytesTotal: number;
  /** Open WebSocket connections this instance accepts (HTTP 503 at the upgrade beyond). */
  maxConnections: number;
  /** Open connections of one user on this instance (HTTP 429 beyond). */
  maxConnectionsPerUser: number;
  /** Open connections from one client address (an IPv6 /64 counts as one) on this instance (HTTP 429 beyond). */
  maxConnectionsPerAddress: number;
  /**
   * Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed when they
   * connect; empty: the socket's address is the client's, whatever the header says.
   */
  trustedProxies: string[];
  /** Port of the bridge's /healthz, /readyz (with detail) and /metrics, on metricsHost; 0: any free port. */
  bridgeMetricsPort: number;

  // --- optional LLM for intent classification (src/understanding/llm.ts) ---
  /**
   * OpenAI-compatible API base (e.g. https://api.openai.com/v1); null: the
   * deterministic rules alone. Set: the LLM classifies what the rules are unsure
   * of, and its failure is a dependency failure, never a silent fall-back to the rules.
   */
  llmBaseUrl: string | null;
  /** Bearer token for the endpoint; null for a local server that wants none. */
  llmApiKey: string | null;
  /** Model name; required exactly when llmBaseUrl is set. */
  llmModel: string | null;
  /** Longest wait for one LLM answer, in milliseconds. */
  llmTimeoutMs: number;
  /** LLM requests one processor has in flight at once; more wait their turn. */
  llmMaxConcurrency: number;
  /** The LLM is asked when the rules find no intent or one with a confidence below this (0–1). */
  llmBelowConfidence: number;
  /** A compiled prompt (few-shot demos, `x7 nlu compile`) for the LLM; null: the prompt without demos. */
  llmPromptFile: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Where each process serves /healthz, /readyz and /metrics unless X7_METRICS_PORT
 * (processor, worker) or X7_BRIDGE_METRICS_PORT (bridge) says otherwise.
 */
export const DEFAULT_METRICS_PORTS = { processor: 9464, worker: 9465, bridge: 9466 } as const;

/** The metrics port of `service`: X7_METRICS_PORT when set, else the service's default. */
export function metricsPortFor(config: Pick<Config, 'metricsPort'>, service: 'processor' | 'worker'): number {
  return config.metricsPort ?? DEFAULT_METRICS_PORTS[service];
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);
  const registryUrl = read.url('SCHEMA_REGISTRY_URL', 'http://127.0.0.1:8081/apis/ccompat/v7', ['http:', 'https:']);
  const redisUrl = read.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
  const databaseUrl = read.url('DATABASE_URL', 'postgresql://x7:x7@127.0.0.1:54322/x7', ['postgres:', 'postgresql:']);
  const secure = readSecureSettings(env, problems, { registryUrl, redisUrl });

  const config: Config = {
    kafkaBrokers: read.list('KAFKA_BROKERS', '127.0.0.1:9092', isHostPort, 'host:port pairs separated by commas'),
    kafkaClientId: read.string('KAFKA_CLIENT_ID', 'x7-stream'),
    kafkaSecurity: secure.kafkaSecurity,
    schemaRegistryUrl: secure.schemaRegistryUrl,
    schemaRegistryAuth: secure.schemaRegistryAuth,
    schemaRegistryCa: secure.schemaRegistryCa,
    redisUrl,
    redisCa: secure.redisCa,
    checkpointTtlSeconds: read.int('X7_CHECKPOINT_TTL_SECONDS', 30 * 86_400, 60, 10 * 365 * 86_400),
    databaseUrl,
    pgPreparedStatements: read.bool('X7_PG_PREPARED_STATEMENTS', true),
    temporalAddress: read.string('TEMPORAL_ADDRESS', '127.0.0.1:7233', isHostPort, 'host:port'),
    temporalNamespace: read.string('TEMPORAL_NAMESPACE', 'default'),
    temporalTls: secure.temporalTls,
    temporalApiKey: secure.temporalApiKey,
    taskQueue: read.string('X7_TASK_QUEUE', 'x7-workflows', (v) => /^[A-Za-z0-9._-]{1,200}$/.test(v), 'letters, digits, ".", "_" or "-"'),
    reminderLeadMinutes: read.int('X7_REMINDER_LEAD_MINUTES', 120, 0, 7 * 24 * 60),
    topicPrefix: read.string('X7_TOPIC_PREFIX', '', (v) => v === '' || /^[A-Za-z0-9._-]+$/.test(v), 'letters, digits, ".", "_" or "-"'),
    consumerGroup: read.string('X7_CONSUMER_GROUP', 'x7-processor'),
    partitionConcurrency: read.int('X7_PARTITION_CONCURRENCY', 12, 1, 256),
    maxTextBytes: read.int('X7_MAX_TEXT_BYTES', 4000, 1, 16_384),
    maxClockSkewMs: read.int('X7_MAX_CLOCK_SKEW_MS', 5 * 60_000, 0, 24 * 3_600_000),
    retryInitialMs: read.int('X7_RETRY_INITIAL_MS', 250, 1, 60_000),
    retryMaxMs: read.int('X7_RETRY_MAX_MS', 10_000, 1, 600_000),
    logLevel: read.oneOf('X7_LOG_LEVEL', 'info', LOG_LEVELS),
    metricsPort: read.optionalInt('X7_METRICS_PORT', 0, 65535),
    metricsHost: read.string('X7_METRICS_HOST', '127.0.0.1'),
    jwtSecret: read.optional('X7_JWT_SECRET', (v) => Buffer.byteLength(v, 'utf8') >= 32, 'at least 32 bytes (HS256 needs a 256-bit key)', true),
    jwksUrl: read.optionalUrl('X7_JWKS_URL', ['http:', 'https:']),
    jwtIssuer: read.optional('X7_JWT_ISSUER'),
    jwtAudience: read.optional('X7_JWT_AUDIENCE'),
    jwtMaxAgeSeconds: read.optionalInt('X7_JWT_MAX_AGE_SECONDS', 60, 366 * 86_400),
    bridgeHost: read.string('X7_BRIDGE_HOST', '127.0.0.1'),
    bridgePort: read.int('X7_BRIDGE_PORT', 8080, 0, 65535),
    bridgeInstanceId: read.string('X7_BRIDGE_INSTANCE_ID', '', (v) => v === '' || /^[A-Za-z0-9._-]{1,100}$/.test(v), 'letters, digits, ".", "_" or "-"'),
    allowedOrigins: read.list('X7_ALLOWED_ORIGINS', '', isOrigin, 'origins such as https://chat.example.com separated by commas', true),
    devTokens: read.bool('X7_DEV_TOKENS', false),
    historySize: read.int('X7_HISTORY_SIZE', 200, 1, 100_000),
    historyTtlMs: read.int('X7_HISTORY_TTL_MS', 24 * 3_600_000, 1_000, 365 * 24 * 3_600_000),
    maxFrameBytes: read.int('X7_MAX_FRAME_BYTES', 65_536, 256, 16 * 1_048_576),
    rateLimitPerSec: read.int('X7_RATE_LIMIT_PER_SEC', 10, 1, 100_000),
    rateLimitBurst: read.int('X7_RATE_LIMIT_BURST', 30, 1, 100_000),
    heartbeatMs: read.int('X7_HEARTBEAT_MS', 30_000, 100, 3_600_000),
    maxBufferedBytes: read.int('X7_MAX_BUFFERED_BYTES', 4 * 1_048_576, 1_024, 1_073_741_824),
    maxSubscriptions: read.int('X7_MAX_SUBSCRIPTIONS', 100, 1, 100_000),
    maxBufferedBytesTotal: read.int('X7_MAX_BUFFERED_BYTES_TOTAL', 256 * 1_048_576, 1_024, 64 * 1_073_741_824),
    maxConnections: read.int('X7_MAX_CONNECTIONS', 20_000, 1, 1_000_000),
    maxConnectionsPerUser: read.int('X7_MAX_CONNECTIONS_PER_USER', 20, 1, 1_000_000),
    maxConnectionsPerAddress: read.int('X7_MAX_CONNECTIONS_PER_IP', 1_000, 1, 1_000_000),
    trustedProxies: read.list('X7_TRUSTED_PROXIES', '', isAddressOrRange, 'IP addresses or CIDR ranges (10.0.0.0/8, fd00::/8) separated by commas', true),
    bridgeMetricsPort: read.int('X7_BRIDGE_METRICS_PORT', DEFAULT_METRICS_PORTS.bridge, 0, 65535),
    llmBaseUrl: read.optionalUrl('X7_LLM_BASE_URL', ['http:', 'https:']),
    llmApiKey: read.optional('X7_LLM_API_KEY'),
    llmModel: read.optional('X7_LLM_MODEL'),
    llmTimeoutMs: read.int('X7_LLM_TIMEOUT_MS', 10_000, 100, 120_000),
    llmMaxConcurrency: read.int('X7_LLM_MAX_CONCURRENCY', 4, 1, 256),
    llmBelowConfidence: read.fraction('X7_LLM_BELOW_CONFIDENCE', 0.5),
    llmPromptFile: read.optional('X7_LLM_PROMPT_FILE'),
  };
  if ((config.llmBaseUrl === null) !== (config.llmModel === null)) {
    problems.push('X7_LLM_BASE_URL and X7_LLM_MODEL go together: set both to classify intents with an LLM, or neither');
  }
  if (config.devTokens && config.jwtSecret === null) {
    problems.push('X7_DEV_TOKENS=1 needs X7_JWT_SECRET: dev tokens are signed with it (HS256)');
  }
  // Dev tokens sign anyone in as anyone: only on a developer's own machine, never beside real identities.
  if (config.devTokens && config.jwksUrl !== null) {
    problems.push('X7_DEV_TOKENS=1 cannot be used with X7_JWKS_URL: real identities come from the JWKS, dev tokens would let anyone be anyone');
  }
  if (config.devTokens && !isLoopbackHost(config.bridgeHost)) {
    problems.push(`X7_DEV_TOKENS=1 needs the bridge on loopback (X7_BRIDGE_HOST=127.0.0.1, ::1 or localhost), not ${config.bridgeHost}`);
  }
  if (config.maxBufferedBytesTotal < config.maxBufferedBytes) {
    problems.push(`X7_MAX_BUFFERED_BYTES_TOTAL (${config.maxBufferedBytesTotal}) must not be below X7_MAX_BUFFERED_BYTES (${config.maxBufferedBytes}), the bound of one socket`);
  }
  // DATABASE_URL's TLS parameters (sslmode, sslrootcert, sslcert, sslkey) and their files, now rather than at the first query.
  try {
    connectionSettings(databaseUrl);
  } catch (error) {
    if (error instanceof DatabaseUrlError && !problems.some((p) => p.startsWith('DATABASE_URL'))) problems.push(error.message);
  }
  if (config.retryMaxMs < config.retryInitialMs) {
    problems.push(`X7_RETRY_MAX_MS (${config.retryMaxMs}) must not be below X7_RETRY_INITIAL_MS (${config.retryInitialMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** scheme://host[:port] and nothing else: what a browser sends as Origin. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address, or a CIDR range of one (what X7_TRUSTED_PROXIES lists). */
function isAddressOrRange(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
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

  list(name: string, fallback: string, valid: (v: string) => boolean, expected: string, mayBeEmpty = false): string[] {
    const items = this.raw(name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((item) => !valid(item));
    if ((items.length === 0 && !mayBeEmpty) || bad.length > 0) {
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
      // Never echo a password: a connection string that fails to parse may still carry one.
      this.problems.push(`${name}=${JSON.stringify(redactPassword(value))} is not a URL`);
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

  /** A number from 0 to 1 (a confidence). */
  fraction(name: string, fallback: number): number {
    const value = this.raw(name, String(fallback));
    const parsed = Number(value);
    if (!/^(?:0|1|0?\.\d+|[01]\.0*)$/.test(value) || parsed < 0 || parsed > 1) {
      this.problems.push(`${name}=${JSON.stringify(value)} is not valid: expected a number from 0 to 1`);
      return fallback;
    }
    return parsed;
  }

  /** A whole number that may be absent (null). */
  optionalInt(name: string, min: number, max: number): number | null {
    return this.raw(name, '') === '' ? null : this.int(name, min, min, max);
  }

  /** A value that may be absent (null); `secret` keeps the value out of the message. */
  optional(name: string, valid?: (v: string) => boolean, expected?: string, secret = false): string | null {
    const value = this.raw(name, '');
    if (value === '') return null;
    if (valid && !valid(value)) {
      this.problems.push(`${name}${secret ? '' : `=${JSON.stringify(value)}`} is not valid: expected ${expected}`);
    }
    return value;
  }

  optionalUrl(name: string, protocols: string[]): string | null {
    return this.raw(name, '') === '' ? null : this.url(name, '', protocols);
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name, fallback ? '1' : '0').toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}=${JSON.stringify(value)} is not valid: expected 1 or 0 (true/false)`);
    return fallback;
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

/** "scheme://user:secret@host…" with the secret replaced, also in text that is not a valid URL. */
export function redactPassword(text: string): string {
  return text.replace(/(\/\/[^/@:\s]*:)[^@\s]*@/g, '$1***@');
}
