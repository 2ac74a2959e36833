// TLS and authentication to the schema registry and to Temporal, for real: the local
// stack's registry and Temporal behind small TLS proxies (test/support/tls-proxy.ts)
// with certificates made by openssl for this run.
//
// - Registry: HTTPS that wants basic auth. With SCHEMA_REGISTRY_URL (https),
//   SCHEMA_REGISTRY_BASIC_AUTH and SCHEMA_REGISTRY_CA_FILE, `x7 schemas`' client
//   registers and the codec (@kafkajs/confluent-schema-registry, with its agent) reads.
// - Temporal: mTLS (TEMPORAL_TLS_SERVER_CA_CERT_PATH, _CLIENT_CERT_PATH, _CLIENT_KEY_PATH),
//   and an API key (TEMPORAL_API_KEY) over TLS; the manager lists workflows and the
//   worker's NativeConnection answers.
// - Redis: a redis-server of this test's own, TLS only, with an ACL user (rediss://user:password@…
//   and REDIS_CA_FILE).
// - Kafka: TLS or SASL towards the local PLAINTEXT listener.
// - A wrong password or key, a missing client certificate and an untrusted CA stop
//   `x7 processor` at start with one line naming the dependency, exit 1, and never the secret.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkAccess } from '../../src/app/startup-check.js';
import { runCli } from '../../src/cli/main.js';
import { createCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { backgroundProbe, Readiness } from '../../src/observability/http.js';
import { pingRegistry, redisCheck } from '../../src/observability/probes.js';
import { AccessRefusedError, StartupRefusedError } from '../../src/pipeline/access-errors.js';
import { RegistryAdmin, registerSchemas, schemaSources } from '../../src/schemas/registry.js';
import { connectRedis, createRedis, lastRedisError } from '../../src/state/redis.js';
import { diagnoseConnectFailure, temporalConnectError, temporalConnectionOptions } from '../../src/workflows/connection.js';
import { WorkflowManager } from '../../src/workflows/manager.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { freePort } from '../support/ports.js';
import { h2BearerProxy, httpsBasicAuthProxy, makeCertificates, tlsPipe, type RunningProxy, type TestCertificates } from '../support/tls-proxy.js';

const REGISTRY_PORT = Number(new URL(isolatedConfig('x.').schemaRegistryUrl).port);
const TEMPORAL_PORT = Number(isolatedConfig('x.').temporalAddress.split(':').pop());
const silent = createLogger('secure-clients-test', 'silent');

let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs?.remove());

/** The start-up check's verdict on one dependency: null when it passed, else its line. */
async function startupLine(config: Config, dependency: 'registry' | 'temporal' | 'redis'): Promise<string | null> {
  try {
    await checkAccess(config, [dependency], { logger: silent });
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(StartupRefusedError);
    const lines = (error as StartupRefusedError).lines;
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }
}

/** The manager lists the (empty) task queue, the worker's NativeConnection answers, the start-up check passes. */
async function expectTemporalServes(config: Config): Promise<void> {
  const manager = await WorkflowManager.connect({ config });
  try {
    expect(await manager.listWorkflows()).toMatchObject({ workflows: [] });
  } finally {
    await manager.close();
  }
  const native = await NativeConnection.connect(temporalConnectionOptions(config));
  try {
    await native.workflowService.describeNamespace({ namespace: config.temporalNamespace });
  } finally {
    await native.close();
  }
  expect(await startupLine(config, 'temporal')).toBeNull();
}

