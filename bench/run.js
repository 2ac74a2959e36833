// `npm run bench`: measures x7-stream on this machine and prints tables; the same
// figures go to bench/results/<timestamp>.json. See bench/README.md for the method.
//
// 1. baseline  bare kafkajs consume → produce passthrough (12 partitions)
// 2. pipeline  the real `x7 processor` and `x7 bridge`, offered rates and saturation,
//              then the same saturation burst against two processors in one group
// 3. bridge    RSS per idle WebSocket connection; fan-out latency to N subscribers
// 4. stages    where the time goes per event
//
// `node bench/run.js --quick` (`npm run bench -- --quick`): the baseline, the 200/s step,
// one saturation burst and the scale-out burst only, in a few minutes.
//
// Everything runs on loopback in namespaces of its own (topic prefix, consumer
// groups, database), is bounded in count and time, and stops by itself.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, tmpdir, totalmem } from 'node:os';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import {
  CpuMeter, createBenchDatabase, describeGroup, freePort, createCodec, createKafka, deleteTopicsWithPrefix, exited, fmt,
  formatMs, isolatedConfig, isolatedEnv, JAVA_COMPATIBLE_PARTITIONER, JWT_SECRET, latencySummary, now, prepareNamespace,
  progress, projectPath, randomUUID, readyzStatus, round, rssBytes, signToken, sleep, stackUp, startBridge, startX7,
  steadyRate, stopChild, table, topicName, uniquePrefix,
} from './lib.js';
import { makeConversations, nextMessage } from './workload.js';
import { llmParameters, llmPathBench } from './llm-path.js';

// ---------------------------------------------------------------------------
// command line: `--quick` (a short run: baseline, 200/s, one saturation burst, scale-out)

const USAGE = 'usage: node bench/run.js [--quick] [--only PHASES]   (npm run bench [-- --quick] [-- --only llm]; PHASES: baseline,pipeline,bridge,llm; see bench/README.md)';
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
// --only PHASES (or --only=PHASES): these phases instead of the default ones (BENCH_ONLY does the same).
let ONLY = null;
const unknownArgs = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--quick') continue;
  if (argv[i] === '--only' && argv[i + 1]) ONLY = argv[++i];
  else if (argv[i].startsWith('--only=')) ONLY = argv[i].slice('--only='.length);
  else unknownArgs.push(argv[i]);
}
if (unknownArgs.length > 0) {
  process.stderr.write(`bench: unknown argument(s) ${unknownArgs.join(' ')}\n${USAGE}\n`);
  process.exit(2);
}
const QUICK = argv.includes('--quick');

// ---------------------------------------------------------------------------
// parameters (environment overrides, for a quick look or a longer run; --quick only
// changes the defaults, a variable that is set still wins)

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const P = {
  quick: QUICK,
  baselineEvents: num('BENCH_BASELINE_EVENTS', 20_000),
  rates: (process.env.BENCH_RATES ?? (QUICK ? '200' : '50,200,1000')).split(',').map(Number),
  stepSeconds: num('BENCH_STEP_SECONDS', 20),
  // Rates of 1000/s and above run this long: far above capacity, a 20 s step would
  // leave a backlog of many minutes.
  highRateSeconds: num('BENCH_HIGH_RATE_SECONDS', 5),
  drainSeconds: num('BENCH_DRAIN_SECONDS', QUICK ? 60 : 120),
  // The saturation burst: this many seconds of work at the capacity the rate steps
  // showed, at most saturationEvents.
  saturationSeconds: num('BENCH_SATURATION_SECONDS', QUICK ? 30 : 40),
  saturationEvents: num('BENCH_SATURATION_EVENTS', 40000),
  saturationDrainSeconds: num('BENCH_SATURATION_DRAIN_SECONDS', QUICK ? 60 : 90),
  conversations: num('BENCH_CONVERSATIONS', 300),
  connectionSteps: (process.env.BENCH_CONNECTIONS ?? '1000,5000,10000').split(',').map(Number),
  fanout: (process.env.BENCH_FANOUT ?? '1,10,100').split(',').map(Number),
  fanoutEvents: num('BENCH_FANOUT_EVENTS', 50),
  partitionConcurrency: process.env.BENCH_PARTITION_CONCURRENCY ?? null,
  // A second saturation run with this X7_PARTITION_CONCURRENCY (0: skip).
  extraConcurrency: num('BENCH_EXTRA_CONCURRENCY', QUICK ? 0 : 4),
  // The scale-out burst: this many `x7 processor` processes in one consumer group
  // (0 or 1: skip).
  scaleOutProcesses: num('BENCH_SCALE_OUT_PROCESSES', 2),
  phases: (ONLY ?? process.env.BENCH_ONLY ?? (QUICK ? 'baseline,pipeline' : 'baseline,pipeline,bridge,llm')).split(','),
  hardLimitMinutes: QUICK ? 10 : 25,
};

const TARGETS = {
  saturationPerSec: 2000, // one processor, steady ev/s of the saturation burst
  cpuMsPerEvent: 0.5, // processor CPU seconds ÷ replies during the saturation burst
  p99WsAt200Ms: 100,
  p99WsAt1000Ms: 300,
  scaleOutRatio: 1.6, // two processors ÷ one, steady ev/s of the same burst
  idle10kRssBytes: 1024 ** 3,
};

const results = {
  startedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: round(totalmem() / 1024 ** 3, 1), node: process.version },
  parameters: P,
};
const tables = [];
const print = (text) => {
  tables.push(text);
  process.stdout.write(`${text}\n`);
};

// The bench's own in-process clients do not log (stdout is for the tables).
// (Their failures surface as exceptions the bench reports, not as log lines.)
const BENCH_LOG = { X7_LOG_LEVEL: 'silent' };

// ---------------------------------------------------------------------------
// 1. baseline: bare kafkajs passthrough

