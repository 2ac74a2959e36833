// Redis for the state tests: a client on the shared test Redis with its own key
// prefix per test, cleanup by prefix, and a private redis-server that a test may
// stop and start without disturbing anybody else.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { projectPath } from '../../src/paths.js';
import { freePort } from './ports.js';

/** A key prefix no other test run uses. */
export function uniqueKeyPrefix(testName: string): string {
  return `x7:test:${testName}:${randomBytes(4).toString('hex')}:`;
}

/** The test configuration, pointed at another Redis when `redisUrl` is given. */
export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, X7_LOG_LEVEL: 'silent', ...extra });
}

/** Deletes every key under `prefix` (SCAN, never KEYS, so a shared Redis is not blocked). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export async function keysByPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}

export interface PrivateRedisOptions {
  /**
   * Run it as the stack does: with scripts/redis.conf (append-only file, fsync
   * before every reply) and a data folder of its own that a kill and a restart
   * keep. Without it, the server keeps nothing and a restart comes back empty.
   */
  durable?: boolean;
  /** More redis-server arguments; they override scripts/redis.conf (e.g. ['--appendonly', 'no']). */
  args?: string[];
}

/** A redis-server of the test's own, on a free port; nothing persisted unless `durable`. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  /** The data folder of a durable server (remove() deletes it). */
  readonly dir: string | undefined;

  private constructor(readonly port: number, private readonly options: PrivateRedisOptions) {
    this.dir = options.durable ? mkdtempSync(join(tmpdir(), 'x7-test-redis-')) : undefined;
  }

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const server = new PrivateRedis(await freePort(), options);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again after stop(): a durable one reloads what its data folder holds). */
  async start(): Promise<void> {
    if (this.child) return;
    // The config file must come first; the arguments after it override it.
    const persistence = this.dir === undefined ? ['--save', '', '--appendonly', 'no'] : [projectPath('scripts', 'redis.conf'), '--dir', this.dir];
    const child = spawn('redis-server', [...persistence, '--port', String(this.port), '--bind', '127.0.0.1', ...(this.options.args ?? [])], {
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}`);
      const probe = new Redis(this.port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /**
   * Kills this server with SIGKILL, as a crash would (only the process this
   * object started), and waits for it to exit. Nothing is flushed on the way out.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
    child.kill('SIGCONT');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** The disk is lost: empties the data folder of a stopped durable server. */
  wipe(): void {
    if (this.child) throw new Error('stop the server before wiping its data');
    if (this.dir === undefined) throw new Error('a server without persistence keeps no data to wipe');
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir);
  }

  /** Kills the server and deletes its data folder. */
  async remove(): Promise<void> {
    await this.stop();
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}
