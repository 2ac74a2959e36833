// The bridge's limits as pure logic: connection accounting per instance, address
// and user; who the client is behind trusted proxies; the per-user frame budget;
// the instance's buffered-bytes budget; which Host names the bridge serves.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferBudget } from '../../src/bridge/buffer-budget.js';
import { addressKey, clientAddress, normalizeAddress, TrustedProxies } from '../../src/bridge/client-address.js';
import { ConnectionLimits } from '../../src/bridge/connection-limits.js';
import { isHostServed, servedHostnames } from '../../src/bridge/origin.js';
import { SharedBuckets } from '../../src/bridge/rate-limit.js';
import { loadConfig } from '../../src/config.js';

describe('connection limits', () => {
  it('refuses past the per-user, per-address and instance limits, and frees a slot once', () => {
    const limits = new ConnectionLimits({ maxConnections: 5, maxPerUser: 2, maxPerAddress: 3 });
    const a = limits.acquire('u-ana', '10.0.0.1');
    const b = limits.acquire('u-ana', '10.0.0.1');
    expect('lease' in a && 'lease' in b).toBe(true);
    expect(limits.acquire('u-ana', '10.0.0.2')).toEqual({ reached: { scope: 'user', limit: 2 } });
    expect('lease' in limits.acquire('u-eva', '10.0.0.1')).toBe(true);
    // The address is full before any token is looked at; another address is not.
    expect(limits.precheck('10.0.0.1')).toEqual({ scope: 'address', limit: 3 });
    expect(limits.acquire('u-bruno', '10.0.0.1')).toEqual({ reached: { scope: 'address', limit: 3 } });
    expect(limits.precheck('10.0.0.2')).toBeNull();
    limits.acquire('u-bruno', '10.0.0.2');
    limits.acquire('u-carla', '10.0.0.3');
    expect(limits.size).toBe(5);
    expect(limits.precheck('10.0.0.9')).toEqual({ scope: 'instance', limit: 5 });
    expect(limits.acquire('u-filipa', '10.0.0.9')).toEqual({ reached: { scope: 'instance', limit: 5 } });

    if (!('lease' in a)) throw new Error('unreachable');
    a.lease.release();
    a.lease.release(); // the socket's close and an aborted handshake may both release
    expect(limits.size).toBe(4);
    expect(limits.countFor('user', 'u-ana')).toBe(1);
    expect(limits.countFor('address', '10.0.0.1')).toBe(2);
    expect('lease' in limits.acquire('u-ana', '10.0.0.4')).toBe(true);
  });
});

describe('client address', () => {
  const none = new TrustedProxies([]);
  const proxies = new TrustedProxies(['10.0.0.0/8', '::1']);

  it('is the socket\'s address, and X-Forwarded-For is ignored unless the peer is a trusted proxy', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', none)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7', undefined, none)).toBe('203.0.113.7');
    // A client that is not a proxy cannot pick its address by sending the header.
    expect(clientAddress('203.0.113.7', '198.51.100.1', proxies)).toBe('203.0.113.7');
  });

  it('behind trusted proxies, is the first untrusted hop from the right', () => {
    expect(clientAddress('10.1.2.3', '198.51.100.1', proxies)).toBe('198.51.100.1');
    // The client wrote "1.1.1.1" itself; the proxies appended what they saw.
    expect(clientAddress('10.1.2.3', '1.1.1.1, 198.51.100.1, 10.9.9.9', proxies)).toBe('198.51.100.1');
    expect(clientAddress('::1', ['1.1.1.1', '198.51.100.1:4321'], proxies)).toBe('198.51.100.1');
    // Only proxies all the way: the leftmost is as far as we can see.
    expect(clientAddress('10.1.2.3', '10.4.4.4', proxies)).toBe('10.4.4.4');
    // A proxy that passes on garbage is counted itself.
    expect(clientAddress('10.1.2.3', 'unknown', proxies)).toBe('10.1.2.3');
  });

  it('counts IPv6 clients by /64, since one holds a whole /64', () => {
    expect(addressKey('2001:db8:aa:bb:1:2:3:4')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('2001:db8:aa:bb::99')).toBe('2001:db8:aa:bb::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeAddress('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('not-an-ip')).toBeNull();
  });

  it('reads X7_TRUSTED_PROXIES, refusing what is not an address or range', () => {
    expect(loadConfig({ X7_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8,127.0.0.1' }).trustedProxies).toEqual(['10.0.0.0/8', 'fd00::/8', '127.0.0.1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.0/8/1', '::/129']) {
      expect(() => loadConfig({ X7_TRUSTED_PROXIES: bad })).toThrow(/X7_TRUSTED_PROXIES/);
    }
  });
});

