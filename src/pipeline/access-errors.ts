// A dependency that answers but refuses us: wrong credentials, a user without the
// rights x7 needs, a server certificate we do not trust, our client certificate
// refused, or TLS on one side only. Retrying does not help until an operator changes
// the configuration, so at start (startup-check.ts, and the worker's connect) it is one
// line naming the dependency and the variables to check, and exit 1. While running,
// AccessRefusedError is a DependencyUnavailableError (the partition pauses and retries,
// /readyz names it): an expired API key is not the event's fault.
//
// Pure: the errors are recognised by their shape (codes, statuses, names), walking
// `cause`, kafkajs's `originalError` and an AggregateError's `errors`. What each
// library throws was measured against real servers (test/integration/secure-clients.test.ts).
import { DependencyUnavailableError } from './errors.js';
import { CLIENT_CERTIFICATE_CODES, TLS_MISMATCH_CODES, UNTRUSTED_CERTIFICATE_CODES } from './tls-codes.js';

export type AccessDependency = 'kafka' | 'registry' | 'redis' | 'postgres' | 'temporal';
export type AccessKind = 'credentials' | 'permission' | 'untrusted-certificate' | 'client-certificate' | 'protocol-mismatch';

export interface AccessFailure {
  dependency: AccessDependency;
  kind: AccessKind;
  /** What the library or server said (first line, no URL credentials). */
  detail: string;
}

// The same verdicts in words, where the code is lost on the way: gRPC (grpc-js, and
// Temporal's Rust core with rustls) passes only a message.
const UNTRUSTED_TEXT = /InvalidCertificate|self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate has expired|Hostname\/IP does not match|invalid peer certificate|certificate verify failed/i;
const CLIENT_CERT_TEXT = /closed the connection right after the TLS handshake|CertificateRequired|certificate required|alert bad certificate|BadCertificate|alert unknown ca|UnknownCA|alert certificate unknown/i;
const MISMATCH_TEXT = /wrong version number|InvalidContentType|received corrupt message|packet length too long|does not support SSL connections/i;

const KAFKA_PERMISSION_TYPES = new Set([
  'CLUSTER_AUTHORIZATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const KAFKA_CREDENTIAL_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM']);
// SASL to a listener without it (measured: a PLAINTEXT broker answers ILLEGAL_SASL_STATE).
const KAFKA_MISMATCH_TYPES = new Set(['ILLEGAL_SASL_STATE']);

/** The error and everything it wraps, breadth first, each once. */
function* chain(error: unknown): Generator<Error> {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  while (queue.length > 0 && seen.size < 16) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    yield e;
    const wrapped = e as Error & { originalError?: unknown; errors?: unknown };
    queue.push(wrapped.cause, wrapped.originalError);
    if (Array.isArray(wrapped.errors)) queue.push(...wrapped.errors);
  }
}