async function baseline() {
  const prefix = uniquePrefix('base');
  const config = isolatedConfig(prefix, BENCH_LOG);
  progress(`baseline: namespace ${prefix} (topics.yaml layout: ${topicName(config, 'chat.inbound')} 12 partitions → ${topicName(config, 'chat.outbound')} 12 partitions)`);
  await prepareNamespace(config);
  const codec = createCodec(config);
  const inTopic = topicName(config, 'chat.inbound');
  const outTopic = topicName(config, 'chat.outbound');

  // Realistic records: the same Avro-encoded ChatMessages the pipeline gets.
  const conversations = makeConversations(P.conversations);
  const producer = createKafka(config, 'bench-base-producer').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
  await producer.connect();
  let bytes = 0;
  const loadStarted = now();
  for (let i = 0; i < P.baselineEvents; i += 1000) {
    const messages = [];
    for (let j = i; j < Math.min(P.baselineEvents, i + 1000); j++) {
      const m = nextMessage(conversations[j % conversations.length]);
      const value = await codec.encode('chat.inbound', m);
      bytes += value.length;
      messages.push({ key: m.conversationId, value });
    }
    await producer.send({ topic: inTopic, acks: -1, messages });
  }
  const loadSeconds = (now() - loadStarted) / 1000;
  await producer.disconnect();
  progress(`baseline: ${P.baselineEvents} records (${round(bytes / P.baselineEvents, 0)} B mean value) loaded into ${inTopic} in ${round(loadSeconds, 1)} s`);

  // A reader of the output topic records when each record arrives.
  const arrivals = [];
  const reader = createKafka(config, 'bench-base-reader').consumer({ groupId: `${prefix}reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [outTopic], fromBeginning: true });
  await reader.run({ eachBatch: async ({ batch }) => { const t = now(); for (let i = 0; i < batch.messages.length; i++) arrivals.push(t); } });

  const child = spawn(process.execPath, [projectPath('bench/passthrough.js')], {
    env: { ...process.env, BENCH_IN: inTopic, BENCH_OUT: outTopic, BENCH_GROUP: `${prefix}passthrough`, KAFKA_BROKERS: config.kafkaBrokers.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let childOut = '';
  child.stdout.on('data', (d) => (childOut += d));
  child.stderr.on('data', (d) => (childOut += d));
  const cpu = new CpuMeter({ passthrough: child.pid, bench: process.pid });
  const started = now();
  cpu.start();
  const deadline = started + 120_000;
  let lastReport = started;
  while (arrivals.length < P.baselineEvents && now() < deadline && !exited(child)) {
    await sleep(100);
    if (now() - lastReport > 5000) {
      lastReport = now();
      progress(`baseline: ${arrivals.length}/${P.baselineEvents} passed through`);
    }
  }
  const cpuUse = cpu.stop();
  await stopChild(child);
  await reader.disconnect();
  if (arrivals.length < P.baselineEvents) progress(`baseline: only ${arrivals.length}/${P.baselineEvents} arrived within 120 s:\n${childOut.slice(-2000)}`);
  const overallSeconds = (arrivals[arrivals.length - 1] - arrivals[0]) / 1000;
  const result = {
    prefix,
    events: P.baselineEvents,
    delivered: arrivals.length,
    meanValueBytes: round(bytes / P.baselineEvents, 0),
    producerLoadPerSec: round(P.baselineEvents / loadSeconds, 0),
    steadyPerSec: round(steadyRate(arrivals), 0),
    overallPerSec: round(arrivals.length / overallSeconds, 0),
    cpuPct: cpuUse,
  };
  await deleteTopicsWithPrefix(config, prefix).catch(() => undefined);
  return result;
}

// ---------------------------------------------------------------------------
// 2. pipeline: x7 processor + x7 bridge

class PipelineTracker {
  constructor() {
    this.sends = new Map(); // eventId → { t, step, chatType }
    this.kafkaDone = new Map(); // eventId → t (terminal StatusUpdate read from chat.outbound, read_committed)
    this.kafkaFirst = new Map(); // eventId → t (first outbound event)
    this.kafkaDoneWall = new Map(); // eventId → wall-clock ms of that read
    this.wsDone = new Map(); // eventId → t (terminal StatusUpdate on a WebSocket)
    this.facts = new Map(); // eventId → analytics fact summary
    this.failed = 0;
  }
}

async function startOutboundReader(config, codec, tracker) {
  const consumer = createKafka(config, 'bench-outbound').consumer({ groupId: `${config.topicPrefix}bench-outbound`, maxWaitTimeInMs: 500, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topicName(config, 'chat.outbound')], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      const t = now();
      const wall = performance.timeOrigin + t;
      for (const m of batch.messages) {
        const { value: e } = await codec.decode('chat.outbound', m.value);
        const id = e.causationId;
        if (!id) continue;
        if (!tracker.kafkaFirst.has(id)) tracker.kafkaFirst.set(id, t);
        if (e.body.type === 'StatusUpdate' && (e.body.status === 'DONE' || e.body.status === 'FAILED')) {
          if (e.body.status === 'FAILED') tracker.failed++;
          tracker.kafkaDone.set(id, t);
          tracker.kafkaDoneWall.set(id, wall);
        }
      }
    },
  });
  return consumer;
}

async function startAnalyticsReader(config, codec, tracker) {
  const consumer = createKafka(config, 'bench-analytics').consumer({ groupId: `${config.topicPrefix}bench-analytics`, maxWaitTimeInMs: 500, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topicName(config, 'chat.analytics')], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const { value: f } = await codec.decode('chat.analytics', m.value);
        tracker.facts.set(f.inboundEventId, {
          chatType: f.chatType, intent: f.intent, agent: f.agent, outcome: f.outcome,
          stages: f.stageLatenciesMs, processedAt: f.processedAt.getTime(),
        });
      }
    },
  });
  return consumer;
}

/** One socket per (user, ≤200 conversations), subscribed to every conversation of the run. */
async function openSubscribers(bridge, conversations, tracker) {
  const byUser = new Map();
  for (const c of conversations) byUser.set(c.userId, [...(byUser.get(c.userId) ?? []), c]);
  const sockets = [];
  for (const [userId, convs] of byUser) {
    const token = await signToken(JWT_SECRET, userId, 3600);
    for (let i = 0; i < convs.length; i += 200) {
      const chunk = convs.slice(i, i + 200);
      const ws = new WebSocket(`${bridge.ws}?access_token=${encodeURIComponent(token)}`);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const pending = new Set(chunk.map((c) => c.id));
      let settle;
      const allSubscribed = new Promise((r) => (settle = r));
      ws.on('message', (data) => {
        const t = now();
        const frame = JSON.parse(data.toString());
        if (frame.type === 'event') {
          const e = frame.event;
          if (e.body?.type === 'StatusUpdate' && (e.body.status === 'DONE' || e.body.status === 'FAILED') && e.causationId) {
            tracker.wsDone.set(e.causationId, t);
          }
        } else if (frame.type === 'subscribed' || frame.type === 'error') {
          const id = frame.conversationId ?? frame.ref;
          if (frame.type === 'error') progress(`bridge refused a subscription: ${JSON.stringify(frame)}`);
          pending.delete(id);
          if (pending.size === 0) settle();
        }
      });
      ws.on('error', () => undefined);
      ws.on('close', (code) => { if (!ws.benchClosing) progress(`a subscriber socket closed unexpectedly (${code})`); });
      for (const c of chunk) ws.send(JSON.stringify({ type: 'subscribe', conversationId: c.id }));
      await Promise.race([allSubscribed, sleep(30_000)]);
      if (pending.size > 0) throw new Error(`${pending.size} subscriptions not confirmed within 30 s`);
      sockets.push(ws);
    }
  }
  return sockets;
}

async function waitForDone(tracker, ids, { timeoutMs, label, ws = true }) {
  const deadline = now() + timeoutMs;
  let lastReport = now();
  const count = () => {
    let k = 0;
    let w = 0;
    for (const id of ids) {
      if (tracker.kafkaDone.has(id)) k++;
      if (tracker.wsDone.has(id)) w++;
    }
    return { k, w };
  };
  for (;;) {
    const { k, w } = count();
    if (k === ids.length && (!ws || w === ids.length)) return true;
    if (now() > deadline) {
      progress(`${label}: drain timeout with ${k}/${ids.length} replies on Kafka, ${w}/${ids.length} on WebSocket`);
      return false;
    }
    if (now() - lastReport > 5000) {
      lastReport = now();
      progress(`${label}: draining, ${k}/${ids.length} replies on Kafka, ${w}/${ids.length} on WebSocket`);
    }
    await sleep(100);
  }
}

/** Sends `total` messages at `rate` per second (or as fast as possible when rate is null). */
async function offer({ producer, codec, topic, conversations, tracker, step, rate, total, label }) {
  const ids = [];
  let cursor = Math.floor(Math.random() * conversations.length);
  const started = now();
  let lastReport = started;
  const sendUpTo = async (due) => {
    const messages = [];
    while (ids.length + messages.length < due) {
      const c = conversations[cursor++ % conversations.length];
      const m = nextMessage(c);
      messages.push({ m, record: { key: m.conversationId, value: await codec.encode('chat.inbound', m) } });
    }
    const t = now();
    for (const { m } of messages) {
      tracker.sends.set(m.eventId, { t, step, chatType: m.chatType });
      ids.push(m.eventId);
    }
    await producer.send({ topic, acks: -1, messages: messages.map((x) => x.record) });
  };
  while (ids.length < total) {
    if (rate === null) {
      await sendUpTo(Math.min(total, ids.length + 250));
    } else {
      const due = Math.min(total, Math.floor((rate * (now() - started)) / 1000) + 1);
      if (due > ids.length) await sendUpTo(due);
      else await sleep(Math.max(1, Math.min(20, started + ((ids.length) * 1000) / rate - now())));
    }
    if (now() - lastReport > 5000) {
      lastReport = now();
      progress(`${label}: sent ${ids.length}/${total}, ${tracker.kafkaDone.size} replies so far`);
    }
  }
  return { ids, sendSeconds: (now() - started) / 1000 };
}

function summarizeStep(tracker, ids, { label, offeredRate, sendSeconds, drained, cpu, cpuSeconds }) {
  const kafka = [];
  const ws = [];
  const first = [];
  const doneTimes = [];
  const sendTimes = [];
  for (const id of ids) {
    const s = tracker.sends.get(id);
    sendTimes.push(s.t);
    const k = tracker.kafkaDone.get(id);
    if (k !== undefined) {
      kafka.push(k - s.t);
      doneTimes.push(k);
    }
    const f = tracker.kafkaFirst.get(id);
    if (f !== undefined) first.push(f - s.t);
    const w = tracker.wsDone.get(id);
    if (w !== undefined) ws.push(w - s.t);
  }
  const firstSend = Math.min(...sendTimes);
  const lastDone = doneTimes.length ? Math.max(...doneTimes) : NaN;
  // Every x7 processor process of the step (one, or the scale-out's several).
  const processorCpuSeconds = Object.entries(cpuSeconds).filter(([name]) => name.startsWith('processor')).reduce((a, [, v]) => a + v, 0);
  return {
    label,
    offeredPerSec: offeredRate,
    sent: ids.length,
    sendSeconds: round(sendSeconds, 1),
    actualOfferedPerSec: round(ids.length / sendSeconds, 0),
    repliedKafka: kafka.length,
    repliedWs: ws.length,
    drained,
    // Replies per second over the whole step (send start → last reply) and in steady state.
    overallPerSec: round(doneTimes.length / ((lastDone - firstSend) / 1000), 0),
    steadyPerSec: round(steadyRate(doneTimes), 0),
    latencyFirstEventMs: latencySummary(first, ids.length - first.length),
    latencyKafkaMs: latencySummary(kafka, ids.length - kafka.length),
    latencyWsMs: latencySummary(ws, ids.length - ws.length),
    cpuPct: cpu,
    cpuSeconds,
    // Processor CPU seconds (user + system, all its processes) over the step ÷ replies.
    processorCpuSeconds: round(processorCpuSeconds, 2),
    processorCpuMsPerEvent: kafka.length ? round((processorCpuSeconds * 1000) / kafka.length, 3) : null,
  };
}

/** Per stage (from the AnalyticsEvent's stageLatenciesMs), plus what the fact cannot see. */
function stageBreakdown(tracker, ids) {
  const perStage = new Map();
  const post = [];
  const queue = [];
  const e2e = [];
  for (const id of ids) {
    const f = tracker.facts.get(id);
    const s = tracker.sends.get(id);
    const done = tracker.kafkaDone.get(id);
    const wall = tracker.kafkaDoneWall.get(id);
    if (!f || done === undefined) continue;
    let sum = 0;
    for (const [stage, ms] of Object.entries(f.stages)) {
      perStage.set(stage, [...(perStage.get(stage) ?? []), ms]);
      sum += ms;
    }
    // processedAt is taken when respond starts; after respond come the transaction
    // (produce + commit) and the consumer's fetch.
    const afterRespond = Math.max(0, wall - f.processedAt - (f.stages.respond ?? 0));
    post.push(afterRespond);
    const total = done - s.t;
    e2e.push(total);
    queue.push(Math.max(0, total - sum - afterRespond));
  }
  const order = ['decode', 'validate', 'conversation', 'agent', 'workflow', 'respond'];
  const stages = [...perStage.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const rows = stages.map((stage) => ({ stage, ...latencySummary(perStage.get(stage)) }));
  rows.push({ stage: 'produce+commit+fetch (derived)', ...latencySummary(post) });
  rows.push({ stage: 'waiting (queue, derived)', ...latencySummary(queue) });
  rows.push({ stage: 'total produce→reply', ...latencySummary(e2e) });
  const meanTotal = e2e.length ? e2e.reduce((a, b) => a + b, 0) / e2e.length : NaN;
  for (const r of rows) r.shareOfMeanPct = round((r.mean / meanTotal) * 100, 1);
  return rows;
}

function mixOf(tracker, ids) {
  const mix = {};
  for (const id of ids) {
    const f = tracker.facts.get(id);
    if (!f) continue;
    const key = `${f.chatType} ${f.intent ?? '-'} → ${f.agent ?? '-'} (${f.outcome})`;
    mix[key] = (mix[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(mix).sort((a, b) => b[1] - a[1]));
}

/** The processor's /metrics histogram x7_stage_duration_seconds, when it serves one. */
async function scrapeStageHistogram(url) {
  if (!url) return null;
  try {
    const text = await (await fetch(url)).text();
    const sums = {};
    const counts = {};
    for (const line of text.split('\n')) {
      const m = /^x7_stage_duration_seconds_(sum|count)\{[^}]*stage="([^"]+)"[^}]*\}\s+([0-9.eE+-]+)/.exec(line);
      if (!m) continue;
      const target = m[1] === 'sum' ? sums : counts;
      target[m[2]] = (target[m[2]] ?? 0) + Number(m[3]);
    }
    if (Object.keys(counts).length === 0) return null;
    return Object.fromEntries(Object.keys(counts).map((s) => [s, { count: counts[s], sumSeconds: sums[s] ?? 0 }]));
  } catch {
    return null;
  }
}

function metricsPortEnv() {
  // The /metrics work may land while this bench exists: find the processor's
  // metrics port variable in the built configuration, if there is one.
  try {
    const source = readFileSync(projectPath('dist/src/config.js'), 'utf8');
    const name = /['"](X7_[A-Z_]*METRICS[A-Z_]*PORT|X7_[A-Z_]*HTTP_PORT|X7_[A-Z_]*OPS_PORT)['"]/.exec(source)?.[1];
    return name ?? null;
  } catch {
    return null;
  }
}

/** The stage histograms of several processes, added up (null when none serves one). */
async function scrapeStageHistograms(urls) {
  const all = (await Promise.all(urls.map(scrapeStageHistogram))).filter(Boolean);
  if (all.length === 0) return null;
  const out = {};
  for (const h of all) {
    for (const [stage, v] of Object.entries(h)) {
      const o = (out[stage] ??= { count: 0, sumSeconds: 0 });
      o.count += v.count;
      o.sumSeconds += v.sumSeconds;
    }
  }
  return out;
}

/** Inbound events a processor has committed (x7_events_total, all labels), or null. */
async function scrapeEventsTotal(url) {
  if (!url) return null;
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
    let total = null;
    for (const line of text.split('\n')) {
      const m = /^x7_events_total(?:\{[^}]*\})?\s+([0-9.eE+-]+)/.exec(line);
      if (m) total = (total ?? 0) + Number(m[1]);
    }
    return total;
  } catch {
    return null;
  }
}

function histogramDelta(before, after) {
  if (!after) return null;
  const out = {};
  for (const [stage, a] of Object.entries(after)) {
    const b = before?.[stage] ?? { count: 0, sumSeconds: 0 };
    const n = a.count - b.count;
    if (n > 0) out[stage] = { count: n, meanMs: round(((a.sumSeconds - b.sumSeconds) / n) * 1000, 2) };
  }
  return out;
}

/**
 * V8 CPU profile of the processor (--cpu-prof) → self time by where the code lives:
 * a package of node_modules, our dist/ folders, Node's internals, GC, idle.
 */
function summarizeProfile(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return null;
  const profile = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const fnSelf = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const { url, functionName } = node.callFrame;
    let where;
    if (functionName === '(idle)') where = '(idle)';
    else if (functionName === '(garbage collector)') where = '(garbage collector)';
    else if (functionName === '(program)') where = '(program: native, not JS)';
    else if (!url) where = `(native: ${functionName || 'anonymous'})`;
    else if (url.startsWith('node:')) where = 'node internals';
    else if (url.includes('/node_modules/')) {
      const rest = url.split('/node_modules/').pop().split('/');
      where = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    } else if (url.includes('/dist/')) where = `x7 ${url.split('/dist/')[1].split('/').slice(0, 2).join('/')}`;
    else where = url;
    self.set(where, (self.get(where) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
    if (where !== '(idle)') fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + dt);
  }
  const busy = total - (self.get('(idle)') ?? 0);
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => ({ name, ms: round(ms, 0), pctOfBusy: name === '(idle)' ? null : round((ms / busy) * 100, 1) }));
  return { totalMs: round(total, 0), busyMs: round(busy, 0), byPlace: top(self, 16), topFunctions: top(fnSelf, 15) };
}

async function pipeline(baselineResult) {
  const prefix = uniquePrefix('pipe');
  const db = await createBenchDatabase();
  progress(`pipeline: namespace ${prefix}, database ${db.name} (migrated, seeded)`);
  const config = isolatedConfig(prefix, { ...BENCH_LOG, DATABASE_URL: db.url });
  const cleanups = [async () => db.drop(), async () => deleteTopicsWithPrefix(config, prefix)];
  const out = { prefix };
  try {
    await prepareNamespace(config);
    const codec = createCodec(config);
    const tracker = new PipelineTracker();
    const conversations = makeConversations(P.conversations);

    const metricsVar = metricsPortEnv();
    const metricsPort = metricsVar ? String(await freePort()) : null;
    const processorEnv = isolatedEnv(prefix, {
      DATABASE_URL: db.url,
      X7_CHECKPOINT_TTL_SECONDS: '3600',
      X7_LOG_LEVEL: process.env.BENCH_PROCESSOR_LOG_LEVEL ?? 'warn',
      ...(P.partitionConcurrency ? { X7_PARTITION_CONCURRENCY: P.partitionConcurrency } : {}),
      ...(metricsVar ? { [metricsVar]: metricsPort } : {}),
    });
    // The measured processor runs under V8's sampling profiler (--cpu-prof, a few %
    // of overhead): its profile, written when it exits, says where its CPU goes.
    const profileDir = mkdtempSync(join(tmpdir(), 'x7-bench-prof-'));
    cleanups.push(async () => rmSync(profileDir, { recursive: true, force: true }));
    let processor = startX7(['processor'], processorEnv, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    cleanups.unshift(async () => { if (!exited(processor)) await stopChild(processor); });
    const bridge = await startBridge({
      prefix,
      databaseUrl: db.url,
      env: { X7_MAX_SUBSCRIPTIONS: '1000', X7_RATE_LIMIT_PER_SEC: '100000', X7_RATE_LIMIT_BURST: '100000' },
    });
    cleanups.unshift(async () => bridge.stop());
    const metricsUrl = metricsPort ? `http://127.0.0.1:${metricsPort}/metrics` : null;
    out.processorPartitionConcurrency = Number(P.partitionConcurrency ?? 4);
    progress(`pipeline: x7 processor (pid ${processor.pid}) and x7 bridge (pid ${bridge.child.pid}, port ${bridge.port}) started${metricsVar ? `; processor metrics via ${metricsVar}=${metricsPort}` : ''}`);

    const [outReader, factReader] = await Promise.all([startOutboundReader(config, codec, tracker), startAnalyticsReader(config, codec, tracker)]);
    cleanups.unshift(async () => { await outReader.disconnect(); await factReader.disconnect(); });
    const sockets = await openSubscribers(bridge, conversations, tracker);
    cleanups.unshift(async () => { for (const s of sockets) { s.benchClosing = true; s.terminate(); } });
    progress(`pipeline: ${sockets.length} WebSocket clients subscribed to ${conversations.length} conversations (${conversations.length / 3} per chat type)`);

    const producer = createKafka(config, 'bench-producer').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
    await producer.connect();
    cleanups.unshift(async () => producer.disconnect());
    const topic = topicName(config, 'chat.inbound');
    const common = { producer, codec, topic, conversations, tracker };

    // Warm-up: every conversation's first turn (state created, JIT warm), not measured.
    progress(`pipeline: warm-up, one message per conversation (${conversations.length}), waiting for the processor`);
    const warm = await offer({ ...common, step: 'warmup', rate: 100, total: conversations.length, label: 'warm-up' });
    if (!(await waitForDone(tracker, warm.ids, { timeoutMs: 120_000, label: 'warm-up' }))) {
      throw new Error(`warm-up did not complete; processor output:\n${processor.output().slice(-3000)}`);
    }
    out.mix = mixOf(tracker, warm.ids);

    const steps = [];
    out.steps = steps;
    const histograms = {};
    out.stageHistogram = histograms;
    out.stageSource = 'AnalyticsEvent.stageLatenciesMs';
    let probeCount = 0;
    // A consumer group of its own (so also transactional ids of its own), starting at
    // the end of chat.inbound: its processors owe nothing to earlier members,
    // transactions or backlog.
    const groupAtEnd = async (group) => {
      const admin = createKafka(config, 'bench-admin').admin();
      await admin.connect();
      try {
        // Explicit offsets: kafkajs's resetOffsets({earliest: false}) commits the
        // sentinel -1, which a consumer subscribed fromBeginning reads as "from the start".
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId: group, topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
        return ends.length;
      } finally {
        await admin.disconnect();
      }
    };
    // After a step that left a backlog: stop the processor, move the group's offsets
    // past everything sent (the backlog is dropped, its replies count as missing) and
    // start it again, so the next step starts from an empty queue.
    const restartProcessor = async (why, extraEnv = {}, nodeArgs = []) => {
      progress(`pipeline: restarting x7 processor (${why})`);
      const t0 = now();
      await stopChild(processor);
      progress(`pipeline: x7 processor stopped in ${round((now() - t0) / 1000, 1)} s (exit ${processor.exitCode ?? processor.signalCode})`);
      const group = `${prefix}processor-r${probeCount + 1}`;
      await groupAtEnd(group);
      processor = startX7(['processor'], { ...processorEnv, X7_CONSUMER_GROUP: group, ...extraEnv }, nodeArgs);
      const t1 = now();
      const probe = await offer({ ...common, step: `probe-${++probeCount}`, rate: 50, total: 12, label: 'probe' });
      const answered = await waitForDone(tracker, probe.ids, { timeoutMs: 60_000, label: 'probe' });
      progress(`pipeline: restarted x7 processor ${answered ? 'answered its first messages' : 'had not answered'} after ${round((now() - t1) / 1000, 1)} s`);
      if (!answered) {
        // Evidence for whoever looks into it: readiness, the runtime's counters, the log.
        const ready = await fetch(`${metricsUrl}`.replace('/metrics', '/readyz')).then(async (r) => `${r.status} ${await r.text()}`).catch((e) => String(e));
        const metrics = await fetch(metricsUrl).then((r) => r.text()).catch(() => '');
        out.restartFailure = {
          readyz: ready.slice(0, 2000),
          metrics: metrics.split('\n').filter((l) => /^x7_(events|transactions|dependency|partitions|outputs|consumer_lag|dlq)/.test(l)).slice(0, 60),
          log: processor.output().split('\n').filter((l) => l && !l.includes('Limiting retries')).slice(-40),
        };
        throw new Error(`x7 processor did not answer after the restart:\n${processor.output().slice(-3000)}`);
      }
    };
    // One measured step. `procs`: the x7 processor processes at work (name → child;
    // default: the one processor), `urls`: their /metrics.
    const runStep = async (label, rate, total, drainSeconds, { restartIfBacklog = true, procs = null, urls = null } = {}) => {
      const members = procs ?? { processor };
      const scrapeUrls = urls ?? (metricsUrl ? [metricsUrl] : []);
      const before = await scrapeStageHistograms(scrapeUrls);
      const cpu = new CpuMeter({ ...Object.fromEntries(Object.entries(members).map(([name, child]) => [name, child.pid])), bridge: bridge.child.pid, bench: process.pid });
      cpu.start();
      progress(`${label}: ${rate ? `${rate} events/s for ${round(total / rate, 0)} s` : `${total} events as fast as possible`}`);
      const sent = await offer({ ...common, step: label, rate, total, label });
      const drained = await waitForDone(tracker, sent.ids, { timeoutMs: drainSeconds * 1000, label });
      const cpuPct = cpu.stop();
      // Several processors: the processor column is their sum (each one stays in cpuPct by name).
      if (!('processor' in members)) cpuPct.processor = Object.keys(members).reduce((a, name) => a + cpuPct[name], 0);
      const summary = summarizeStep(tracker, sent.ids, { label, offeredRate: rate, sendSeconds: sent.sendSeconds, drained, cpu: cpuPct, cpuSeconds: cpu.cpuSeconds() });
      summary.processes = Object.keys(members).length;
      summary.stages = stageBreakdown(tracker, sent.ids);
      histograms[label] = histogramDelta(before, await scrapeStageHistograms(scrapeUrls));
      steps.push(summary);
      progress(`${label}: ${summary.repliedKafka}/${summary.sent} replied, ${summary.steadyPerSec ?? summary.overallPerSec} events/s, p99 produce→WebSocket ${formatMs(summary.latencyWsMs.p99)} ms, processor CPU ${summary.cpuPct.processor} % (${fmt(summary.processorCpuMsPerEvent)} ms per event)`);
      for (const [name, child] of Object.entries(members)) {
        if (exited(child)) throw new Error(`x7 processor (${name}) exited:\n${child.output().slice(-3000)}`);
      }
      if (!drained && restartIfBacklog) await restartProcessor(`${label} left a backlog`);
      return summary;
    };

    // Scale-out: the same burst against P.scaleOutProcesses processors in one consumer
    // group of their own (starting at the end of chat.inbound), each with its own
    // metrics port. The burst starts only when every one of them has joined, owns
    // partitions (its /readyz is 200 only then; the broker's description of the group
    // agrees) and a probe on every partition of chat.inbound has been answered.
    const runScaleOut = async (burst, single) => {
      const n = P.scaleOutProcesses;
      const group = `${prefix}processor-scale${n}`;
      const partitionCount = await groupAtEnd(group);
      // The same profiler as the single processor (its overhead is in both figures),
      // so the two runs compare like for like. These profiles are not summarised.
      const scaleProfileDir = mkdtempSync(join(tmpdir(), 'x7-bench-prof-'));
      cleanups.push(async () => rmSync(scaleProfileDir, { recursive: true, force: true }));
      const members = {};
      const ports = [];
      const stopMembers = async () => { await Promise.all(Object.values(members).map((c) => (exited(c) ? undefined : stopChild(c)))); };
      cleanups.unshift(stopMembers);
      for (let i = 1; i <= n; i++) {
        let port = null;
        if (metricsVar) {
          do port = String(await freePort()); while (ports.includes(port) || port === metricsPort);
          ports.push(port);
        }
        members[`processor-${i}`] = startX7(['processor'], { ...processorEnv, X7_CONSUMER_GROUP: group, ...(metricsVar ? { [metricsVar]: port } : {}) }, ['--cpu-prof', `--cpu-prof-dir=${scaleProfileDir}`]);
      }
      const urls = ports.map((port) => `http://127.0.0.1:${port}/metrics`);
      progress(`scale-out: ${n} x7 processor processes (pids ${Object.values(members).map((c) => c.pid).join(', ')}) in group ${group}; waiting until each owns partitions`);

      // Every conversation's partition (the producer's murmur2 partitioner), and one
      // conversation per partition for the probe.
      const partitioner = JAVA_COMPATIBLE_PARTITIONER();
      const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 }));
      const probeConversations = [];
      const covered = new Set();
      for (const c of conversations) {
        const partition = partitioner({ topic, partitionMetadata, message: { key: c.id } });
        if (!covered.has(partition)) {
          covered.add(partition);
          probeConversations.push(c);
        }
      }

      const t0 = now();
      const deadline = t0 + 120_000;
      const admin = createKafka(config, 'bench-admin').admin();
      await admin.connect();
      let settled = null;
      try {
        let lastReport = t0;
        while (!settled) {
          for (const [name, child] of Object.entries(members)) {
            if (exited(child)) throw new Error(`x7 processor (${name}) exited while joining:\n${child.output().slice(-3000)}`);
          }
          const ready = await Promise.all(ports.map(readyzStatus));
          let desc;
          try {
            desc = await describeGroup(admin, group, topic);
          } catch (error) {
            desc = { state: `not described (${error.message})`, members: [] };
          }
          // The broker's view counts when it can be read (classic group protocol);
          // otherwise each process's /readyz (200 only while it owns partitions) decides.
          const readable = desc.members.length > 0 && desc.members.every((m) => m.partitions !== null);
          const groupOk = readable
            ? desc.state === 'Stable' && desc.members.length === n && desc.members.every((m) => m.partitions.length > 0)
            : true;
          const readyOk = ready.every((status) => status === 200);
          const view = `readyz ${ready.join('/') || '–'}; group ${desc.state}, ${desc.members.length} members${readable ? ` owning ${desc.members.map((m) => m.partitions.length).join('+')} partitions` : ''}`;
          if (groupOk && readyOk) {
            // Probe every partition; the group must not have rebalanced meanwhile.
            const probe = await offer({ ...common, conversations: probeConversations, step: `probe-${++probeCount}`, rate: 50, total: probeConversations.length * 2, label: 'scale-out probe' });
            const answered = await waitForDone(tracker, probe.ids, { timeoutMs: Math.max(5_000, deadline - now()), label: 'scale-out probe' });
            if (!answered) throw new Error(`the ${n} processors did not answer a probe on every partition within 120 s of their start (${view})`);
            const again = await describeGroup(admin, group, topic).catch(() => desc);
            const same = !readable || (again.state === 'Stable' && again.members.map((m) => m.memberId).sort().join() === desc.members.map((m) => m.memberId).sort().join());
            const stillReady = (await Promise.all(ports.map(readyzStatus))).every((status) => status === 200);
            if (same && stillReady) settled = { desc: readable ? desc : null, view };
            else progress(`scale-out: the group changed during the probe (${view}); waiting again`);
          } else if (now() - lastReport > 5000) {
            lastReport = now();
            progress(`scale-out: waiting for the group (${view})`);
          }
          if (!settled && now() > deadline) throw new Error(`the ${n} processors did not all join ${group} and own partitions within 120 s (${view})`);
          if (!settled) await sleep(500);
        }
      } finally {
        await admin.disconnect();
      }
      const joinSeconds = round((now() - t0) / 1000, 1);
      progress(`scale-out: all ${n} processors own partitions and answered a probe on each of the ${covered.size} partitions after ${joinSeconds} s (${settled.view})`);
      // Fresh processes: a short unmeasured warm-up (JIT, connections, pools), as the
      // single processor had its warm-up and rate steps before its burst.
      const warmCount = Math.min(300, Math.max(50, Math.round(burst / 10)));
      const warm = await offer({ ...common, step: 'scale-out warm-up', rate: null, total: warmCount, label: 'scale-out warm-up' });
      if (!(await waitForDone(tracker, warm.ids, { timeoutMs: 60_000, label: 'scale-out warm-up' }))) {
        throw new Error(`the ${n} processors did not answer ${warmCount} warm-up messages within 60 s`);
      }

      const eventsBefore = await Promise.all(urls.map(scrapeEventsTotal));
      const label = `saturation, ${n} processors`;
      let step;
      let eventsAfter = [];
      try {
        step = await runStep(label, null, burst, P.saturationDrainSeconds, { restartIfBacklog: false, procs: members, urls });
        eventsAfter = await Promise.all(urls.map(scrapeEventsTotal));
      } finally {
        // Stopped whatever happened: a backlog left behind stays in this group.
        await stopMembers();
      }
      const onePerSec = single.steadyPerSec ?? single.overallPerSec;
      const manyPerSec = step.steadyPerSec ?? step.overallPerSec;
      return {
        processes: n,
        group,
        label,
        joinSeconds,
        warmUpEvents: warmCount,
        partitionsPerProcess: settled.desc ? settled.desc.members.map((m) => m.partitions.length) : null,
        burst,
        onePerSec,
        manyPerSec,
        ratio: onePerSec && manyPerSec ? round(manyPerSec / onePerSec, 2) : null,
        drained: step.drained,
        cpuPctPerProcess: Object.fromEntries(Object.keys(members).map((name) => [name, step.cpuPct[name]])),
        cpuSecondsPerProcess: Object.fromEntries(Object.keys(members).map((name) => [name, step.cpuSeconds[name]])),
        // x7_events_total of each process during the burst (inbound events it committed), when served.
        eventsPerProcess: eventsBefore.every((v) => v !== null) && eventsAfter.length === n && eventsAfter.every((v) => v !== null)
          ? eventsAfter.map((v, i) => v - eventsBefore[i]) : null,
        cpuMsPerEvent: step.processorCpuMsPerEvent,
        oneCpuMsPerEvent: single.processorCpuMsPerEvent,
        // Whether the box had room: the machine's CPU and what none of the listed processes used.
        machineCpuPct: { one: single.cpuPct.machine, many: step.cpuPct.machine },
        untrackedCpuPct: { one: single.cpuPct.untracked, many: step.cpuPct.untracked },
      };
    };

    for (const rate of P.rates) await runStep(`${rate}/s`, rate, rate * (rate >= 1000 ? P.highRateSeconds : P.stepSeconds), P.drainSeconds);
    // Saturation: a burst sized to keep the processor busy ~40 s (--quick: 30 s) at the
    // capacity the rate steps showed (bounded), measured in steady state.
    const capacity = Math.max(10, ...steps.map((x) => x.steadyPerSec ?? x.overallPerSec ?? 0).filter(Number.isFinite));
    const burst = Math.round(Math.min(P.saturationEvents, Math.max(500, capacity * P.saturationSeconds)));
    await runStep('saturation', null, burst, P.saturationDrainSeconds);
    out.stageSource = metricsUrl && Object.values(histograms).some((h) => h && Object.keys(h).length) ? 'processor /metrics x7_stage_duration_seconds + AnalyticsEvent.stageLatenciesMs' : 'AnalyticsEvent.stageLatenciesMs (the processor serves no x7_stage_duration_seconds)';
    out.failedReplies = tracker.failed;
    const sat = steps.find((s) => s.label === 'saturation');
    out.saturationPerSec = sat.steadyPerSec ?? sat.overallPerSec;
    out.saturationCpuMsPerEvent = sat.processorCpuMsPerEvent;
    // Information only (the old target was 30 % of it).
    out.ratioToBaseline = round(out.saturationPerSec / baselineResult.steadyPerSec, 5);
    // The profile of the measured processor (all steps, mostly load).
    const profiled = processor;
    await stopChild(profiled);
    out.processorProfile = summarizeProfile(profileDir);
    out.profiledSteps = 'warm-up and every step above (the processor under --cpu-prof from start to stop)';

    // Scale-out: the same burst against several processors in one group. A failure is
    // recorded, not fatal.
    if (P.scaleOutProcesses >= 2) {
      try {
        out.scaleOut = await runScaleOut(burst, sat);
        progress(`scale-out: ${out.scaleOut.manyPerSec} vs ${out.scaleOut.onePerSec} events/s, ×${fmt(out.scaleOut.ratio)}`);
      } catch (error) {
        out.scaleOutError = String(error?.message ?? error);
        progress(`scale-out: ${out.scaleOutError.split('\n')[0]}`);
      }
    }

    // What bounds it: the same burst with every partition worked on at once. Needs a
    // restart; a failed restart is recorded, not fatal.
    if (P.extraConcurrency) {
      try {
        await restartProcessor(`X7_PARTITION_CONCURRENCY=${P.extraConcurrency}`, { X7_PARTITION_CONCURRENCY: String(P.extraConcurrency), X7_LOG_LEVEL: 'info' });
        await runStep(`saturation, concurrency ${P.extraConcurrency}`, null, burst, P.saturationDrainSeconds, { restartIfBacklog: false });
      } catch (error) {
        out.extraConcurrencyError = String(error?.message ?? error).split('\n')[0];
        progress(`concurrency ${P.extraConcurrency}: ${out.extraConcurrencyError}`);
      }
    }
    return out;
  } catch (error) {
    out.error = String(error?.stack ?? error);
    progress(`pipeline failed: ${error?.message}`);
    return out;
  } finally {
    progress('pipeline: stopping the processor and the bridge, dropping the database and topics');
    for (const c of cleanups) await c().catch((e) => progress(`cleanup: ${e.message}`));
  }
}

