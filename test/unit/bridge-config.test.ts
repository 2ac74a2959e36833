import { describe, expect, it } from 'vitest';
import { bridgeGroupId, defaultInstanceId } from '../../src/bridge/outbound-consumer.js';
import { bridgeConfigProblems } from '../../src/bridge/server.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'x'.repeat(32);

describe('bridge configuration', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      jwtSecret: null, jwksUrl: null, bridgeHost: '127.0.0.1', bridgePort: 8080, bridgeInstanceId: '', allowedOrigins: [],
      devTokens: false, historySize: 200, maxFrameBytes: 65_536, heartbeatMs: 30_000,
    });
    // Without a way to verify tokens the bridge does not start.
    expect(bridgeConfigProblems(config)).toHaveLength(1);
    expect(bridgeConfigProblems(loadConfig({ X7_JWT_SECRET: SECRET }))).toEqual([]);
    expect(bridgeConfigProblems(loadConfig({ X7_JWKS_URL: 'https://id.example/.well-known/jwks.json' }))).toEqual([]);
  });

  it('reads the bridge variables', () => {
    const config = loadConfig({
      X7_JWT_SECRET: SECRET, X7_BRIDGE_PORT: '9000', X7_BRIDGE_HOST: '0.0.0.0', X7_ALLOWED_ORIGINS: 'https://a.example, http://localhost:3000',
      X7_DEV_TOKENS: 'false', X7_HISTORY_SIZE: '50', X7_RATE_LIMIT_PER_SEC: '3', X7_RATE_LIMIT_BURST: '9', X7_BRIDGE_INSTANCE_ID: 'bridge-a',
    });
    expect(config).toMatchObject({
      jwtSecret: SECRET, bridgePort: 9000, bridgeHost: '0.0.0.0', allowedOrigins: ['https://a.example', 'http://localhost:3000'],
      devTokens: false, historySize: 50, rateLimitPerSec: 3, rateLimitBurst: 9, bridgeInstanceId: 'bridge-a',
    });
  });

  it('names every bad value, without printing the secret', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ X7_JWT_SECRET: 'short-secret', X7_JWKS_URL: 'not a url', X7_ALLOWED_ORIGINS: 'https://a.example/path', X7_DEV_TOKENS: 'maybe', X7_BRIDGE_PORT: '70000' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    for (const name of ['X7_JWT_SECRET', 'X7_JWKS_URL', 'X7_ALLOWED_ORIGINS', 'X7_DEV_TOKENS', 'X7_BRIDGE_PORT']) expect(text).toContain(name);
    expect(text).not.toContain('short-secret');
  });

  it('reads the connection, buffer and metrics-port limits, and refuses a total below one socket\'s bound', () => {
    expect(loadConfig({})).toMatchObject({
      maxConnections: 20_000, maxConnectionsPerUser: 20, maxConnectionsPerAddress: 1_000, trustedProxies: [],
      maxBufferedBytes: 4 * 1_048_576, maxBufferedBytesTotal: 256 * 1_048_576, bridgeMetricsPort: 9466,
    });
    expect(loadConfig({
      X7_MAX_CONNECTIONS: '500', X7_MAX_CONNECTIONS_PER_USER: '3', X7_MAX_CONNECTIONS_PER_IP: '50', X7_MAX_BUFFERED_BYTES_TOTAL: '8388608', X7_BRIDGE_METRICS_PORT: '0',
    })).toMatchObject({ maxConnections: 500, maxConnectionsPerUser: 3, maxConnectionsPerAddress: 50, maxBufferedBytesTotal: 8_388_608, bridgeMetricsPort: 0 });
    expect(() => loadConfig({ X7_MAX_BUFFERED_BYTES: '65536', X7_MAX_BUFFERED_BYTES_TOTAL: '4096' }))
      .toThrow(/X7_MAX_BUFFERED_BYTES_TOTAL \(4096\) must not be below X7_MAX_BUFFERED_BYTES \(65536\)/);
    expect(() => loadConfig({ X7_MAX_CONNECTIONS_PER_USER: '0' })).toThrow(/X7_MAX_CONNECTIONS_PER_USER/);
  });

  it('caps X7_MAX_TEXT_BYTES at 16 KiB', () => {
    expect(loadConfig({ X7_MAX_TEXT_BYTES: '16384' }).maxTextBytes).toBe(16_384);
    expect(() => loadConfig({ X7_MAX_TEXT_BYTES: '16385' })).toThrow(/X7_MAX_TEXT_BYTES="16385" is not valid: expected a whole number from 1 to 16384/);
  });

  it('never prints a password from a connection string it cannot parse', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ DATABASE_URL: 'postgresql://x7:hunter2@db host:5432/x7', REDIS_URL: 'redis://:s3cret@[broken' });
    } catch (e) {
      error = e as ConfigError;
    }
    const text = error!.problems.join('\n');
    expect(text).toContain('DATABASE_URL="postgresql://x7:***@db host:5432/x7" is not a URL');
    expect(text).toContain('REDIS_URL');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
  });

  it.each([
    [{ X7_JWKS_URL: 'https://id.example/.well-known/jwks.json' }, /X7_DEV_TOKENS=1 cannot be used with X7_JWKS_URL/],
    [{ X7_BRIDGE_HOST: '0.0.0.0' }, /X7_DEV_TOKENS=1 needs the bridge on loopback .*not 0\.0\.0\.0/],
    [{ X7_BRIDGE_HOST: '10.1.2.3' }, /X7_DEV_TOKENS=1 needs the bridge on loopback/],
  ])('refuses dev tokens beside real identities or off loopback (%j)', (extra, reason) => {
    expect(() => loadConfig({ X7_DEV_TOKENS: '1', X7_JWT_SECRET: 'a-secret-of-at-least-32-characters-long!!', ...extra })).toThrow(reason);
  });

  it('allows dev tokens on loopback without a JWKS', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      expect(loadConfig({ X7_DEV_TOKENS: host === 'localhost' ? 'true' : '1', X7_JWT_SECRET: 'a-secret-of-at-least-32-characters-long!!', X7_BRIDGE_HOST: host }).devTokens).toBe(true);
    }
  });

  it('refuses dev tokens without the secret that signs them', () => {
    expect(() => loadConfig({ X7_DEV_TOKENS: '1', X7_JWKS_URL: 'https://id.example/jwks' })).toThrow(/X7_DEV_TOKENS=1 needs X7_JWT_SECRET/);
  });

  it('names each instance\'s consumer group stably, and never shares one by accident', () => {
    expect(defaultInstanceId('', 'pod-a', 8080)).toBe('pod-a-8080');
    expect(defaultInstanceId('edge-1', 'pod-a', 8080)).toBe('edge-1');
    // An ephemeral port says nothing stable: two such processes on one host must differ.
    expect(defaultInstanceId('', 'pod-a', 0)).not.toBe(defaultInstanceId('', 'pod-a', 0));
    expect(bridgeGroupId('t-1.', 'edge-1')).toBe('t-1.x7-bridge-edge-1');
  });
});
