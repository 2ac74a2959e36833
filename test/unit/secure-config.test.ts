// The secure-connection variables: how loadConfig reads and checks them (one problem per
// line, never a secret), and the options each client is then given (kafkajs, ioredis,
// the registry client, Temporal's connections).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryAgent, registryTarget } from '../../src/codec/registry-http.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { kafkaSecurityOptions } from '../../src/kafka/client.js';
import { projectPath } from '../../src/paths.js';
import { createRedis, redisTlsOptions } from '../../src/state/redis.js';
import { temporalConnectionOptions } from '../../src/workflows/connection.js';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const dir = mkdtempSync(join(tmpdir(), 'x7-secure-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const CA_FILE = file('ca.pem', CERT);
const CERT_FILE = file('client.pem', CERT);
const KEY_FILE = file('client.key', KEY);
const NOT_PEM = file('notes.txt', 'hello');
const ENCRYPTED_KEY = file('encrypted.key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n');
const MISSING = join(dir, 'missing.pem');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRETS = ['s3cr3t-kafka', 'r3g1stry-pw', 'tmprl-key-123', 'r3d1s-pw', 'pg-pw-456'];

/** The problems of loadConfig(env); [] when it accepts it. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const found = (error as ConfigError).problems;
    // Whatever is wrong, a secret is never part of the message.
    for (const secret of SECRETS) expect((error as Error).message).not.toContain(secret);
    return found;
  }
}

describe('with none of the new variables', () => {
  it('connects as before: no TLS, no SASL, no registry auth, no Temporal TLS', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      kafkaSecurity: { protocol: 'PLAINTEXT', sasl: null, tls: null },
      schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7', schemaRegistryAuth: null, schemaRegistryCa: null,
      redisUrl: 'redis://127.0.0.1:6379', redisCa: null, temporalTls: null, temporalApiKey: null,
    });
    expect(kafkaSecurityOptions(config.kafkaSecurity)).toEqual({});
    expect(redisTlsOptions(config)).toEqual({});
    expect(temporalConnectionOptions(config)).toEqual({ address: '127.0.0.1:7233' });
    expect(registryAgent(registryTarget(config))).toBeUndefined();
  });
});

describe('Kafka', () => {
  it('SASL_SSL with SCRAM and the system CA store: what kafkajs gets', () => {
    const config = loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' });
    expect(kafkaSecurityOptions(config.kafkaSecurity)).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'x7', password: 's3cr3t-kafka' } });
  });

  it('PLAIN over TLS with a CA file (Confluent Cloud, or a private CA)', () => {
    const config = loadConfig({
      KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'KEY', KAFKA_SASL_PASSWORD: 's3cr3t-kafka', KAFKA_SSL_CA_FILE: CA_FILE,
    });
    expect(kafkaSecurityOptions(config.kafkaSecurity)).toEqual({ ssl: { ca: CERT }, sasl: { mechanism: 'plain', username: 'KEY', password: 's3cr3t-kafka' } });
  });

  it('SSL with a client certificate (mTLS, Aiven), and SASL_PLAINTEXT with SCRAM-SHA-256', () => {
    const mtls = loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: CA_FILE, KAFKA_SSL_CERT_FILE: CERT_FILE, KAFKA_SSL_KEY_FILE: KEY_FILE });
    expect(kafkaSecurityOptions(mtls.kafkaSecurity)).toEqual({ ssl: { ca: CERT, cert: CERT, key: KEY } });
    const plain = loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' });
    expect(kafkaSecurityOptions(plain.kafkaSecurity)).toEqual({ sasl: { mechanism: 'scram-sha-256', username: 'x7', password: 's3cr3t-kafka' } });
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, 'KAFKA_SECURITY_PROTOCOL="TLS" is not valid: expected one of PLAINTEXT, SSL, SASL_SSL, SASL_PLAINTEXT'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' }, 'KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL: one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' }, 'KAFKA_SASL_MECHANISM="GSSAPI" is not valid: expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' }, 'KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'x7' }, 'KAFKA_SASL_PASSWORD is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL'],
    [{ KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 's3cr3t-kafka' }, 'KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD need KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT (it is PLAINTEXT)'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SASL_MECHANISM: 'PLAIN' }, 'KAFKA_SASL_MECHANISM needs KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT (it is SSL)'],
    [{ KAFKA_SSL_CA_FILE: CA_FILE }, 'KAFKA_SSL_CA_FILE needs KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL (it is PLAINTEXT)'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: CERT_FILE }, 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate and its key): set both or neither'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: MISSING }, `KAFKA_SSL_CA_FILE="${MISSING}" cannot be read (ENOENT)`],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: NOT_PEM }, `KAFKA_SSL_CA_FILE="${NOT_PEM}" holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: CERT_FILE, KAFKA_SSL_KEY_FILE: CERT_FILE }, `KAFKA_SSL_KEY_FILE="${CERT_FILE}" holds no PEM private key (-----BEGIN PRIVATE KEY-----)`],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: CERT_FILE, KAFKA_SSL_KEY_FILE: ENCRYPTED_KEY }, `KAFKA_SSL_KEY_FILE="${ENCRYPTED_KEY}" is an encrypted key: give the key without a passphrase (e.g. openssl pkey -in key.pem -out plain.pem)`],
  ])('%j is refused: %s', (env, problem) => {
    expect(problems(env)).toEqual([problem]);
  });
});

describe('the schema registry', () => {
  it('takes basic auth and a CA for https; the library client gets both', () => {
    const config = loadConfig({ SCHEMA_REGISTRY_URL: 'https://registry.example/api/', SCHEMA_REGISTRY_BASIC_AUTH: 'KEY:r3g1stry-pw:with-colon', SCHEMA_REGISTRY_CA_FILE: CA_FILE });
    expect(config).toMatchObject({
      schemaRegistryUrl: 'https://registry.example/api', schemaRegistryAuth: { username: 'KEY', password: 'r3g1stry-pw:with-colon' }, schemaRegistryCa: CERT,
    });
    const agent = registryAgent(registryTarget(config));
    expect(agent?.options.ca).toBe(CERT);
    expect(registryAgent(registryTarget(config))).toBe(agent); // one agent per CA
  });

  it('takes the credentials out of SCHEMA_REGISTRY_URL, so the URL it shows has none', () => {
    const config = loadConfig({ SCHEMA_REGISTRY_URL: 'https://KEY:r3g1stry%2Fpw@registry.example/api' });
    expect(config.schemaRegistryUrl).toBe('https://registry.example/api');
    expect(config.schemaRegistryAuth).toEqual({ username: 'KEY', password: 'r3g1stry/pw' });
  });

  it.each([
    [{ SCHEMA_REGISTRY_BASIC_AUTH: 'r3g1stry-pw' }, 'SCHEMA_REGISTRY_BASIC_AUTH is not valid: expected user:password (Confluent\'s basic.auth.user.info)'],
    [{ SCHEMA_REGISTRY_BASIC_AUTH: ':r3g1stry-pw' }, 'SCHEMA_REGISTRY_BASIC_AUTH is not valid: expected user:password (Confluent\'s basic.auth.user.info)'],
    [{ SCHEMA_REGISTRY_URL: 'https://a:r3g1stry-pw@registry.example', SCHEMA_REGISTRY_BASIC_AUTH: 'a:r3g1stry-pw' }, 'SCHEMA_REGISTRY_BASIC_AUTH and credentials in SCHEMA_REGISTRY_URL: give them once, in one of the two'],
    [{ SCHEMA_REGISTRY_CA_FILE: CA_FILE }, 'SCHEMA_REGISTRY_CA_FILE needs an https:// SCHEMA_REGISTRY_URL'],
    [{ SCHEMA_REGISTRY_URL: 'https://registry.example', SCHEMA_REGISTRY_CA_FILE: MISSING }, `SCHEMA_REGISTRY_CA_FILE="${MISSING}" cannot be read (ENOENT)`],
  ])('%j is refused: %s', (env, problem) => {
    expect(problems(env)).toEqual([problem]);
  });
});

describe('Redis', () => {
  it('rediss:// with an ACL user and a CA: ioredis reads user and password from the URL and gets the CA', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://x7:r3d1s-pw@redis.example:6380/2', REDIS_CA_FILE: CA_FILE });
    expect(redisTlsOptions(config)).toEqual({ tls: { ca: CERT } });
    const client = createRedis(config, { overrides: { lazyConnect: true } });
    try {
      expect(client.options).toMatchObject({ host: 'redis.example', port: 6380, db: 2, username: 'x7', password: 'r3d1s-pw', tls: { ca: CERT } });
    } finally {
      client.disconnect();
    }
    const systemCa = createRedis(loadConfig({ REDIS_URL: 'rediss://x7:r3d1s-pw@redis.example:6380' }), { overrides: { lazyConnect: true } });
    try {
      expect(systemCa.options.tls).toBe(true);
    } finally {
      systemCa.disconnect();
    }
  });

  it('refuses a CA without TLS', () => {
    expect(problems({ REDIS_CA_FILE: CA_FILE })).toEqual(['REDIS_CA_FILE needs a rediss:// REDIS_URL (TLS)']);
  });
});

describe('PostgreSQL', () => {
  it('checks DATABASE_URL\'s TLS parameters and files at start', () => {
    const url = 'postgresql://x7:pg-pw-456@db.example:5432/postgres';
    expect(problems({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${CA_FILE}` })).toEqual([]);
    expect(problems({ DATABASE_URL: `${url}?sslmode=required` })).toEqual(['DATABASE_URL has sslmode=required: expected one of disable, allow, prefer, require, verify-ca, verify-full']);
    expect(problems({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${MISSING}` })[0]).toMatch(/^cannot read sslrootcert .*missing\.pem named in DATABASE_URL: ENOENT/);
  });
});

describe('Temporal', () => {
  it('mTLS with a server CA and name: both SDK sides get the same tls', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: CA_FILE, TEMPORAL_TLS_CLIENT_CERT_PATH: CERT_FILE,
      TEMPORAL_TLS_CLIENT_KEY_PATH: KEY_FILE, TEMPORAL_TLS_SERVER_NAME: 'ns.acct.tmprl.cloud',
    });
    expect(temporalConnectionOptions(config)).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: { serverRootCACertificate: Buffer.from(CERT), clientCertPair: { crt: Buffer.from(CERT), key: Buffer.from(KEY) }, serverNameOverride: 'ns.acct.tmprl.cloud' },
    });
  });

  it('an API key implies TLS with the system roots; TEMPORAL_TLS=1 alone is TLS too', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'tmprl-key-123' })))
      .toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', tls: true, apiKey: 'tmprl-key-123' });
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true' }))).toEqual({ address: '127.0.0.1:7233', tls: true });
    expect(loadConfig({ TEMPORAL_TLS: '0' }).temporalTls).toBeNull();
  });

  it.each([
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS="maybe" is not valid: expected 1 or 0 (true/false)'],
    [{ TEMPORAL_TLS: '0', TEMPORAL_API_KEY: 'tmprl-key-123' }, 'TEMPORAL_API_KEY needs TLS, but TEMPORAL_TLS=0: remove TEMPORAL_TLS or set it to 1'],
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: KEY_FILE }, 'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together (a client certificate and its key): set both or neither'],
    [{ TEMPORAL_TLS_SERVER_CA_CERT_PATH: MISSING }, `TEMPORAL_TLS_SERVER_CA_CERT_PATH="${MISSING}" cannot be read (ENOENT)`],
  ])('%j is refused: %s', (env, problem) => {
    expect(problems(env)).toEqual([problem]);
  });
});

it('reports every problem at once, one line each, with no secret in any', () => {
  const found = problems({
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_PASSWORD: 's3cr3t-kafka',
    SCHEMA_REGISTRY_BASIC_AUTH: 'r3g1stry-pw', REDIS_URL: 'redis://:r3d1s-pw@redis', REDIS_CA_FILE: CA_FILE,
    TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'tmprl-key-123', DATABASE_URL: 'postgresql://x7:pg-pw-456@db/x7?sslmode=sometimes',
  });
  expect(found).toHaveLength(6);
  for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'SCHEMA_REGISTRY_BASIC_AUTH', 'REDIS_CA_FILE', 'TEMPORAL_API_KEY', 'DATABASE_URL']) {
    expect(found.some((p) => p.includes(name))).toBe(true);
  }
  for (const line of found) expect(line).not.toContain('\n');
});

describe('.env.example', () => {
  const text = readFileSync(projectPath('.env.example'), 'utf8');
  const set = Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

  it('lists every secure-connection variable, and loads as it is', () => {
    for (const name of [
      'KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE',
      'SCHEMA_REGISTRY_BASIC_AUTH', 'SCHEMA_REGISTRY_CA_FILE', 'REDIS_CA_FILE', 'TEMPORAL_TLS', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY',
    ]) expect(set, name).toHaveProperty(name);
    expect(loadConfig(set)).toEqual(loadConfig({}));
  });

  it('has presets whose variables loadConfig accepts (with real files in place of the paths)', () => {
    const presets = text.slice(text.indexOf('# --- presets for managed services'));
    const blocks = presets.split(/\n#\n/).slice(1).map((block) => Object.fromEntries(
      [...block.matchAll(/^# ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.replace(/\/etc\/x7\/[^\s&]+/g, (p) => (/key$/.test(p) ? KEY_FILE : /(cert|pem)$/.test(p) && /client|service\.cert/.test(p) ? CERT_FILE : CA_FILE)).replace(/<[^>]+>/g, 'secret')]),
    ));
    expect(blocks.length).toBe(7);
    for (const block of blocks) expect(() => loadConfig(block), JSON.stringify(block)).not.toThrow();
  });
});