/** `x7 <args>` run in this process with `env` added to the environment: exit code and stderr. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stderr };
  } finally {
    spy.mockRestore();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe('the schema registry over HTTPS with basic auth', () => {
  let proxy: RunningProxy;
  const password = randomBytes(12).toString('hex');
  let base: string;

  beforeAll(async () => {
    proxy = await httpsBasicAuthProxy({ certs, targetPort: REGISTRY_PORT, username: 'x7-registry', password });
    base = `https://127.0.0.1:${proxy.port}/apis/ccompat/v7`;
  });
  afterAll(() => proxy?.close());

  const env = (extra: Record<string, string>) => ({ SCHEMA_REGISTRY_URL: base, SCHEMA_REGISTRY_CA_FILE: certs.caFile, ...extra });

  it('registers the schemas and the codec reads them with the right settings', async () => {
    const prefix = uniquePrefix('secure-registry');
    const config = isolatedConfig(prefix, env({ SCHEMA_REGISTRY_BASIC_AUTH: `x7-registry:${password}` }));
    const results = await registerSchemas(new RegistryAdmin(config), schemaSources(config));
    expect(results.length).toBe(4);
    const inbound = results.find((r) => r.subject === `${prefix}chat.inbound-value`)!;
    expect(await createCodec(config).latestSchemaId('chat.inbound')).toBe(inbound.id);
    await pingRegistry(config);
    expect(await startupLine(config, 'registry')).toBeNull();

    // The same credentials in the URL's userinfo; the URL x7 keeps and shows has none.
    const inUrl = isolatedConfig(prefix, { SCHEMA_REGISTRY_URL: base.replace('https://', `https://x7-registry:${password}@`), SCHEMA_REGISTRY_CA_FILE: certs.caFile });
    expect(inUrl.schemaRegistryUrl).toBe(base);
    expect(await createCodec(inUrl).latestSchemaId('chat.inbound')).toBe(inbound.id);
  });

  it('stops x7 processor at start with one line when the password is wrong, and /readyz names the registry', async () => {
    const wrong = env({ SCHEMA_REGISTRY_BASIC_AUTH: 'x7-registry:not-the-password' });
    const result = await cli(['processor'], isolatedEnv(uniquePrefix('secure-registry-bad'), wrong));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^x7 processor: the schema registry refused our credentials \(.*401.*\); check SCHEMA_REGISTRY_BASIC_AUTH .*\n$/);
    expect(result.stderr).not.toContain('not-the-password');

    const probe = backgroundProbe(() => pingRegistry(isolatedConfig('x.', wrong)));
    await probe.start();
    probe.stop();
    expect(await new Readiness().add('registry', probe.check).problems()).toEqual(['registry: credentials refused (HTTP 401)']);
  });

  it('stops at start when the registry\'s certificate is not trusted', async () => {
    for (const ca of [{ SCHEMA_REGISTRY_CA_FILE: certs.rogueCaFile }, {}]) {
      const config = isolatedConfig('x.', { SCHEMA_REGISTRY_URL: base, SCHEMA_REGISTRY_BASIC_AUTH: `x7-registry:${password}`, ...ca });
      const line = await startupLine(config, 'registry');
      expect(line).toMatch(/^the schema registry presented a certificate that is not trusted \(.*\); check SCHEMA_REGISTRY_CA_FILE/);
    }
  });
});

describe('Temporal over mTLS', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await tlsPipe({ certs, targetPort: TEMPORAL_PORT, requireClientCert: true });
  });
  afterAll(() => proxy?.close());

  const env = (extra: Record<string, string> = {}) => ({
    TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertFile,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyFile,
    ...extra,
  });

  it('lists workflows through the manager, and the worker\'s connection answers, with the client certificate', async () => {
    const prefix = uniquePrefix('secure-temporal');
    const config = isolatedConfig(prefix, env({ X7_TASK_QUEUE: `${prefix}workflows` }));
    expect(config.temporalTls).not.toBeNull();
    await expectTemporalServes(config);
  });

  it('stops at start with one line without a client certificate, with one from another CA, and with an untrusted server', async () => {
    const noCert = isolatedConfig('x.', { TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile });
    const rogue = isolatedConfig('x.', env({ TEMPORAL_TLS_CLIENT_CERT_PATH: certs.rogueClientCertFile, TEMPORAL_TLS_CLIENT_KEY_PATH: certs.rogueClientKeyFile }));
    const untrusted = isolatedConfig('x.', env({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.rogueCaFile }));
    for (const config of [noCert, rogue]) {
      const line = await startupLine(config, 'temporal');
      expect(line).toMatch(/^Temporal refused our client certificate \(or wanted one\) \(.*\); check TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH$/);
    }
    const line = await startupLine(untrusted, 'temporal');
    expect(line).toMatch(/^Temporal presented a certificate that is not trusted \(.*\); check TEMPORAL_TLS_SERVER_CA_CERT_PATH/);

    // The worker's own connection (Temporal's Rust core) words it differently; the same verdicts.
    for (const [config, kind] of [[noCert, 'client-certificate'], [untrusted, 'untrusted-certificate']] as const) {
      const error = await NativeConnection.connect(temporalConnectionOptions(config)).then(
        async (c) => { await c.close(); return null; },
        (e: unknown) => diagnoseConnectFailure(e, config),
      );
      expect(error, String(error)).toBeInstanceOf(AccessRefusedError);
      expect((error as AccessRefusedError).kind).toBe(kind);
    }

    const result = await cli(['processor'], isolatedEnv(uniquePrefix('secure-temporal-bad'), { TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^x7 processor: Temporal refused our client certificate \(or wanted one\) .*\n$/);
  });
});

describe('Temporal with an API key', () => {
  let proxy: RunningProxy;
  const apiKey = `x7-test-${randomBytes(16).toString('hex')}`;
  beforeAll(async () => {
    proxy = await h2BearerProxy({ certs, targetPort: TEMPORAL_PORT, apiKey });
  });
  afterAll(() => proxy?.close());

  const env = (key: string) => ({ TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caFile, TEMPORAL_API_KEY: key });

  it('lists workflows with the right key (client and worker connections)', async () => {
    const prefix = uniquePrefix('secure-apikey');
    const config = isolatedConfig(prefix, { ...env(apiKey), X7_TASK_QUEUE: `${prefix}workflows` });
    await expectTemporalServes(config);
  });

  it('stops at start with one line, without the key, when the key is wrong', async () => {
    const wrongKey = `x7-wrong-${randomBytes(16).toString('hex')}`;
    const result = await cli(['processor'], isolatedEnv(uniquePrefix('secure-apikey-bad'), env(wrongKey)));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^x7 processor: Temporal refused our credentials \(.*UNAUTHENTICATED.*\); check TEMPORAL_API_KEY.*\n$/);
    expect(result.stderr).not.toContain(wrongKey);

    const config = isolatedConfig('x.', env(wrongKey));
    const error = await NativeConnection.connect(temporalConnectionOptions(config)).then(
      async (c) => {
        try {
          await c.workflowService.describeNamespace({ namespace: config.temporalNamespace });
          return null;
        } catch (e) {
          return temporalConnectError(e, config.temporalAddress);
        } finally {
          await c.close();
        }
      },
      (e: unknown) => diagnoseConnectFailure(e, config),
    );
    expect((error as AccessRefusedError).kind).toBe('credentials');
    expect(error!.message).not.toContain(wrongKey);
  });
});

describe('Kafka with a security protocol its listener does not speak', () => {
  // The local broker's listener is PLAINTEXT: TLS or SASL towards it is what a user sees
  // with KAFKA_SECURITY_PROTOCOL set for another cluster (or the wrong port).
  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL' }, /disconnected before secure TLS connection was established/],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'x7', KAFKA_SASL_PASSWORD: 'kafka-secret-1' }, /Request is not valid given the current SASL state/],
  ])('%j stops x7 processor at start with one line naming Kafka', async (env, detail) => {
    const started = Date.now();
    const result = await cli(['processor'], isolatedEnv(uniquePrefix('secure-kafka-bad'), env));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^x7 processor: Kafka does not speak the security protocol configured here \(TLS or SASL on one side only\) \(.*\); check KAFKA_SECURITY_PROTOCOL and the ports in KAFKA_BROKERS\n$/);
    expect(result.stderr).toMatch(detail);
    expect(result.stderr).not.toContain('kafka-secret-1');
    expect(Date.now() - started).toBeLessThan(5_000); // one attempt, no retry loop
  });
});

describe('Redis over TLS with an ACL user', () => {
  let server: ChildProcess;
  let port: number;
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    port = await freePort();
    server = spawn('redis-server', [
      '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--tls-cert-file', certs.serverCertFile, '--tls-key-file', certs.serverKeyFile, '--tls-ca-cert-file', certs.caFile, '--tls-auth-clients', 'no',
      '--user', 'default', 'off', '--user', 'x7', 'on', `>${password}`, '~*', '&*', '+@all',
    ], { stdio: 'ignore' });
    const config = isolatedConfig('x.', { REDIS_URL: `rediss://x7:${password}@127.0.0.1:${port}`, REDIS_CA_FILE: certs.caFile });
    for (const deadline = Date.now() + 10_000; ;) {
      try {
        (await connectRedis(config, { logger: silent, overrides: { retryStrategy: () => null } })).disconnect();
        return;
      } catch (error) {
        if (Date.now() > deadline || server.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  afterAll(() => {
    server?.kill('SIGKILL');
  });

  const url = (pw: string) => `rediss://x7:${pw}@127.0.0.1:${port}`;

  it('works with the user and password in REDIS_URL and the CA of REDIS_CA_FILE', async () => {
    const config = isolatedConfig('x.', { REDIS_URL: url(password), REDIS_CA_FILE: certs.caFile });
    const redis = await connectRedis(config, { logger: silent });
    try {
      await redis.set('x7:secure-test', 'ok', 'EX', 60);
      expect(await redis.get('x7:secure-test')).toBe('ok');
      expect(await redis.acl('WHOAMI')).toBe('x7');
    } finally {
      redis.disconnect();
    }
    expect(await startupLine(config, 'redis')).toBeNull();
  });

  it('stops x7 bridge at start with one line on a wrong password, and /readyz says why while running', async () => {
    const wrong = 'not-the-redis-password';
    // Should the check let it through, the bridge stops at once on its metrics port, taken here.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const metricsPort = String((taken.address() as AddressInfo).port);
    const result = await cli(['bridge'], isolatedEnv(uniquePrefix('secure-redis-bad'), {
      REDIS_URL: url(wrong), REDIS_CA_FILE: certs.caFile, X7_JWT_SECRET: 'x'.repeat(32), X7_BRIDGE_METRICS_PORT: metricsPort,
    })).finally(() => taken.close());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^x7 bridge: Redis refused our credentials \(.*WRONGPASS.*\); check the user and password in REDIS_URL .*\n$/);
    expect(result.stderr).not.toContain(wrong);

    // The client's log of the refusal: ioredis puts the AUTH command's arguments on its error.
    let logged = '';
    const logger = pino({ level: 'info' }, { write: (line: string) => void (logged += line) });
    const redis = createRedis(isolatedConfig('x.', { REDIS_URL: url(wrong), REDIS_CA_FILE: certs.caFile }), { logger });
    try {
      const check = redisCheck(redis, () => lastRedisError(redis));
      for (const deadline = Date.now() + 5_000; !String(check()).includes('WRONGPASS') && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      expect(check()).toMatch(/^not connected \(\w+\): Redis refused our credentials \(.*WRONGPASS.*\); check the user and password in REDIS_URL/);
    } finally {
      redis.disconnect();
    }
    expect(logged).toContain('WRONGPASS');
    expect(logged).not.toContain(wrong);
  });

  it('stops at start when the server\'s certificate is not trusted', async () => {
    for (const ca of [{ REDIS_CA_FILE: certs.rogueCaFile }, {}]) {
      const line = await startupLine(isolatedConfig('x.', { REDIS_URL: url(password), ...ca }), 'redis');
      expect(line).toMatch(/^Redis presented a certificate that is not trusted \(.*\); check REDIS_CA_FILE and the host name in REDIS_URL$/);
    }
  });
});

describe('without any of the new variables', () => {
  it('the start-up check passes against the local stack, every dependency, and logs nothing', async () => {
    const warn = vi.fn();
    const started = Date.now();
    await checkAccess(isolatedConfig('x.'), ['kafka', 'registry', 'redis', 'postgres', 'temporal'], { logger: { ...silent, warn } as never });
    expect(warn).not.toHaveBeenCalled();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