describe('per-user frame budget', () => {
  afterEach(() => vi.useRealTimers());

  it('is one bucket for all of a user\'s connections, kept until it would have refilled', () => {
    vi.useFakeTimers();
    const buckets = new SharedBuckets({ ratePerSec: 1, burst: 3 });
    const first = buckets.hold('u-diego', 0);
    const second = buckets.hold('u-diego', 0);
    expect(second.bucket).toBe(first.bucket);
    expect([first.bucket.take(0), second.bucket.take(0), first.bucket.take(0), second.bucket.take(0)]).toEqual([true, true, true, false]);
    expect(buckets.hold('u-eva', 0).bucket.take(0)).toBe(true);

    first.release();
    second.release();
    second.release();
    // Reconnecting at once finds the same, empty bucket: closing sockets does not reset the budget.
    const again = buckets.hold('u-diego', 0);
    expect(again.bucket).toBe(first.bucket);
    expect(again.bucket.take(0)).toBe(false);
    again.release();
    vi.advanceTimersByTime(3_000);
    expect(buckets.hold('u-diego', 3_000).bucket).not.toBe(first.bucket);
  });
});

describe('buffer budget', () => {
  it('drops the largest backlogs until the instance fits, measuring every socket first', () => {
    const queued = new Map<string, number>([['a', 100], ['b', 400], ['c', 300], ['d', 50]]);
    let clock = 0;
    const budget = new BufferBudget<string>({ maxBytes: 600, measure: (s) => queued.get(s) ?? 0, now: () => clock, remeasureEveryMs: 100 });
    expect(budget.record('a')).toEqual([]);
    expect(budget.record('b')).toEqual([]);
    expect(budget.record('d')).toEqual([]);
    expect(budget.recordedBytes).toBe(550);
    // 'c' takes the total to 850: 'b' (400) goes, and 450 fits.
    expect(budget.record('c')).toEqual(['b']);
    budget.release('b');
    expect(budget.recordedBytes).toBe(450);

    // Over by the running total, but 'a' drained meanwhile: measured again, nothing to drop.
    queued.set('a', 0);
    queued.set('e', 200);
    clock = 200;
    expect(budget.record('e')).toEqual([]);
    expect(budget.recordedBytes).toBe(550);
  });

  it('measures everyone at most once per interval', () => {
    let measured = 0;
    const queued = new Map<string, number>([['a', 500], ['b', 500]]);
    let clock = 1_000;
    const budget = new BufferBudget<string>({ maxBytes: 600, measure: (s) => (measured++, queued.get(s)!), now: () => clock, remeasureEveryMs: 100 });
    budget.record('a');
    expect(budget.record('b')).toEqual(['a']); // 1000 > 600: both measured, the first of the largest goes
    budget.release('a');
    queued.set('a', 500);
    budget.record('a'); // over again, 10 ms later: let through, not measured again
    measured = 0;
    clock += 10;
    expect(budget.record('b')).toEqual([]);
    expect(measured).toBe(1);
    clock += 100;
    expect(budget.record('b')).toHaveLength(1);
  });
});

describe('served host names (DNS rebinding)', () => {
  const served = servedHostnames(['https://chat.example.com', 'http://localhost:3000'], '0.0.0.0');

  it('serves IP literals, localhost and the allowed origins\' names', () => {
    for (const host of ['127.0.0.1:8080', '[::1]:8080', '10.0.0.5', 'localhost:8080', 'LOCALHOST', 'app.localhost:8080', 'chat.example.com', 'Chat.Example.com:443', 'chat.example.com.']) {
      expect(isHostServed(host, served), host).toBe(true);
    }
  });

  it('refuses any other name, however it resolves, and a missing or malformed Host', () => {
    for (const host of [undefined, '', 'evil.example:8080', '127.0.0.1.nip.io:8080', 'example.com', 'chat.example.com.evil.example', 'evil@localhost', 'localhost:8080/x', 'a b']) {
      expect(isHostServed(host, served), String(host)).toBe(false);
    }
  });

  it('adds X7_BRIDGE_HOST when it is a name', () => {
    expect(servedHostnames([], 'bridge.internal').has('bridge.internal')).toBe(true);
    expect(servedHostnames([], '::').size).toBe(0);
  });
});