// ---------------------------------------------------------------------------
// 3. bridge: idle connections and fan-out

function openSocket(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?access_token=${encodeURIComponent(token)}`);
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('connect timeout')); }, 30_000);
    ws.once('open', () => { clearTimeout(timer); resolve(ws); });
    ws.once('error', (e) => { clearTimeout(timer); reject(e); });
    ws.once('unexpected-response', (_req, res) => { clearTimeout(timer); reject(new Error(`refused with ${res.statusCode}`)); });
  });
}

async function bridgeBench() {
  const prefix = uniquePrefix('bridge');
  const db = await createBenchDatabase();
  const config = isolatedConfig(prefix, { ...BENCH_LOG, DATABASE_URL: db.url });
  const cleanups = [async () => db.drop(), async () => deleteTopicsWithPrefix(config, prefix)];
  const out = { prefix };
  const sockets = [];
  try {
    await prepareNamespace(config);
    const codec = createCodec(config);
    // Heartbeats stay at their default (30 s): idle connections are pinged as in production.
    // The bench is one address and four users holding up to 10,000 sockets, and the
    // fan-out's subscribers (one user) all subscribe at once: far past what one real
    // user or address may do, so the connection limits and the per-user frame budget
    // are raised for this bridge through their settings.
    const most = Math.max(...P.connectionSteps, ...P.fanout);
    const bridge = await startBridge({
      prefix,
      databaseUrl: db.url,
      env: {
        X7_MAX_SUBSCRIPTIONS: '1000',
        X7_MAX_CONNECTIONS: String(Math.max(most, 20_000)),
        X7_MAX_CONNECTIONS_PER_IP: String(most),
        X7_MAX_CONNECTIONS_PER_USER: String(most),
        X7_RATE_LIMIT_PER_SEC: '100000',
        X7_RATE_LIMIT_BURST: '100000',
      },
    });
    cleanups.unshift(async () => bridge.stop());
    const pid = bridge.child.pid;
    progress(`bridge: x7 bridge pid ${pid} on port ${bridge.port}; opening idle connections`);
    const users = ['u-diego', 'u-eva', 'u-filipa', 'u-gustavo'];
    const tokens = await Promise.all(users.map((u) => signToken(JWT_SECRET, u, 3600)));
    await sleep(3000);
    const rss0 = rssBytes(pid);
    const memory = [{ connections: 0, rssMiB: round(rss0 / 1024 ** 2, 1), perConnectionKiB: null }];
    let failures = 0;
    for (const target of P.connectionSteps) {
      const started = now();
      while (sockets.length < target) {
        const batch = Math.min(200, target - sockets.length);
        const opened = await Promise.allSettled(Array.from({ length: batch }, (_, i) => openSocket(bridge.ws, tokens[(sockets.length + i) % tokens.length])));
        for (const r of opened) {
          if (r.status === 'fulfilled') {
            r.value.on('error', () => undefined);
            sockets.push(r.value);
          } else if (++failures > 50) throw new Error(`too many failed connections: ${r.reason?.message}`);
        }
      }
      const connectSeconds = (now() - started) / 1000;
      await sleep(3000);
      const rss = rssBytes(pid);
      const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
      memory.push({
        connections: target,
        open,
        rssMiB: round(rss / 1024 ** 2, 1),
        perConnectionKiB: round((rss - rss0) / target / 1024, 1),
        connectPerSec: round((target - (memory.at(-1).connections ?? 0)) / connectSeconds, 0),
      });
      progress(`bridge: ${open} idle connections open, RSS ${round(rss / 1024 ** 2, 0)} MiB`);
    }
    out.memory = memory;
    out.connectFailures = failures;
    for (const s of sockets) s.terminate();
    sockets.length = 0;
    await sleep(3000);
    out.rssAfterCloseMiB = round(rssBytes(pid) / 1024 ** 2, 1);

    // Fan-out: one conversation, N subscribers (one user, N connections), events
    // produced to chat.outbound as the processor would; latency from the send call
    // to each subscriber's frame.
    const producer = createKafka(config, 'bench-fanout').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
    await producer.connect();
    cleanups.unshift(async () => producer.disconnect());
    const fanout = [];
    for (const n of P.fanout) {
      const conversationId = `c-bench-fanout-${randomUUID()}`;
      const arrivals = new Map(); // eventId → [t...]
      const subs = [];
      for (let i = 0; i < n; i += 50) {
        const opened = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => openSocket(bridge.ws, tokens[0])));
        subs.push(...opened);
      }
      await Promise.all(subs.map((ws) => new Promise((resolve, reject) => {
        ws.on('message', (data) => {
          const t = now();
          const frame = JSON.parse(data.toString());
          if (frame.type === 'event') {
            const id = frame.event.eventId;
            const list = arrivals.get(id) ?? [];
            list.push(t);
            arrivals.set(id, list);
          } else if (frame.type === 'subscribed') resolve();
          else if (frame.type === 'error') reject(new Error(JSON.stringify(frame)));
        });
        ws.send(JSON.stringify({ type: 'subscribe', conversationId }));
      })));
      const sent = new Map();
      // Two warm-up events first (not counted): the first delivery of a conversation is cold.
      for (let k = -2; k < P.fanoutEvents; k++) {
        const event = {
          eventId: randomUUID(), conversationId, chatType: 'GLOBAL', userId: users[0], businessId: null, causationId: null,
          producedAt: new Date(), body: { type: 'Reply', text: `fan-out ${k}: three places match, the closest is 300 m away`, agent: 'bench', cards: [], suggestions: [] },
        };
        const value = await codec.encode('chat.outbound', event);
        const t = now();
        if (k >= 0) sent.set(event.eventId, t);
        await producer.send({ topic: topicName(config, 'chat.outbound'), acks: -1, messages: [{ key: conversationId, value }] });
        await sleep(50);
      }
      const deadline = now() + 15_000;
      while (now() < deadline && [...sent.keys()].some((id) => (arrivals.get(id)?.length ?? 0) < n)) await sleep(50);
      const all = [];
      const last = [];
      let missing = 0;
      for (const [id, t0] of sent) {
        const ts = arrivals.get(id) ?? [];
        missing += n - ts.length;
        for (const t of ts) all.push(t - t0);
        if (ts.length === n) last.push(Math.max(...ts) - t0);
      }
      fanout.push({ subscribers: n, events: P.fanoutEvents, deliveries: all.length, missing, perDeliveryMs: latencySummary(all, missing), lastSubscriberMs: latencySummary(last, P.fanoutEvents - last.length) });
      progress(`bridge: fan-out to ${n}: p99 ${formatMs(fanout.at(-1).perDeliveryMs.p99)} ms per delivery`);
      for (const s of subs) s.terminate();
      await sleep(500);
    }
    out.fanout = fanout;
    return out;
  } finally {
    for (const s of sockets) s.terminate();
    progress('bridge: stopping the bridge, dropping the database and topics');
    for (const c of cleanups) await c().catch((e) => progress(`cleanup: ${e.message}`));
  }
}

// ---------------------------------------------------------------------------
// tables and targets

/** A number with `digits` decimals (the tables' fmt shows one), or fmt's dash and ∞. */
function fixed(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : fmt(v);
}

/** Two significant digits: 0.041, 1.5, 27. */
function sig2(v) {
  return typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toPrecision(2))) : fmt(v);
}

function verdict(met, margin) {
  return `${met ? 'MET' : 'MISSED'} (${margin})`;
}

function report(res) {
  const b = res.baseline;
  print(table('1. Baseline: bare kafkajs consume → produce passthrough (12 → 12 partitions, acks=all), CPU in % of one core', ['events', 'value B', 'steady ev/s', 'overall ev/s', 'passthrough', 'kafka', 'bench', 'untracked', 'machine (of 200)'], [
    [b.events, b.meanValueBytes, b.steadyPerSec, b.overallPerSec, b.cpuPct.passthrough, b.cpuPct.kafka, b.cpuPct.bench, b.cpuPct.untracked, b.cpuPct.machine],
  ]));
  const p = res.pipeline;
  if (p?.steps) {
    print(table('2a. Pipeline throughput (x7 processor, mix of GLOBAL/DEDICATED/DASHBOARD, no bookings)', ['step', 'offered ev/s', 'sent', 'replied', 'on WS', 'drained', 'steady ev/s', 'overall ev/s', '% of baseline'], p.steps.map((s) => [
      s.label, s.offeredPerSec ?? 'max', s.sent, s.repliedKafka, s.repliedWs, s.drained ? 'yes' : 'NO', s.steadyPerSec, s.overallPerSec, ((100 * (s.steadyPerSec ?? s.overallPerSec)) / b.steadyPerSec).toFixed(2),
    ])));
    const lat = (name, key) => p.steps.map((s) => [s.label, name, s[key].p50, s[key].p95, s[key].p99, s[key].max].map((v, i) => (i > 1 ? formatMs(v) : v)));
    print(table('2b. Latency, ms (produce call → terminal status event; ">drain" = not delivered within the drain timeout)', ['step', 'to', 'p50', 'p95', 'p99', 'max'], [
      ...p.steps.flatMap((s) => [
        [s.label, 'chat.outbound (DONE)', ...['p50', 'p95', 'p99', 'max'].map((k) => formatMs(s.latencyKafkaMs[k]))],
        [s.label, 'WebSocket (DONE)', ...['p50', 'p95', 'p99', 'max'].map((k) => formatMs(s.latencyWsMs[k]))],
      ]),
    ]));
    void lat;
    print(table('2c. CPU during each step, % of one core (machine: 2 cores = 200 %; untracked = machine − listed = other work on the box)', ['step', 'processor', 'bridge', 'bench', 'kafka', 'registry', 'redis', 'postgres', 'temporal', 'untracked', 'machine'], p.steps.map((s) => [
      s.label, s.cpuPct.processor, s.cpuPct.bridge, s.cpuPct.bench, s.cpuPct.kafka, s.cpuPct.registry, s.cpuPct.redis, s.cpuPct.postgres, s.cpuPct.temporal, s.cpuPct.untracked, s.cpuPct.machine,
    ])));
    print(table('2e. Processor CPU per event (processor CPU seconds over the step, all its processes ÷ replies in the step)', ['step', 'replies/s', 'processor CPU %', 'CPU s', 'replies', 'CPU ms / event', 'bound at 100 % of one core, ev/s'], p.steps.map((s) => {
      const rate = s.steadyPerSec ?? s.overallPerSec;
      const msPerEvent = s.processorCpuMsPerEvent;
      return [s.label, rate, s.cpuPct.processor, fixed(s.processorCpuSeconds, 1), s.repliedKafka, fixed(msPerEvent, 2), msPerEvent ? round(1000 / msPerEvent, 0) : null];
    })));
    const so = p.scaleOut;
    if (so) {
      const names = Object.keys(so.cpuPctPerProcess);
      print(table(`2f. Scale-out: the same saturation burst (${so.burst} events), one x7 processor vs ${so.processes} in one consumer group (CPU in % of one core)`, ['processes', 'partitions each', 'steady ev/s', 'CPU % per process', 'events per process', 'CPU ms / event', 'machine (untracked)', '× one'], [
        [1, 'all', so.onePerSec, p.steps.find((s) => s.label === 'saturation')?.cpuPct.processor, '–', fixed(so.oneCpuMsPerEvent, 2), `${fmt(so.machineCpuPct?.one)} (${fmt(so.untrackedCpuPct?.one)})`, '1.00'],
        [so.processes, so.partitionsPerProcess?.join(' + ') ?? '–', so.manyPerSec, names.map((n) => so.cpuPctPerProcess[n]).join(' + '), so.eventsPerProcess?.join(' + ') ?? '–', fixed(so.cpuMsPerEvent, 2), `${fmt(so.machineCpuPct?.many)} (${fmt(so.untrackedCpuPct?.many)})`, fixed(so.ratio, 2)],
      ]));
    }
    print(table('2d. Workload mix (warm-up turn of each conversation: chat type, intent → agent (outcome))', ['kind', 'count'], Object.entries(p.mix).slice(0, 20)));
  }
  const br = res.bridge;
  if (br?.memory) {
    print(table('3a. Bridge RSS with idle authenticated connections (one x7 bridge process, loopback)', ['connections', 'open', 'RSS MiB', 'KiB / connection', 'connects/s'], br.memory.map((m) => [m.connections, m.open ?? 0, m.rssMiB, m.perConnectionKiB, m.connectPerSec])));
    print(table('3b. Fan-out: one conversation to N subscribers, ms from produce call to frame', ['subscribers', 'deliveries', 'missing', 'p50', 'p95', 'p99', 'max', 'last-subscriber p99'], br.fanout.map((f) => [
      f.subscribers, f.deliveries, f.missing, ...['p50', 'p95', 'p99', 'max'].map((k) => formatMs(f.perDeliveryMs[k])), formatMs(f.lastSubscriberMs.p99),
    ])));
  }
  if (p?.steps) {
    for (const label of [p.steps[0]?.label, ...p.steps.filter((s) => s.label.startsWith('saturation')).map((s) => s.label)].filter(Boolean)) {
      const s = p.steps.find((x) => x.label === label);
      print(table(`4. Stages at ${label}, ms per event (source: ${p.stageSource})`, ['stage', 'mean', 'p50', 'p95', 'p99', '% of mean total'], s.stages.map((r) => [r.stage, r.mean, r.p50, r.p95, r.p99, r.shareOfMeanPct])));
      const h = p.stageHistogram?.[label];
      if (h && Object.keys(h).length) print(table(`4'. Processor /metrics x7_stage_duration_seconds during ${label} (produce and commit: per transaction, not per event)`, ['stage', 'observations', 'mean ms'], Object.entries(h).map(([k, v]) => [k, v.count, v.meanMs])));
    }
  }
  if (p?.processorProfile) {
    const prof = p.processorProfile;
    print(table(`5a. Processor CPU profile, ${p.profiledSteps} (V8 --cpu-prof, self time by place; busy ${round(prof.busyMs / 1000, 1)} s of ${round(prof.totalMs / 1000, 1)} s)`, ['place', 'self ms', '% of busy'], prof.byPlace.map((r) => [r.name, r.ms, r.pctOfBusy])));
    print(table('5b. Processor CPU profile: top functions by self time', ['function', 'self ms', '% of busy'], prof.topFunctions.map((r) => [r.name.slice(0, 90), r.ms, r.pctOfBusy])));
  }
  // Targets: [target, measured, met, margin]
  const rows = [];
  if (p?.saturationPerSec !== undefined) {
    const v = p.saturationPerSec;
    const t = TARGETS.saturationPerSec;
    rows.push([`saturation ≥ ${t.toLocaleString('en-US')} ev/s (one processor)`, `${fmt(v)} ev/s (${sig2((p.ratioToBaseline ?? NaN) * 100)} % of the baseline's ${fmt(b.steadyPerSec)} ev/s)`, v >= t, `×${sig2(v / t)} of the target`]);
    const c = p.saturationCpuMsPerEvent;
    if (c !== null && c !== undefined) {
      const ct = TARGETS.cpuMsPerEvent;
      rows.push([`processor CPU ≤ ${ct} ms per event (saturation)`, `${fixed(c, 2)} ms`, c <= ct, `×${sig2(c / ct)} of the budget`]);
    }
  }
  const p99Row = (label, limit) => {
    const s = p?.steps?.find((x) => x.label === label);
    if (!s) return;
    const v = s.latencyWsMs.p99;
    rows.push([`p99 produce→WebSocket ≤ ${limit} ms at ${label.replace('/s', ' ev/s')}`, v === Infinity ? 'replies missing (>drain)' : `${fmt(v)} ms`, v <= limit, v === Infinity ? 'the p99 is a reply not delivered within the drain' : `${fmt(round(Math.abs(v - limit), 1))} ms ${v <= limit ? 'under' : 'over'}, ×${sig2(v / limit)}`]);
  };
  p99Row('200/s', TARGETS.p99WsAt200Ms);
  p99Row('1000/s', TARGETS.p99WsAt1000Ms);
  const so = p?.scaleOut;
  if (so?.ratio !== null && so?.ratio !== undefined && so.processes === 2) {
    const t = TARGETS.scaleOutRatio;
    rows.push([`two processors ≥ ${t} × one (saturation)`, `${fmt(so.manyPerSec)} / ${fmt(so.onePerSec)} ev/s = ×${fixed(so.ratio, 2)}`, so.ratio >= t, `${so.ratio >= t ? '+' : ''}${fixed(so.ratio - t, 2)}`]);
  }
  const m10 = br?.memory?.find((m) => m.connections === 10_000);
  if (m10) {
    const bytes = m10.rssMiB * 1024 ** 2;
    rows.push(['10,000 idle connections < 1 GiB RSS', `${m10.rssMiB} MiB`, bytes < TARGETS.idle10kRssBytes, `${round((TARGETS.idle10kRssBytes - bytes) / 1024 ** 2, 0)} MiB headroom`]);
  }
  res.targets = rows.map(([target, measured, met, margin]) => ({ target, measured, met, result: verdict(met, margin) }));
  print(table('Targets', ['target', 'measured', 'result'], res.targets.map((r) => [r.target, r.measured, r.result])));
}

