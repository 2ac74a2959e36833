// `x7 bridge` put together: HTTP server, WebSocket upgrade (admission.ts decides),
// sessions and their limits, heartbeats, the chat.outbound consumer and the inbound
// producer, the metrics port; and its orderly shutdown.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { createCodec } from '../codec/index.js';
import type { Config } from '../config.js';
import { listen } from '../db/notifications.js';
import { createPool } from '../db/pool.js';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../kafka/client.js';
import type { Logger } from '../log.js';
import { createValidator, knownBusinessRule } from '../pipeline/validation.js';
import { createRedis, lastRedisError } from '../state/redis.js';
import { Admission, type Refusal } from './admission.js';
import { createTokenVerifier } from './auth.js';
import { Authorizer } from './authorization.js';
import { BufferBudget } from './buffer-budget.js';
import { TrustedProxies } from './client-address.js';
import { ConnectionLimits } from './connection-limits.js';
import { Directory } from './directory.js';
import { FanOut } from './fanout.js';
import { ConversationHistory } from './history.js';
import { createHttpHandler } from './http.js';
import { InboundPublisher } from './inbound.js';
import { backgroundProbe, Readiness, startObservabilityServer, type ObservabilityServer } from '../observability/http.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { pingPostgres, redisCheck } from '../observability/probes.js';
import { servedHostnames } from './origin.js';
import { bridgeGroupId, defaultInstanceId, OutboundConsumer } from './outbound-consumer.js';
import { CLOSE_CODES } from './protocol.js';
import { SharedBuckets } from './rate-limit.js';
import { Session } from './session.js';

export { STREAM_PATH } from './admission.js';

/** Problems with the configuration that only the bridge cares about. */
export function bridgeConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.jwtSecret === null && config.jwksUrl === null) {
    problems.push('the bridge needs X7_JWT_SECRET (HS256) or X7_JWKS_URL (an identity provider\'s keys) to authenticate clients');
  }
  return problems;
}

export interface Bridge {
  /** Listens; resolves to the address (and the metrics port's) once the consumer has started. */
  start(): Promise<{ host: string; port: number; metricsPort: number }>;
  /** Closes every socket with 1001, stops consuming, disconnects. */
  stop(): Promise<void>;
}