function kindOf(e: Error, dependency: AccessDependency): AccessKind | null {
  const { code, status, type } = e as Error & { code?: unknown; status?: unknown; type?: unknown };
  if (typeof code === 'string') {
    if (UNTRUSTED_CERTIFICATE_CODES.has(code)) return 'untrusted-certificate';
    if (CLIENT_CERTIFICATE_CODES.has(code)) return 'client-certificate';
    if (TLS_MISMATCH_CODES.has(code)) return 'protocol-mismatch';
  }
  switch (dependency) {
    case 'kafka':
      if (e.name === 'KafkaJSSASLAuthenticationError') return 'credentials';
      if (typeof type === 'string' && KAFKA_CREDENTIAL_TYPES.has(type)) return 'credentials';
      if (typeof type === 'string' && KAFKA_PERMISSION_TYPES.has(type)) return 'permission';
      if (typeof type === 'string' && KAFKA_MISMATCH_TYPES.has(type)) return 'protocol-mismatch';
      // TLS to a PLAINTEXT listener: the broker drops the connection during the handshake (measured).
      if (/disconnected before secure TLS connection was established/.test(e.message)) return 'protocol-mismatch';
      break;
    case 'redis':
      // The reply, alone or at the end of a DependencyUnavailableError's message.
      if (/(^|: )(WRONGPASS|NOAUTH)\b/.test(e.message)) return 'credentials';
      if (/(^|: )NOPERM\b/.test(e.message)) return 'permission';
      break;
    case 'postgres':
      // 28P01 invalid password, 28000 invalid authorization (no such role, pg_hba refusal, a required client certificate).
      if (code === '28P01' || code === '28000') return 'credentials';
      break;
    case 'registry':
      if (status === 401) return 'credentials';
      if (status === 403) return 'permission';
      break;
    case 'temporal':
      // gRPC 16 UNAUTHENTICATED, 7 PERMISSION_DENIED (grpc-js gives the number; the core, a message).
      if (code === 16 || /\bUNAUTHENTICATED\b|does not have valid authentication credentials/.test(e.message)) return 'credentials';
      if (code === 7 || /\bPERMISSION_DENIED\b|does not have permission to execute/.test(e.message)) return 'permission';
      break;
  }
  if (UNTRUSTED_TEXT.test(e.message)) return 'untrusted-certificate';
  if (CLIENT_CERT_TEXT.test(e.message)) return 'client-certificate';
  if (MISMATCH_TEXT.test(e.message)) return 'protocol-mismatch';
  return null;
}

/** Whether `error` (from a call to `dependency`) means "refused", and how; null: anything else (down, slow, a bug). */
export function accessFailure(error: unknown, dependency: AccessDependency): AccessFailure | null {
  for (const e of chain(error)) {
    const kind = kindOf(e, dependency);
    if (kind) return { dependency, kind, detail: detailOf(e) };
  }
  return null;
}

function detailOf(e: Error): string {
  const { code, status } = e as { code?: unknown; status?: unknown };
  if (typeof status === 'number') return `HTTP ${status}`;
  const first = plainWords(e.message || e.name).split('\n')[0]!
    // Never a password, should a message carry a connection string.
    .replace(/(\/\/[^/@:\s]*:)[^@\s]*@/g, '$1***@')
    .replace(/\bBearer\s+\S+/gi, 'Bearer ***');
  const text = first.length > 200 ? `${first.slice(0, 200)}…` : first;
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

/**
 * The reason without the wrapping: OpenSSL's "80DC…:error:0A00045C:SSL routines:
 * ssl3_read_bytes:tlsv13 alert certificate required:…" → "tlsv13 alert certificate
 * required"; tonic's "…Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }…"
 * → "InvalidCertificate(UnknownIssuer)".
 */
function plainWords(message: string): string {
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(message);
  if (openssl) return openssl[1]!;
  const tonic = /error: (?:"([^"]+)"|([A-Za-z]+\([A-Za-z]+\)))/.exec(message);
  if (tonic && /tonic::transport/.test(message)) return tonic[1] ?? tonic[2]!;
  return message;
}

const NAMES: Record<AccessDependency, string> = {
  kafka: 'Kafka', registry: 'the schema registry', redis: 'Redis', postgres: 'PostgreSQL', temporal: 'Temporal',
};

const VERDICTS: Record<AccessKind, string> = {
  'credentials': 'refused our credentials',
  'permission': 'does not allow what x7 needs with these credentials',
  'untrusted-certificate': 'presented a certificate that is not trusted',
  'client-certificate': 'refused our client certificate (or wanted one)',
  'protocol-mismatch': 'does not speak the security protocol configured here (TLS or SASL on one side only)',
};

