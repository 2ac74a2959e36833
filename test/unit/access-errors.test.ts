// A dependency that refuses us (credentials, certificates, TLS) told apart from one that
// is down: the pure classification (pipeline/access-errors.ts), the one line an operator
// reads at start (app/startup-check.ts), the readiness lines, and the pipeline's rule
// that a refusal is retried, never the event's fault. The error shapes are those the
// libraries throw (the TLS and Temporal ones measured in test/integration/secure-clients.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { checkAccess } from '../../src/app/startup-check.js';
import { RegistryRequestError } from '../../src/codec/errors.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { redisCheck } from '../../src/observability/probes.js';
import { describeFailure } from '../../src/observability/redact.js';
import { accessFailure, accessRefusal, AccessRefusedError, StartupRefusedError, type AccessDependency } from '../../src/pipeline/access-errors.js';
import { classifyFailure, DependencyUnavailableError } from '../../src/pipeline/errors.js';
import { toRedisError } from '../../src/state/redis.js';
import { temporalError } from '../../src/workflows/temporal.js';

const coded = (message: string, code: unknown, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { code, ...extra });
const named = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

/** kafkajs wraps: KafkaJSNumberOfRetriesExceeded (cause) around KafkaJSConnectionError (code). */
function kafkaRetriesAround(inner: Error): Error {
  return named('KafkaJSNumberOfRetriesExceeded', inner.message, { cause: inner, originalError: inner, retriable: false });
}

