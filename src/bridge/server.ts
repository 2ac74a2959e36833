// `x7 bridge` put together: HTTP server, WebSocket upgrade with authentication,
// sessions, heartbeats, the chat.outbound consumer and the inbound producer; and
// its orderly shutdown.
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
import { createRedis } from '../state/redis.js';
import { AuthError, AuthUnavailableError, createTokenVerifier, tokenFromRequest, type Identity } from './auth.js';
import { Authorizer } from './authorization.js';
import { Directory } from './directory.js';
import { FanOut } from './fanout.js';
import { ConversationHistory } from './history.js';
import { createHttpHandler } from './http.js';
import { InboundPublisher } from './inbound.js';
import { backgroundProbe, Readiness } from '../observability/http.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { pingPostgres, redisCheck } from '../observability/probes.js';
import { isOriginAllowed } from './origin.js';
import { bridgeGroupId, defaultInstanceId, OutboundConsumer } from './outbound-consumer.js';
import { CLOSE_CODES } from './protocol.js';
import { Session } from './session.js';

export const STREAM_PATH = '/v1/stream';

/** Problems with the configuration that only the bridge cares about. */
export function bridgeConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.jwtSecret === null && config.jwksUrl === null) {
    problems.push('the bridge needs X7_JWT_SECRET (HS256) or X7_JWKS_URL (an identity provider\'s keys) to authenticate clients');
  }
  return problems;
}

export interface Bridge {
  /** Listens; resolves to the address once the consumer has started. */
  start(): Promise<{ host: string; port: number }>;
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
  const metrics: BridgeMetrics = new BridgeMetrics({
    connections: () => sessions.size,
    subscriptions: () => fanout.subscriptionCount,
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
    .add('redis', redisCheck(redis))
    .add('postgres', databaseProbe.check);

  const wss = new WebSocketServer({
    noServer: true,
    // Hard cap, enforced by ws while reading (close 1009). Frames between
    // X7_MAX_FRAME_BYTES and this get FRAME_TOO_LARGE and the socket stays open.
    maxPayload: config.maxFrameBytes * 4,
    perMessageDeflate: false,
  });

  const server: Server = createServer(createHttpHandler({ config, verify, directory, metrics, logger, readiness }));
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, a reset while the token is being checked
    // would otherwise be an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    upgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'upgrade failed');
      refuse(socket, 500, 'Internal Server Error', 'internal');
    });
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://bridge.invalid').pathname;
    if (path !== STREAM_PATH) return refuse(socket, 404, 'Not Found', 'path');
    if (stopping) return refuse(socket, 503, 'Service Unavailable', 'stopping');
    if (!isOriginAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) return refuse(socket, 403, 'Forbidden', 'origin');
    const token = tokenFromRequest(req);
    if (token === null) return refuse(socket, 401, 'Unauthorized', 'no_token');
    let identity: Identity;
    try {
      identity = await verify(token);
    } catch (error) {
      if (error instanceof AuthError) {
        logger.info({ reason: error.message }, 'connection refused: bad token');
        return refuse(socket, 401, 'Unauthorized', 'bad_token');
      }
      if (error instanceof AuthUnavailableError) {
        logger.warn({ err: error }, 'cannot verify tokens');
        return refuse(socket, 503, 'Service Unavailable', 'jwks_unavailable');
      }
      throw error;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (stopping) return ws.close(CLOSE_CODES.goingAway, 'server shutting down');
      metrics.connectionsOpened.inc();
      const session = new Session(ws, identity, { config, authorizer, history, fanout, publisher, validator, metrics, logger });
      sessions.add(session);
      ws.on('close', () => sessions.delete(session));
    });
  }

  function refuse(socket: Duplex, status: number, text: string, reason: string): void {
    metrics.countRejection(reason);
    const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
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

  return {
    async start() {
      await databaseProbe.start();
      await producer.connect();
      await consumer.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.bridgePort, config.bridgeHost, () => resolve());
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.bridgePort;
      logger.info({ host: config.bridgeHost, port, instanceId }, 'bridge listening');
      return { host: config.bridgeHost, port };
    },

    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      databaseProbe.stop();
      await memberChanges.close();
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
      logger.info('bridge stopped');
    },
  };
}
