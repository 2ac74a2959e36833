// What durable bridge history costs: the bridge's Redis writes and its delivery to
// WebSocket clients, with Redis run three ways on a private redis-server (the stack's
// Redis is left alone):
//   none       no persistence (--appendonly no --save ""): what a kill -9 empties
//   everysec   the append-only file, fsync once a second (for reference)
//   always     scripts/redis.conf as shipped: fsync before every reply
// Each mode gets a fresh redis-server whose data folder is on the disk of
// BENCH_REDIS_DIR (default: the system's temp folder), and runs BENCH_ROUNDS times,
// interleaved, so that load from elsewhere on the machine falls on every mode alike.
//
//   npm run build && node bench/redis-durability.js      (≈2 min; see bench/README.md)
//
// Per mode:
//   A. history writes alone (no Kafka): what the bridge does per fetched batch,
//      ConversationHistory.append then markWritten, one after the other with one
//      record per batch (a quiet conversation) and with 100 (a busy partition);
//   B. a spawned `x7 bridge` on that Redis: one subscriber, events produced to
//      chat.outbound at 20/s (latency produce → frame), then a burst of
//      BENCH_REDIS_BURST events as fast as the producer goes (events/s delivered).
// Prints tables (stdout), progress (stderr) and writes bench/results/redis-durability-<time>.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ConversationHistory } from '../dist/src/bridge/history.js';
import { connectRedis } from '../dist/src/state/redis.js';
import {
  CpuMeter, createBenchDatabase, createCodec, createKafka, deleteTopicsWithPrefix, freePort, isolatedConfig, JAVA_COMPATIBLE_PARTITIONER,
  JWT_SECRET, latencySummary, now, prepareNamespace, progress, projectPath, randomUUID, round, signToken, sleep, stackUp, startBridge,
  table, topicName, uniquePrefix,
} from './lib.js';

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const P = {
  rounds: num('BENCH_ROUNDS', 3),
  sequentialWrites: num('BENCH_REDIS_WRITES', 2000),
  batchedRecords: num('BENCH_REDIS_BATCHED', 20_000),
  trickleEvents: num('BENCH_REDIS_TRICKLE', 100),
  burstEvents: num('BENCH_REDIS_BURST', 3000),
  modes: (process.env.BENCH_REDIS_MODES ?? 'none,everysec,always').split(','),
  dirParent: process.env.BENCH_REDIS_DIR || tmpdir(),
};

/** redis-server arguments of each mode; `always` is the shipped file unchanged. */
const MODE_ARGS = {
  none: ['--appendonly', 'no', '--save', ''],
  everysec: [projectPath('scripts/redis.conf'), '--appendfsync', 'everysec'],
  always: [projectPath('scripts/redis.conf')],
};

const BENCH_LOG = { X7_LOG_LEVEL: 'silent' };

/** A private redis-server in a data folder of its own; stop() kills it and removes the folder. */
async function startRedis(mode) {
  const dir = mkdtempSync(join(P.dirParent, 'x7-bench-redis-'));
  const port = await freePort();
  // The config file (if any) first: the arguments after it override it.
  const child = spawn('redis-server', [...MODE_ARGS[mode], '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server (${mode}) exited with ${child.exitCode}`);
    const probe = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (probe.stdout.trim() === 'PONG') break;
    if (Date.now() > deadline) throw new Error(`redis-server (${mode}) did not answer within 10 s`);
    await sleep(50);
  }
  const config = (key) => spawnSync('redis-cli', ['-p', String(port), 'config', 'get', key], { encoding: 'utf8' }).stdout.trim().split('\n')[1];
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, pid: child.pid, dir, appendonly: config('appendonly'), appendfsync: config('appendfsync'), stop };
}