export function createBridge(config: Config, logger: Logger, onFatal: (error: Error) => void): Bridge {
  const instanceId = defaultInstanceId(config.bridgeInstanceId, hostname(), config.bridgePort);
  const redis: Redis = createRedis(config, { logger });
  const pool: pg.Pool = createPool(config, { logger });
  const codec = createCodec(config);
  const kafka = createKafka(config, 'bridge', logger);
  const producer: Producer = kafka.producer({
    createPartitioner: JAVA_COMPATIBLE_PARTITIONER,
    idempotent: true,
    maxInFlightRequests: 1,
    // Bounded, so a client hears UNAVAILABLE instead of waiting forever while Kafka is down.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  let producerConnected = false;
  producer.on(producer.events.CONNECT, () => (producerConnected = true));
  producer.on(producer.events.DISCONNECT, () => (producerConnected = false));

  const keyPrefix = config.topicPrefix;
  const directory = new Directory(pool, redis, { databaseUrl: config.databaseUrl, keyPrefix, claimTtlMs: config.historyTtlMs });
  const authorizer = new Authorizer(directory);
  const history = new ConversationHistory(redis, { keyPrefix, size: config.historySize, ttlMs: config.historyTtlMs });
  const fanout = new FanOut();
  const publisher = new InboundPublisher(producer, codec, redis, { topicPrefix: config.topicPrefix });
  const validator = createValidator({ limits: config, asyncRules: [knownBusinessRule(directory)] });
  const verify = createTokenVerifier(config);
  const sessions = new Set<Session>();
  const limits = new ConnectionLimits({
    maxConnections: config.maxConnections, maxPerUser: config.maxConnectionsPerUser, maxPerAddress: config.maxConnectionsPerAddress,
  });
  const buckets = new SharedBuckets({ ratePerSec: config.rateLimitPerSec, burst: config.rateLimitBurst });
  const buffers = new BufferBudget<Session>({ maxBytes: config.maxBufferedBytesTotal, measure: (session) => session.bufferedAmount });
  const servedHosts = servedHostnames(config.allowedOrigins, config.bridgeHost);
  const trustedProxies = new TrustedProxies(config.trustedProxies);
  const metrics: BridgeMetrics = new BridgeMetrics({
    connections: () => sessions.size,
    subscriptions: () => fanout.subscriptionCount,
    bufferedBytes: () => {
      let total = 0;
      for (const session of sessions) total += session.bufferedAmount;
      return total;
    },
    ready: () => readiness.ready(),
  });
  const consumer = new OutboundConsumer({
    kafka, codec, history, fanout, metrics, logger, topicPrefix: config.topicPrefix,
    groupId: bridgeGroupId(config.topicPrefix, instanceId),
    backoff: { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs },
    onFatal,
  });
  let stopping = false;

  // PostgreSQL answers every subscribe (who owns the conversation): probed in the
  // background so /readyz can say when it is gone.
  const databaseProbe = backgroundProbe(() => pingPostgres(pool));
  const readiness: Readiness = new Readiness()
    .add('bridge', () => (stopping ? 'shutting down' : null))
    .add('kafka', () => [
      ...(consumer.ready ? [] : ['not consuming chat.outbound']),
      ...(producerConnected ? [] : ['producer not connected']),
    ])
    .add('redis', redisCheck(redis, () => lastRedisError(redis)))
    .add('postgres', databaseProbe.check);

  const wss = new WebSocketServer({
    noServer: true,
    // Hard cap, enforced by ws while reading (close 1009). Frames between
    // X7_MAX_FRAME_BYTES and this get FRAME_TOO_LARGE and the socket stays open.
    maxPayload: config.maxFrameBytes * 4,
    perMessageDeflate: false,
  });

  const server: Server = createServer(createHttpHandler({ config, verify, directory, authorizer, metrics, logger, readiness, servedHosts }));
  let metricsServer: ObservabilityServer | undefined;
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, a reset while the token is being checked
    // would otherwise be an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    upgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'upgrade failed');
      refuse(socket, { status: 500, text: 'Internal Server Error', reason: 'internal' });
    });
  });

  const admission = new Admission({
    verify, limits, trustedProxies, servedHosts, allowedOrigins: config.allowedOrigins, stopping: () => stopping, logger,
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const decision = await admission.decide(req);
    if (!decision.ok) return refuse(socket, decision.refusal);
    const { identity, lease } = decision;
    // The slot is the TCP socket's: freed when it closes, whether the handshake
    // completes or ws aborts it (a bad Sec-WebSocket-Key) without calling back.
    if (socket.destroyed) return lease.release();
    socket.once('close', () => lease.release());
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (stopping) return ws.close(CLOSE_CODES.goingAway, 'server shutting down');
      metrics.connectionsOpened.inc();
      const rate = buckets.hold(identity.userId, Date.now());
      const session = new Session(ws, identity, rate.bucket, { config, authorizer, history, fanout, publisher, validator, metrics, logger, buffers });
      sessions.add(session);
      ws.on('close', () => {
        sessions.delete(session);
        rate.release();
      });
    });
  }

  function refuse(socket: Duplex, refusal: Refusal): void {
    metrics.countRejection(refusal.reason);
    const body = refusal.body ? JSON.stringify(refusal.body) : '';
    const headers = {
      Connection: 'close',
      ...(body ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      'Content-Length': String(Buffer.byteLength(body)),
      ...refusal.headers,
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${refusal.status} ${refusal.text}\r\n${head}\r\n${body}`);
  }

  // Heartbeat: ping everyone each interval; who has not answered (pong or any
  // frame) since the last ping is gone (a dead TCP connection can stay "open"
  // for hours) and is terminated, freeing its subscriptions.
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      if (!session.alive) {
        session.terminate();
        continue;
      }
      session.alive = false;
      session.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  // A user's memberships changed (migration 0005 notifies with the user's id): their live
  // subscriptions are checked again, so access lost is access lost within seconds. After a
  // reconnect of the listener (notifications may have been missed) everyone's are.
  const memberChanges = listen(config, {
    channel: 'x7_members_changed',
    onNotification: (userId) => {
      for (const session of sessions) if (session.identity.userId === userId) session.recheckSubscriptions();
    },
    onReset: () => {
      for (const session of sessions) session.recheckSubscriptions();
    },
    logger: logger.child({ dependency: 'postgres' }),
  });
  // A conversation's hand-off closed (migration 0007 notifies with the conversation's
  // id): the staff following it lose it the same way. Sessions not subscribed to it do nothing.
  const handoffChanges = listen(config, {
    channel: 'x7_handoffs_changed',
    onNotification: (conversationId) => {
      for (const session of sessions) session.recheckSubscriptions(conversationId);
    },
    onReset: () => {
      for (const session of sessions) session.recheckSubscriptions();
    },
    logger: logger.child({ dependency: 'postgres' }),
  });

  return {
    async start() {
      // First, so /healthz answers and /readyz says why while the rest starts. Apart
      // from the public port (on X7_METRICS_HOST, loopback by default): /metrics, and
      // /readyz with the detail.
      metricsServer = await startObservabilityServer({ host: config.metricsHost, port: config.bridgeMetricsPort, registry: metrics.registry, readiness, logger });
      await databaseProbe.start();
      await producer.connect();
      await consumer.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.bridgePort, config.bridgeHost, () => resolve());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.bridgePort;
      logger.info({ host: config.bridgeHost, port, instanceId, metricsPort: metricsServer.port }, `bridge listening; /healthz, /readyz and /metrics on http://${metricsServer.host}:${metricsServer.port}`);
      return { host: config.bridgeHost, port, metricsPort: metricsServer.port };
    },

    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      databaseProbe.stop();
      await memberChanges.close();
      await handoffChanges.close();
      server.close();
      for (const session of sessions) session.close(CLOSE_CODES.goingAway, 'server shutting down');
      const deadline = Date.now() + 3_000;
      while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const session of sessions) session.terminate();
      server.closeAllConnections();
      await consumer.stop().catch((error: unknown) => logger.warn({ err: error }, 'consumer stop failed'));
      await producer.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'producer disconnect failed'));
      redis.disconnect();
      await pool.end().catch(() => undefined);
      await metricsServer?.close();
      logger.info('bridge stopped');
    },
  };
}
