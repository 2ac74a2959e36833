// `x7 bridge`'s limits as clients and operators meet them: connection limits per
// user, address and instance (X-Forwarded-For believed only from trusted proxies),
// one frame budget per user, the instance's buffered-bytes budget, readiness
// detail only on the metrics port, and no answer to a name it does not serve (DNS
// rebinding). Spawned bridges, real clients, one seeded database for the file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleValue } from '../../src/observability/metrics.js';
import {
  bridgeNamespace,
  newConversationId,
  outboundEvent,
  produceOutbound,
  requestWithHost,
  startBridge,
  TestSocket,
  tokenFor,
  type BridgeNamespace,
  type BridgeProcess,
} from '../support/bridge.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sleep, waitUntil } from '../support/pipeline.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let db: TestDatabase;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ seed: true, label: 'bridge_limits' });
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await db?.drop();
});

async function bridge(ns: BridgeNamespace, env: Record<string, string>, databaseUrl = db.url): Promise<BridgeProcess> {
  const started = await startBridge({ prefix: ns.prefix, databaseUrl, env });
  cleanup.push(() => started.kill());
  return started;
}

async function open(b: BridgeProcess, userId: string, options: { forwardedFor?: string } = {}): Promise<TestSocket> {
  const headers = options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : undefined;
  const s = await TestSocket.open(b.ws, await tokenFor(userId), { headers });
  cleanup.push(() => s.close());
  return s;
}