/** A. ConversationHistory against Redis alone: per batch, append then markWritten, as outbound-consumer.ts does. */
async function historyWrites(redisUrl, redisPid) {
  const redis = await connectRedis({ redisUrl, retryInitialMs: 100, retryMaxMs: 1000 });
  const history = new ConversationHistory(redis, { keyPrefix: 'bench:', size: 200, ttlMs: 3_600_000 });
  const eventJson = JSON.stringify({ eventId: randomUUID(), body: { type: 'Reply', text: 'three places match, the closest is 300 m away' } });
  let offset = 0;
  const batch = (n) => Array.from({ length: n }, (_, i) => ({ conversationId: `c-bench-${i % 50}`, cursor: { partition: 0, offset: offset++ }, eventJson }));
  const write = async (records) => {
    await history.append(records);
    await history.markWritten(0, records.at(-1).cursor.offset);
  };
  try {
    for (let i = 0; i < 100; i++) await write(batch(1)); // warm-up: scripts loaded, connection hot
    const cpu = new CpuMeter({ redis: redisPid, bench: process.pid });
    cpu.start();
    const latencies = [];
    const t0 = now();
    for (let i = 0; i < P.sequentialWrites; i++) {
      const t = now();
      await write(batch(1));
      latencies.push(now() - t);
    }
    const sequentialSeconds = (now() - t0) / 1000;
    const cpuPct = cpu.stop();
    const t1 = now();
    for (let done = 0; done < P.batchedRecords; done += 100) await write(batch(100));
    const batchedSeconds = (now() - t1) / 1000;
    return {
      oneRecordBatchMs: latencySummary(latencies),
      oneRecordBatchesPerSec: round(P.sequentialWrites / sequentialSeconds, 0),
      redisCpuPctOneRecord: cpuPct.redis,
      hundredRecordBatchRecordsPerSec: round(P.batchedRecords / batchedSeconds, 0),
    };
  } finally {
    redis.disconnect();
  }
}