/** The variables an operator should look at, per dependency and kind. */
const HINTS: Record<AccessDependency, Record<AccessKind, string>> = {
  kafka: {
    'credentials': 'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
    'permission': 'the ACLs of KAFKA_SASL_USERNAME (topics, the consumer group, transactional ids)',
    'untrusted-certificate': 'KAFKA_SSL_CA_FILE and the host names in KAFKA_BROKERS',
    'client-certificate': 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE',
    'protocol-mismatch': 'KAFKA_SECURITY_PROTOCOL and the ports in KAFKA_BROKERS',
  },
  registry: {
    'credentials': 'SCHEMA_REGISTRY_BASIC_AUTH (or the user:password in SCHEMA_REGISTRY_URL)',
    'permission': 'the rights of the SCHEMA_REGISTRY_BASIC_AUTH user',
    'untrusted-certificate': 'SCHEMA_REGISTRY_CA_FILE and the host name in SCHEMA_REGISTRY_URL',
    'client-certificate': 'SCHEMA_REGISTRY_URL (client certificates are not supported for the registry)',
    'protocol-mismatch': 'http:// or https:// in SCHEMA_REGISTRY_URL',
  },
  redis: {
    'credentials': 'the user and password in REDIS_URL (rediss://user:password@host:port)',
    'permission': 'the ACL of the REDIS_URL user',
    'untrusted-certificate': 'REDIS_CA_FILE and the host name in REDIS_URL',
    'client-certificate': 'REDIS_URL (client certificates are not supported for Redis)',
    'protocol-mismatch': 'redis:// or rediss:// in REDIS_URL',
  },
  postgres: {
    'credentials': 'the user and password in DATABASE_URL (and sslcert/sslkey if the server wants a client certificate)',
    'permission': 'the rights of the DATABASE_URL user',
    'untrusted-certificate': 'sslmode and sslrootcert in DATABASE_URL',
    'client-certificate': 'sslcert and sslkey in DATABASE_URL',
    'protocol-mismatch': 'sslmode in DATABASE_URL',
  },
  temporal: {
    'credentials': 'TEMPORAL_API_KEY, or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, and TEMPORAL_NAMESPACE',
    'permission': 'TEMPORAL_NAMESPACE and the rights of the API key or client certificate',
    'untrusted-certificate': 'TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_NAME',
    'client-certificate': 'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    'protocol-mismatch': 'TEMPORAL_TLS (and TEMPORAL_ADDRESS)',
  },
};

/** One line: the dependency, what it did, what it said, and the variables to check. */
export function describeAccessFailure(failure: AccessFailure): string {
  return `${NAMES[failure.dependency]} ${VERDICTS[failure.kind]} (${failure.detail}); check ${HINTS[failure.dependency][failure.kind]}`;
}

/**
 * A refusal. It is a DependencyUnavailableError, so that while running it pauses and
 * retries like an outage; at start it stops the process (startup-check.ts).
 */
export class AccessRefusedError extends DependencyUnavailableError {
  override name = 'AccessRefusedError';
  readonly kind: AccessKind;
  constructor(readonly failure: AccessFailure, options?: { cause?: unknown }) {
    super(failure.dependency, describeAccessFailure(failure), options);
    this.kind = failure.kind;
    this.message = describeAccessFailure(failure);
  }
}

/** AccessRefusedError when `error` is a refusal by `dependency`, else null. */
export function accessRefusal(error: unknown, dependency: AccessDependency): AccessRefusedError | null {
  if (error instanceof AccessRefusedError) return error;
  const failure = accessFailure(error, dependency);
  return failure ? new AccessRefusedError(failure, { cause: error }) : null;
}

/**
 * Dependencies refused x7 at start: one line each (usually one), and the command exits
 * 1 (cli/main.ts prints each line after the command's name).
 */
export class StartupRefusedError extends Error {
  override name = 'StartupRefusedError';
  readonly lines: string[];
  constructor(readonly refusals: AccessRefusedError[]) {
    super(refusals.map((r) => r.message).join('\n'));
    this.lines = refusals.map((r) => r.message);
  }
}