/** Opens until the bridge accepts (a closed socket's slot is freed when the bridge sees the close). */
async function openOnceFreed(b: BridgeProcess, userId: string): Promise<TestSocket> {
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    try {
      return await open(b, userId);
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw last;
}

async function metric(b: BridgeProcess, name: string): Promise<number> {
  return sampleValue(await (await fetch(`${b.metricsHttp}/metrics`)).text(), name) ?? 0;
}

describe('x7 bridge limits', () => {
  it('refuses connections past the per-user and per-address limits with 429, whatever X-Forwarded-For says', async () => {
    const ns = await bridgeNamespace('bridge-conn-limits');
    const b = await bridge(ns, { X7_MAX_CONNECTIONS_PER_USER: '2', X7_MAX_CONNECTIONS_PER_IP: '3' });
    const first = await open(b, 'u-diego');
    await open(b, 'u-diego');
    await expect(open(b, 'u-diego')).rejects.toMatchObject({ status: 429, body: { error: 'USER_CONNECTION_LIMIT' } });
    // Another user from the same address takes the address's third and last slot.
    await open(b, 'u-eva');
    await expect(open(b, 'u-eva')).rejects.toMatchObject({ status: 429, body: { error: 'ADDRESS_CONNECTION_LIMIT' } });
    // Without trusted proxies the header is the client's word: not believed.
    await expect(open(b, 'u-filipa', { forwardedFor: '198.51.100.7' })).rejects.toMatchObject({ status: 429, body: { error: 'ADDRESS_CONNECTION_LIMIT' } });
    // Closing a connection frees its slot.
    first.close();
    const again = await openOnceFreed(b, 'u-diego');
    again.send({ type: 'ping' });
    expect(await again.nextOfType('pong')).toEqual({ type: 'pong' });
    const metrics = await (await fetch(`${b.metricsHttp}/metrics`)).text();
    expect(sampleValue(metrics, 'x7_bridge_connections_rejected_total', { reason: 'limit_user' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(metrics, 'x7_bridge_connections_rejected_total', { reason: 'limit_address' })).toBeGreaterThanOrEqual(2);
  });

  it('counts clients behind a trusted proxy by X-Forwarded-For, and refuses past the instance limit with 503', async () => {
    const ns = await bridgeNamespace('bridge-conn-proxy');
    const b = await bridge(ns, { X7_TRUSTED_PROXIES: '127.0.0.1', X7_MAX_CONNECTIONS_PER_IP: '1', X7_MAX_CONNECTIONS: '3' });
    await open(b, 'u-diego', { forwardedFor: '198.51.100.1' });
    await expect(open(b, 'u-eva', { forwardedFor: '198.51.100.1' })).rejects.toMatchObject({ status: 429, body: { error: 'ADDRESS_CONNECTION_LIMIT' } });
    await open(b, 'u-eva', { forwardedFor: '198.51.100.2' });
    // What the client wrote left of the proxy's entry does not make it someone else.
    await expect(open(b, 'u-filipa', { forwardedFor: '203.0.113.50, 198.51.100.2' })).rejects.toMatchObject({ status: 429 });
    await open(b, 'u-filipa', { forwardedFor: '198.51.100.3' });
    const full = open(b, 'u-gustavo', { forwardedFor: '198.51.100.4' });
    await expect(full).rejects.toMatchObject({ status: 503, body: { error: 'INSTANCE_CONNECTION_LIMIT' }, headers: { 'retry-after': expect.any(String) } });
  });

  it('shares one frame budget between a user\'s connections', async () => {
    const ns = await bridgeNamespace('bridge-user-rate');
    const b = await bridge(ns, { X7_RATE_LIMIT_BURST: '5', X7_RATE_LIMIT_PER_SEC: '1' });
    const one = await open(b, 'u-diego');
    const two = await open(b, 'u-diego');
    const other = await open(b, 'u-eva');
    for (let i = 0; i < 5; i++) one.send({ type: 'ping' });
    await waitUntil(() => one.frames.filter((f) => f.type === 'pong').length === 5, 10_000, 'five pongs');
    // A second socket does not bring a second budget.
    two.send({ type: 'ping' });
    expect(await two.next((f) => f.type === 'error' || f.type === 'pong')).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // Another user's budget is their own.
    other.send({ type: 'ping' });
    expect(await other.nextOfType('pong')).toEqual({ type: 'pong' });
  });

  it('drops the largest backlogs when the instance\'s buffered bytes pass their total, and keeps serving readers', async () => {
    const ns = await bridgeNamespace('bridge-buffer-total');
    const mib = 1_048_576;
    // Each socket may hold 2 MiB, and all of them together 2 MiB: three sockets that
    // stop reading pass the total while each is still within its own bound.
    const b = await bridge(ns, { X7_MAX_BUFFERED_BYTES: String(2 * mib), X7_MAX_BUFFERED_BYTES_TOTAL: String(2 * mib), X7_HISTORY_SIZE: '5' });
    const conversationId = newConversationId();
    const reader = await open(b, 'u-diego');
    await reader.subscribe(conversationId);
    const stalled: TestSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await open(b, 'u-diego');
      await s.subscribe(conversationId);
      (s.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      stalled.push(s);
    }
    const big = 'z'.repeat(256 * 1024);
    const events = Array.from({ length: 60 }, (_, i) => outboundEvent(conversationId, 'u-diego', i, { type: 'Reply', text: big, agent: 'test', cards: [], suggestions: [] }));
    await produceOutbound(ns.config, ns.codec, events);
    await reader.waitForEvents(conversationId, 60, 60_000);
    await waitUntil(async () => (await metric(b, 'x7_bridge_slow_consumers_dropped_total')) === 3, 30_000, 'three slow consumers dropped');
    expect(await metric(b, 'x7_bridge_buffer_budget_drops_total')).toBeGreaterThanOrEqual(1);
    for (const s of stalled) {
      (s.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      expect([4008, 1006]).toContain((await s.closed()).code);
    }
    expect(reader.closeInfo).toBeNull();
    reader.send({ type: 'ping' });
    await reader.nextOfType('pong');
  }, 120_000);

  it('says which dependency fails only on the metrics port, and never where it lives', async () => {
    const ns = await bridgeNamespace('bridge-readyz');
    const target = new URL(db.url);
    const postgres = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    cleanup.push(() => postgres.stop());
    const b = await bridge(ns, {}, postgres.rewrite(db.url));
    expect(await (await fetch(`${b.http}/readyz`)).json()).toEqual({ ready: true });
    expect(await (await fetch(`${b.metricsHttp}/readyz`)).json()).toEqual({ ready: true, problems: [] });

    await postgres.cut();
    await waitUntil(async () => (await fetch(`${b.http}/readyz`)).status === 503, 20_000, 'public /readyz 503');
    const publicBody = await (await fetch(`${b.http}/readyz`)).text();
    expect(JSON.parse(publicBody)).toEqual({ ready: false });
    const detail = await fetch(`${b.metricsHttp}/readyz`);
    expect(detail.status).toBe(503);
    const text = await detail.text();
    const body = JSON.parse(text) as { problems: string[] };
    expect(body.problems.some((p) => p.startsWith('postgres: '))).toBe(true);
    for (const secret of [String(postgres.port), '127.0.0.1', 'postgres://', 'postgresql://', db.name]) expect(text).not.toContain(secret);
    // Metrics are on the metrics port only.
    expect((await fetch(`${b.http}/metrics`)).status).toBe(404);
    expect((await fetch(`${b.metricsHttp}/metrics`)).status).toBe(200);
    expect((await fetch(`${b.http}/healthz`)).status).toBe(200);

    await postgres.restore();
    await waitUntil(async () => (await fetch(`${b.http}/readyz`)).status === 200, 30_000, 'ready again');
  }, 90_000);

  it('answers only to names it serves: a page on a rebound name gets neither a socket nor a dev token', async () => {
    const ns = await bridgeNamespace('bridge-rebinding');
    const b = await bridge(ns, { X7_DEV_TOKENS: '1', X7_ALLOWED_ORIGINS: 'https://chat.example.test' });
    const evil = `evil.example:${b.port}`;
    const token = await requestWithHost(`${b.http}/dev/token`, evil, { method: 'POST', body: '{"userId":"u-diego"}' });
    expect(token.status).toBe(421);
    expect(token.body).not.toContain('token"');
    expect((await requestWithHost(`${b.http}/dev/users`, evil)).status).toBe(421);
    expect((await requestWithHost(`${b.http}/`, evil)).status).toBe(421);
    // Origin and Host agree, as they do after a rebinding: still refused.
    await expect(TestSocket.open(b.ws, await tokenFor('u-diego'), { headers: { host: evil }, origin: `http://${evil}` }))
      .rejects.toMatchObject({ status: 421 });

    // The names it serves: loopback, IP literals, and the allowed origins' hosts.
    for (const host of [`localhost:${b.port}`, `127.0.0.1:${b.port}`, 'chat.example.test']) {
      const ok = await requestWithHost(`${b.http}/dev/token`, host, { method: 'POST', body: '{"userId":"u-diego"}' });
      expect(ok.status, host).toBe(200);
    }
    const page = await TestSocket.open(b.ws, await tokenFor('u-diego'), { headers: { host: `localhost:${b.port}` }, origin: `http://localhost:${b.port}` });
    cleanup.push(() => page.close());
    page.send({ type: 'ping' });
    expect(await page.nextOfType('pong')).toEqual({ type: 'pong' });
  });
});
