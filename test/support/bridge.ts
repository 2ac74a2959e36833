// Helpers for tests of `x7 bridge`: spawning bridges in a test's namespace,
// WebSocket clients that record every frame, tokens, and outbound events
// produced as the processor would.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import WebSocket from 'ws';
import { signToken } from '../../src/bridge/auth.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { OutboundBody, OutboundEvent } from '../../src/events.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { topicName } from '../../src/kafka/topics.js';
import { startX7, stopProcess } from './cli.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from './isolation.js';
import { prepareNamespace } from './pipeline.js';
import { freePort } from './ports.js';
export { freePort };

export const TEST_JWT_SECRET = 'bridge-tests-secret-bridge-tests-secret-0123456789';

export function tokenFor(userId: string, ttlSeconds = 600): Promise<string> {
  return signToken(TEST_JWT_SECRET, userId, ttlSeconds);
}


/** A test's own topics and subjects (X7_TOPIC_PREFIX), and a codec for them. */
export interface BridgeNamespace {
  prefix: string;
  config: Config;
  codec: EventCodec;
}

export async function bridgeNamespace(name: string): Promise<BridgeNamespace> {
  const prefix = uniquePrefix(name);
  const config = isolatedConfig(prefix);
  await prepareNamespace(config);
  return { prefix, config, codec: createCodec(config) };
}

export interface BridgeProcess {
  port: number;
  /** The public port: the page, the API, /healthz and a bare /readyz. */
  http: string;
  ws: string;
  /** The metrics port: /metrics, /healthz and /readyz with its problems. */
  metricsHttp: string;
  output(): string;
  /** SIGTERM and wait; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  exited(): boolean;
}

export interface BridgeOptions {
  prefix: string;
  databaseUrl: string;
  port?: number;
  instanceId?: string;
  env?: Record<string, string>;
}

/** Starts `x7 bridge` and waits until /readyz says ready. */
export async function startBridge(options: BridgeOptions): Promise<BridgeProcess> {
  const port = options.port ?? (await freePort());
  const metricsPort = await freePort();
  const child = startX7(['bridge'], isolatedEnv(options.prefix, {
    DATABASE_URL: options.databaseUrl,
    X7_JWT_SECRET: TEST_JWT_SECRET,
    X7_BRIDGE_PORT: String(port),
    X7_BRIDGE_METRICS_PORT: String(metricsPort),
    X7_BRIDGE_INSTANCE_ID: options.instanceId ?? `test-${port}`,
    X7_LOG_LEVEL: 'warn',
    ...options.env,
  }));
  const bridge: BridgeProcess = {
    port,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/v1/stream`,
    metricsHttp: `http://127.0.0.1:${metricsPort}`,
    output: () => child.output(),
    stop: () => stopProcess(child),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async kill() {
      if (bridge.exited()) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (bridge.exited()) throw new Error(`x7 bridge exited early:\n${child.output()}`);
    try {
      const response = await fetch(`${bridge.http}/readyz`);
      if (response.status === 200) return bridge;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await bridge.kill();
      throw new Error(`x7 bridge not ready within 60 s:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;

/** A WebSocket client that records every frame and waits for the ones a test expects. */
export class TestSocket {
  readonly frames: Frame[] = [];
  private readonly consumed = new Set<number>();
  private waiters: (() => void)[] = [];
  closeInfo: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** Connects; a refused upgrade rejects with its `status`, `headers` and JSON `body` (null when it had none). */
  static open(url: string, token: string | null, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    const ws = new WebSocket(token ? `${url}?access_token=${encodeURIComponent(token)}` : url, options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (req, res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          req.destroy();
          const body: unknown = text === '' ? null : JSON.parse(text);
          reject(Object.assign(new Error(`refused with ${res.statusCode} ${text}`), { status: res.statusCode, headers: res.headers, body }));
        });
      });
      ws.once('error', reject);
    });
  }

  send(frame: Frame | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first frame not yet taken that matches; waits for it. */
  async next(match: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f, i) => !this.consumed.has(i) && match(f));
      if (index >= 0) {
        this.consumed.add(index);
        return this.frames[index]!;
      }
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting; frames: ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; frames: ${JSON.stringify(this.frames).slice(0, 3000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs);
  }

  /** Subscribes and waits for the confirmation (or an error about the conversation). */
  async subscribe(conversationId: string, since?: string): Promise<Frame> {
    this.send(since === undefined ? { type: 'subscribe', conversationId } : { type: 'subscribe', conversationId, since });
    return this.next((f) => (f.type === 'subscribed' || f.type === 'error') && (f.conversationId === conversationId || f.ref === conversationId));
  }

  /** Event frames received for a conversation, in arrival order. */
  events(conversationId: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && f.conversationId === conversationId);
  }

  async waitForEvents(conversationId: string, count: number, timeoutMs = 30_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events(conversationId).length < count) {
      if (this.closeInfo) throw new Error(`socket closed (${this.closeInfo.code}) with ${this.events(conversationId).length}/${count} events`);
      if (Date.now() > deadline) throw new Error(`${this.events(conversationId).length}/${count} events within ${timeoutMs} ms: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.events(conversationId);
  }

  async closed(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closeInfo) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.closeInfo;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/**
 * An HTTP request with a Host header of the test's choosing (fetch always sends the
 * URL's): what a browser sends for a page on another name that resolves here.
 */
export function requestWithHost(url: string, host: string, options: { method?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: { host, 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An outbound event as the processor would write it; body defaults to a Reply numbered n. */
export function outboundEvent(conversationId: string, userId: string, n: number, body?: OutboundBody): OutboundEvent {
  return {
    eventId: randomUUID(),
    conversationId,
    chatType: 'DEDICATED',
    userId,
    businessId: 'lis-taberna-do-largo',
    causationId: null,
    producedAt: new Date(),
    body: body ?? { type: 'Reply', text: `reply ${n}`, agent: 'test', cards: [], suggestions: [] },
  };
}

/** Produces events to the namespace's chat.outbound, one request each, in order. */
export async function produceOutbound(config: Config, codec: EventCodec, events: OutboundEvent[]): Promise<void> {
  const producer = createKafka(config, 'test-outbound').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const event of events) {
      await producer.send({ topic: topicName(config, 'chat.outbound'), acks: -1, messages: [{ key: event.conversationId, value: await codec.encode('chat.outbound', event) }] });
    }
  } finally {
    await producer.disconnect();
  }
}

export function newConversationId(): string {
  return `c-${randomUUID()}`;
}