// ---------------------------------------------------------------------------

async function main() {
  const wallStarted = Date.now();
  const hardStop = setTimeout(() => {
    process.stderr.write(`bench: hard time limit (${P.hardLimitMinutes} min) reached, exiting\n`);
    process.exit(3);
  }, P.hardLimitMinutes * 60_000);
  hardStop.unref();
  if (QUICK) progress(`--quick: baseline, the ${P.rates.join(', ')}/s step, one saturation burst${P.scaleOutProcesses >= 2 ? ` and the same burst on ${P.scaleOutProcesses} processors` : ''}${P.phases.includes('bridge') ? ', bridge' : ''}`);
  stackUp();
  const only = P.phases;
  // The baseline is the pipeline's reference (and the first table); the llm phase alone does without it.
  if (only.some((phase) => phase !== 'llm')) {
    progress('phase 1/3: baseline');
    results.baseline = await baseline();
    progress(`baseline: ${results.baseline.steadyPerSec} events/s steady`);
  }
  if (only.includes('pipeline')) {
    progress('phase 2/3: pipeline');
    try {
      results.pipeline = await pipeline(results.baseline);
    } catch (error) {
      results.pipeline = { error: String(error?.stack ?? error) };
      progress(`pipeline failed: ${error?.message}`);
    }
  }
  if (only.includes('bridge')) {
    progress('phase 3/3: bridge');
    try {
      results.bridge = await bridgeBench();
    } catch (error) {
      results.bridge = { error: String(error?.stack ?? error) };
      progress(`bridge failed: ${error?.message}`);
    }
  }
  // The LLM path (bench/llm-path.js): its tables print after the others.
  const llmTables = [];
  if (only.includes('llm')) {
    progress('phase llm: the cost of the LLM path (bench/llm-path.js)');
    try {
      results.llm = await llmPathBench({ print: (text) => llmTables.push(text), parameters: llmParameters() });
    } catch (error) {
      results.llm = { error: String(error?.stack ?? error) };
      progress(`llm failed: ${error?.message}`);
    }
  }
  results.durationSeconds = round((Date.now() - wallStarted) / 1000, 0);
  if (results.baseline) report(results);
  for (const text of llmTables) print(text);
  mkdirSync(projectPath('bench/results'), { recursive: true });
  const file = projectPath('bench/results', `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  results.tables = tables.join('\n');
  writeFileSync(file, `${JSON.stringify(results, (k, v) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
  process.stdout.write(`\nresults: ${file} (bench took ${results.durationSeconds} s)\n`);
  if (results.pipeline?.scaleOutError) process.stdout.write(`\nnote: the scale-out step did not complete: ${results.pipeline.scaleOutError.split('\n')[0]}\n`);
  if (results.pipeline?.extraConcurrencyError) process.stdout.write(`\nnote: the concurrency-${P.extraConcurrency} step did not run: ${results.pipeline.extraConcurrencyError} (details in the JSON, pipeline.restartFailure)\n`);
  const failed = results.pipeline?.error || results.bridge?.error || results.llm?.error;
  if (failed) process.stdout.write(`\nsome phases failed:\n${results.pipeline?.error ?? ''}\n${results.bridge?.error ?? ''}\n${results.llm?.error ?? ''}\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