/** A subscriber that records when each event arrives; `closed` says why the bridge closed it, if it did. */
function subscriber(bridgeWs, token, conversationId, arrivals) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${bridgeWs}?access_token=${encodeURIComponent(token)}`);
    ws.on('error', (error) => {
      ws.failure = error.message;
      reject(error);
    });
    ws.on('close', (code, reason) => (ws.closed = `${code} ${reason}`));
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', conversationId })));
    ws.on('message', (data) => {
      const t = now();
      const frame = JSON.parse(data.toString());
      if (frame.type === 'event') arrivals.set(frame.event.eventId, t);
      else if (frame.type === 'subscribed') resolve(ws);
      else if (frame.type === 'error') reject(new Error(JSON.stringify(frame)));
    });
  });
}

function outbound(conversationId, k) {
  return {
    eventId: randomUUID(), conversationId, chatType: 'GLOBAL', userId: 'u-diego', businessId: null, causationId: null,
    producedAt: new Date(), body: { type: 'Reply', text: `durability ${k}: three places match, the closest is 300 m away`, agent: 'bench', cards: [], suggestions: [] },
  };
}

async function waitFor(arrivals, ids, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (now() < deadline && ids.some((id) => !arrivals.has(id))) await sleep(20);
  return ids.filter((id) => !arrivals.has(id)).length;
}

/** B. A spawned bridge on this Redis: latency at 20/s, then a burst. */
async function bridgeDelivery({ prefix, db, config, codec, producer, token }, redis) {
  const bridge = await startBridge({ prefix, databaseUrl: db.url, env: { ...BENCH_LOG, REDIS_URL: redis.url } });
  const sockets = [];
  try {
    // Trickle: one event per batch, so each pays the history write's full cost.
    const trickleConversation = `c-bench-durability-${randomUUID()}`;
    const arrivals = new Map();
    sockets.push(await subscriber(bridge.ws, token, trickleConversation, arrivals));
    const sent = new Map();
    for (let k = -5; k < P.trickleEvents; k++) {
      const event = outbound(trickleConversation, k);
      const value = await codec.encode('chat.outbound', event);
      const t = now();
      if (k >= 0) sent.set(event.eventId, t); // five warm-up events are not counted
      await producer.send({ topic: topicName(config, 'chat.outbound'), acks: -1, messages: [{ key: trickleConversation, value }] });
      await sleep(50);
    }
    const trickleMissing = await waitFor(arrivals, [...sent.keys()], 15_000);
    const trickle = latencySummary([...sent].filter(([id]) => arrivals.has(id)).map(([id, t]) => arrivals.get(id) - t), trickleMissing);

    // Burst: as many events as the producer sends at once, in requests of 100; the
    // bridge writes them in fetched batches, so fsyncs are shared by many events.
    const burstConversation = `c-bench-durability-${randomUUID()}`;
    const burstArrivals = new Map();
    sockets.push(await subscriber(bridge.ws, token, burstConversation, burstArrivals));
    const values = [];
    const ids = [];
    for (let k = 0; k < P.burstEvents; k++) {
      const event = outbound(burstConversation, k);
      ids.push(event.eventId);
      values.push({ key: burstConversation, value: await codec.encode('chat.outbound', event) });
    }
    const cpu = new CpuMeter({ redis: redis.pid, bridge: bridge.child.pid });
    cpu.start();
    const t0 = now();
    for (let i = 0; i < values.length; i += 100) {
      await producer.send({ topic: topicName(config, 'chat.outbound'), acks: -1, messages: values.slice(i, i + 100) });
    }
    const burstMissing = await waitFor(burstArrivals, ids, 60_000);
    const last = Math.max(...burstArrivals.values());
    const cpuPct = cpu.stop();
    return {
      trickleMs: trickle,
      closedByBridge: sockets.map((ws) => ws.closed ?? ws.failure).filter(Boolean),
      burst: { events: P.burstEvents, missing: burstMissing, perSec: round((P.burstEvents - burstMissing) / ((last - t0) / 1000), 0), redisCpuPct: cpuPct.redis, bridgeCpuPct: cpuPct.bridge },
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await bridge.stop();
  }
}

function filesystemOf(dir) {
  const probe = spawnSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : 'unknown';
}

async function main() {
  stackUp();
  mkdirSync(P.dirParent, { recursive: true });
  const fsType = filesystemOf(P.dirParent);
  progress(`Redis data folders under ${P.dirParent} (${fsType}); modes ${P.modes.join(', ')}, ${P.rounds} round(s)`);
  if (fsType === 'tmpfs' || fsType === 'ramfs') progress('warning: a RAM file system makes fsync free; set BENCH_REDIS_DIR to a folder on disk');
  const prefix = uniquePrefix('redis-durability');
  const db = await createBenchDatabase();
  const config = isolatedConfig(prefix, { ...BENCH_LOG, DATABASE_URL: db.url });
  const producer = createKafka(config, 'bench-durability').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
  const runs = [];
  try {
    await prepareNamespace(config);
    await producer.connect();
    const ctx = { prefix, db, config, codec: createCodec(config), producer, token: await signToken(JWT_SECRET, 'u-diego', 3600) };
    for (let round_ = 1; round_ <= P.rounds; round_++) {
      // Interleaved, and in the opposite order every other round, so that drift on the box is shared.
      const order = round_ % 2 === 1 ? P.modes : [...P.modes].reverse();
      for (const mode of order) {
        const redis = await startRedis(mode);
        try {
          progress(`round ${round_}, ${mode} (appendonly ${redis.appendonly}, appendfsync ${redis.appendfsync}): history writes`);
          const writes = await historyWrites(redis.url, redis.pid);
          progress(`round ${round_}, ${mode}: bridge delivery`);
          const delivery = await bridgeDelivery(ctx, redis);
          runs.push({ round: round_, mode, appendonly: redis.appendonly, appendfsync: redis.appendfsync, writes, delivery });
        } finally {
          await redis.stop();
        }
      }
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
    await deleteTopicsWithPrefix(config, prefix).catch((e) => progress(`cleanup: ${e.message}`));
    await db.drop().catch((e) => progress(`cleanup: ${e.message}`));
  }

  const byMode = (mode) => runs.filter((r) => r.mode === mode);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : round((s[s.length / 2 - 1] + s[s.length / 2]) / 2, 1);
  };
  const rows = P.modes.map((mode) => {
    const r = byMode(mode);
    const m = (pick) => median(r.map(pick));
    return [mode, m((x) => x.writes.oneRecordBatchMs.p50), m((x) => x.writes.oneRecordBatchMs.p99), m((x) => x.writes.oneRecordBatchesPerSec),
      m((x) => x.writes.hundredRecordBatchRecordsPerSec), m((x) => x.delivery.trickleMs.p50), m((x) => x.delivery.trickleMs.p99),
      m((x) => x.delivery.burst.perSec), m((x) => x.delivery.burst.redisCpuPct)];
  });
  const text = table(`Redis durability: medians of ${P.rounds} round(s), data on ${fsType} (${P.dirParent})`,
    ['mode', 'write ms p50', 'p99', 'batches/s', 'records/s ×100', 'WS ms p50 @20/s', 'p99', 'burst ev/s', 'redis CPU %'], rows);
  process.stdout.write(`${text}\n`);
  const file = projectPath('bench/results', `redis-durability-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(projectPath('bench/results'), { recursive: true });
  writeFileSync(file, JSON.stringify({ parameters: { ...P, filesystem: fsType }, runs, table: text }, null, 2));
  progress(`written ${file}`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