describe('accessFailure', () => {
  it.each<[AccessDependency, Error, string]>([
    ['kafka', named('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'), 'credentials'],
    ['kafka', named('KafkaJSProtocolError', 'Not authorized to access topics: [Topic authorization failed]', { type: 'TOPIC_AUTHORIZATION_FAILED' }), 'permission'],
    ['kafka', kafkaRetriesAround(named('KafkaJSConnectionError', 'Connection error: self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' })), 'untrusted-certificate'],
    ['kafka', named('KafkaJSConnectionError', 'Connection error: Hostname/IP does not match certificate\'s altnames', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'untrusted-certificate'],
    ['kafka', named('KafkaJSConnectionError', 'Connection error: certificate has expired', { code: 'CERT_HAS_EXPIRED' }), 'untrusted-certificate'],
    ['redis', new DependencyUnavailableError('redis', 'connect to rediss://redis:6380: WRONGPASS invalid username-password pair or user is disabled.', { cause: named('ReplyError', 'WRONGPASS invalid username-password pair or user is disabled.') }), 'credentials'],
    ['redis', named('ReplyError', 'NOAUTH Authentication required.'), 'credentials'],
    ['redis', named('ReplyError', 'NOPERM User x7 has no permissions to run the \'xadd\' command'), 'permission'],
    ['redis', coded('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'untrusted-certificate'],
    ['postgres', coded('password authentication failed for user "x7"', '28P01'), 'credentials'],
    ['postgres', coded('no pg_hba.conf entry for host "10.0.0.1", user "x7", database "x7", no encryption', '28000'), 'credentials'],
    ['postgres', new Error('The server does not support SSL connections'), 'protocol-mismatch'],
    ['postgres', coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), 'untrusted-certificate'],
    ['registry', Object.assign(new Error('credentials refused (HTTP 401)'), { status: 401 }), 'credentials'],
    ['registry', new RegistryRequestError('schema registry refused registering a schema under s (HTTP 403): Forbidden', 403), 'permission'],
    ['registry', coded('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'untrusted-certificate'],
    ['registry', coded('1C0AE2C5:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:', 'ERR_SSL_WRONG_VERSION_NUMBER'), 'protocol-mismatch'],
    ['temporal', coded('16 UNAUTHENTICATED: Request unauthorized.', 16, { details: 'Request unauthorized.' }), 'credentials'],
    ['temporal', coded('7 PERMISSION_DENIED: Request unauthorized.', 7), 'permission'],
    ['temporal', named('TransportError', 'Failed to call GetSystemInfo: code: \'The request does not have valid authentication credentials\', message: "Request unauthorized."'), 'credentials'],
    ['temporal', named('TransportError', 'Failed to call GetSystemInfo: code: \'Unknown error\', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: CertificateRequired" }))'), 'client-certificate'],
    ['temporal', named('TransportError', 'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))'), 'untrusted-certificate'],
    ['temporal', named('TransportError', 'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidMessage(InvalidContentType) }))'), 'protocol-mismatch'],
    ['temporal', coded('80DC821FDC7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'client-certificate'],
    ['temporal', new Error('the server closed the connection right after the TLS handshake'), 'client-certificate'],
  ])('%s: %s → %s', (dependency, error, kind) => {
    expect(accessFailure(error, dependency)?.kind).toBe(kind);
  });

  it.each<[AccessDependency, Error]>([
    ['kafka', named('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { code: 'ECONNREFUSED' })],
    ['kafka', named('KafkaJSNumberOfRetriesExceeded', 'Connection timeout')],
    ['redis', named('ReplyError', 'LOADING Redis is loading the dataset in memory')],
    ['postgres', coded('the database system is starting up', '57P03')],
    ['postgres', coded('database "x7" does not exist', '3D000')],
    ['registry', Object.assign(new Error('HTTP 503'), { status: 503 })],
    ['temporal', new Error('Failed to connect before the deadline')],
    ['temporal', coded('14 UNAVAILABLE: No connection established', 14)],
    // A status or SQLSTATE means something only from its own dependency.
    ['temporal', coded('password authentication failed', '28P01')],
    ['postgres', coded('16 UNAUTHENTICATED', 16)],
  ])('%s: %s is not a refusal (down, starting, or someone else\'s)', (dependency, error) => {
    expect(accessFailure(error, dependency)).toBeNull();
  });

  it('says which dependency, what it did, what it said (short) and which variables to check, without secrets', () => {
    const line = (dependency: AccessDependency, error: Error) => accessRefusal(error, dependency)!.message;
    expect(line('kafka', named('KafkaJSSASLAuthenticationError', 'SASL PLAIN authentication failed: Authentication failed')))
      .toBe('Kafka refused our credentials (SASL PLAIN authentication failed: Authentication failed); check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM');
    expect(line('temporal', coded('80DC821FDC7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/x.c:1601:SSL alert number 116', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')))
      .toBe('Temporal refused our client certificate (or wanted one) (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: tlsv13 alert certificate required); check TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(line('temporal', named('TransportError', 'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))')))
      .toBe('Temporal presented a certificate that is not trusted (InvalidCertificate(UnknownIssuer)); check TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_NAME');
    expect(line('registry', Object.assign(new Error('credentials refused (HTTP 401)'), { status: 401 })))
      .toBe('the schema registry refused our credentials (HTTP 401); check SCHEMA_REGISTRY_BASIC_AUTH (or the user:password in SCHEMA_REGISTRY_URL)');
    const redis = line('redis', new DependencyUnavailableError('redis', 'connect to rediss://x7:hunter2@redis:6380: WRONGPASS invalid username-password pair'));
    expect(redis).toMatch(/^Redis refused our credentials \(.*WRONGPASS.*\); check the user and password in REDIS_URL/);
    expect(redis).not.toContain('hunter2');
    expect(line('temporal', coded('16 UNAUTHENTICATED: bad header authorization: Bearer tmprl-key-123', 16))).not.toContain('tmprl-key-123');
  });
});

describe('while running, a refusal is retried like an outage', () => {
  it('classifyFailure: TLS failures and refusals wrapped as AccessRefusedError pause the partition, never dead-letter the event', () => {
    expect(classifyFailure(coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'))).toEqual({ retriable: true, dependency: 'network' });
    expect(classifyFailure(coded('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))).toEqual({ retriable: true, dependency: 'network' });
    const refused = accessRefusal(coded('16 UNAUTHENTICATED: expired key', 16), 'temporal')!;
    expect(refused).toBeInstanceOf(DependencyUnavailableError);
    expect(classifyFailure(refused)).toEqual({ retriable: true, dependency: 'temporal' });
    expect(temporalError(coded('16 UNAUTHENTICATED: expired key', 16), 'temporal:7233')).toBeInstanceOf(AccessRefusedError);
    expect(toRedisError(named('ReplyError', 'WRONGPASS invalid username-password pair'), 'get')).toBeInstanceOf(DependencyUnavailableError);
  });

  it('readiness lines name the failure', () => {
    expect(describeFailure(coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'))).toBe('server certificate not trusted (SELF_SIGNED_CERT_IN_CHAIN)');
    expect(describeFailure(coded('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))).toBe('client certificate refused (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)');
    expect(describeFailure(coded('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'))).toBe('TLS on one side only (ERR_SSL_WRONG_VERSION_NUMBER)');
    const check = redisCheck({ status: 'reconnecting' }, () => named('ReplyError', 'WRONGPASS invalid username-password pair or user is disabled.'));
    expect(check()).toBe('not connected (reconnecting): Redis refused our credentials (WRONGPASS invalid username-password pair or user is disabled.); check the user and password in REDIS_URL (rediss://user:password@host:port)');
    expect(redisCheck({ status: 'reconnecting' }, () => coded('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'))()).toBe('not connected (reconnecting)');
    expect(redisCheck({ status: 'ready' })()).toBeNull();
  });
});

describe('checkAccess (the start-up check)', () => {
  const config = loadConfig({});
  const logger = createLogger('test', 'silent');

  it('throws one line per refusing dependency, and only those', async () => {
    const error = await checkAccess(config, ['kafka', 'registry', 'postgres'], {
      logger,
      probes: {
        kafka: async () => { throw named('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed'); },
        registry: async () => undefined,
        postgres: async () => { throw coded('connect ECONNREFUSED 127.0.0.1:54322', 'ECONNREFUSED'); },
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupRefusedError);
    expect((error as StartupRefusedError).lines).toEqual([
      'Kafka refused our credentials (SASL SCRAM SHA512 authentication failed); check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
    ]);
  });

  it('starts anyway when a dependency is down or silent (it is retried as before), and says so in the log', async () => {
    const warn = vi.fn();
    await checkAccess(config, ['registry', 'temporal'], {
      logger: { ...logger, warn } as never,
      timeoutMs: 50,
      probes: {
        registry: async () => { throw coded('connect ECONNREFUSED 127.0.0.1:8081', 'ECONNREFUSED'); },
        temporal: () => new Promise<void>(() => undefined),
      },
    });
    expect(warn.mock.calls.map(([fields]) => fields)).toEqual([
      { dependency: 'registry', problem: 'connection refused (ECONNREFUSED)' },
      { dependency: 'temporal', problem: 'timed out (ETIMEDOUT)' },
    ]);
  });
});
