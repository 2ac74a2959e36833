// The cost of understanding with an LLM: `x7 processor` with X7_LLM_BASE_URL set, where
// one message in ten is one the rules find no intent in (so it goes to the model) and
// the rest are the pipeline phase's workload (bench/workload.js), which the rules read.
//
//   A. A FIXED-LATENCY STAND-IN, not a model: an OpenAI-compatible server in this
//      process that answers every chat completion after BENCH_LLM_LATENCY_MS (300),
//      the round trip of a hosted model, with a schema-valid answer from a table. It
//      measures the pipeline's own cost of the path: the client's concurrency cap
//      (X7_LLM_MAX_CONCURRENCY), a partition waiting in order behind its message, the
//      extra CPU. Steps: the same offered rate without and with the 10 %, and a burst
//      without and with it (events/s), then the 10 % burst again with a higher cap.
//   B. THE REAL LOCAL MODEL (`x7 llm serve`, Gemma 3 270M on the CPU, niced), at a rate
//      it can serve: it classifies one message in 4–10 s here, so 10 % of 1 event/s.
//      Skipped when it is not installed (npm run llm:install) or BENCH_LLM_LOCAL=0.
//
// Latency is produce → reply (the terminal StatusUpdate on chat.outbound, read
// committed), split by whether the message needed the model; the analytics facts
// confirm which ones did (understoodBy LLM). Nothing is asserted.
//
// Alone: `node bench/llm-path.js` (after `npm run build`), or `npm run bench -- --only llm`.
// From bench/run.js it is the `llm` phase. Results: bench/results/llm-path-<time>.json
// when run alone, under `llm` in the run's JSON otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  CpuMeter, createBenchDatabase, createCodec, createKafka, deleteTopicsWithPrefix, exited, fmt, formatMs, freePort,
  isolatedConfig, isolatedEnv, JAVA_COMPATIBLE_PARTITIONER, latencySummary, now, prepareNamespace, progress, projectPath,
  readyzStatus, round, sleep, stackUp, startX7, steadyRate, stopChild, table, topicName, uniquePrefix,
} from './lib.js';
import { makeConversations, nextMessage, TEXTS } from './workload.js';
import { loadCatalog } from '../dist/src/nlu/evaluate.js';
import { needsModel, understand } from '../dist/src/understanding/index.js';

// Messages the rules find no intent in (unknown, confidence 0: checked against the rules
// when this was written; the facts' understoodBy shows it at run time), per chat type,
// with the intent the stand-in names for each (the agent that answers does its usual work).
export const LLM_TEXTS = {
  DEDICATED: ['got anything sweet to finish off a meal?', 'anything for someone who eats no meat?', 'is the octopus any good here'],
  GLOBAL: ['somewhere nice to take my parents', 'where do locals go for grilled sardines', 'fancy a bite by the river'],
  DASHBOARD: ['are folks chatting with us much lately'],
};
const STAND_IN_INTENTS = {
  'got anything sweet to finish off a meal?': 'menu_or_services',
  'anything for someone who eats no meat?': 'menu_or_services',
  'is the octopus any good here': 'menu_or_services',
  'somewhere nice to take my parents': 'recommend',
  'where do locals go for grilled sardines': 'search',
  'fancy a bite by the river': 'search',
  'are folks chatting with us much lately': 'analytics_volume',
};
// The pipeline workload without the texts the rules find no intent in ("How can I pay?" and
// "What do you recommend?" at a DEDICATED restaurant, 2026-11-27): with an LLM configured those
// would go to the model too, and the share that needs it would no longer be the step's.
export const RULES_TEXTS = (() => {
  const catalog = loadCatalog(projectPath('nlu/catalog.json'));
  const read = (chatType, text) => understand(text, { chatType, now: new Date(), timeZone: 'Europe/Lisbon', catalog, ...(chatType === 'DEDICATED' ? { businessCategory: 'restaurant' } : {}) });
  return Object.fromEntries(Object.entries(TEXTS).map(([chatType, texts]) => [chatType, texts.filter((t) => !needsModel(read(chatType, t), 0.5))]));
})();
const RULES_LEFT_OUT = Object.values(TEXTS).flat().filter((t) => !Object.values(RULES_TEXTS).flat().includes(t));
const NO_ENTITIES = { partySize: null, when: null, businessNames: [], categories: [], places: [], priceLevel: null };

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
export function llmParameters() {
  return {
    // One message in `every` needs the model (10 %).
    every: num('BENCH_LLM_EVERY', 10),
    latencyMs: num('BENCH_LLM_LATENCY_MS', 300),
    rate: num('BENCH_LLM_RATE', 50),
    stepSeconds: num('BENCH_LLM_STEP_SECONDS', 20),
    burst: num('BENCH_LLM_BURST', 3000),
    drainSeconds: num('BENCH_LLM_DRAIN_SECONDS', 120),
    conversations: num('BENCH_CONVERSATIONS', 300),
    // The processor's default X7_LLM_MAX_CONCURRENCY (4) first, then these (0: none).
    extraConcurrency: (process.env.BENCH_LLM_EXTRA_CONCURRENCY ?? '12').split(',').map(Number).filter((n) => n > 0),
    // A. the fixed-latency stand-in: 0 skips it.
    standIn: process.env.BENCH_LLM_STAND_IN !== '0',
    // The real local model: 'auto' (when installed), '1' or '0'.
    local: process.env.BENCH_LLM_LOCAL ?? 'auto',
    localRate: num('BENCH_LLM_LOCAL_RATE', 1),
    localSeconds: num('BENCH_LLM_LOCAL_SECONDS', 60),
    localDrainSeconds: num('BENCH_LLM_LOCAL_DRAIN_SECONDS', 180),
    localTimeoutMs: num('BENCH_LLM_LOCAL_TIMEOUT_MS', 60_000),
    localNice: num('BENCH_LLM_LOCAL_NICE', 10),
  };
}

// ---------------------------------------------------------------------------
// A. the fixed-latency stand-in (an OpenAI chat-completions endpoint, not a model)

async function startFixedLatencyStandIn(latencyMs) {
  const model = `fixed-latency-stand-in-${latencyMs}ms`;
  const stats = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const json = (status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (req.method === 'GET' && req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: model, object: 'model' }] });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(404, { error: { message: 'no route' } });
      const body = JSON.parse(raw);
      const text = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const intent = STAND_IN_INTENTS[text] ?? 'unknown';
      stats.requests++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      setTimeout(() => {
        stats.inFlight--;
        json(200, {
          id: `chatcmpl-${stats.requests}`, object: 'chat.completion', created: 0, model,
          choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify({ intent, confidence: 0.9, entities: NO_ENTITIES }) }, finish_reason: 'stop' }],
        });
      }, latencyMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    model,
    stats,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

// ---------------------------------------------------------------------------
// B. the real local model

function localModelInstalled() {
  return existsSync(projectPath('.stack/llm/gemma-3-270m-q4_k_m.gguf')) && existsSync(projectPath('llm/node_modules/node-llama-cpp/package.json'));
}

async function startLocalModel(niceness) {
  const port = await freePort();
  const args = [projectPath('bin/x7.js'), 'llm', 'serve', '--port', String(port)];
  const child = niceness > 0 ? spawn('nice', ['-n', String(niceness), process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = now() + 120_000;
  for (;;) {
    const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
    if (line) {
      const { url, model } = JSON.parse(line);
      return { url, model, child, completions: () => output.split('\n').filter((l) => l.includes('"msg":"chat completion"')).map((l) => JSON.parse(l)) };
    }
    if (exited(child) || now() > deadline) throw new Error(`x7 llm serve did not start:\n${output.slice(-2000)}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------
// the pipeline: one processor at a time, the bench's producer and readers

class Tracker {
  constructor() {
    this.sends = new Map(); // eventId → { t, step, llm }
    this.done = new Map(); // eventId → t of the terminal StatusUpdate (read committed)
    this.understoodBy = new Map(); // eventId → RULES | LLM (the analytics fact)
  }
}

async function startReaders(config, codec, tracker) {
  const outbound = createKafka(config, 'bench-llm-outbound').consumer({ groupId: `${config.topicPrefix}bench-llm-outbound`, maxWaitTimeInMs: 100, readUncommitted: false });
  const facts = createKafka(config, 'bench-llm-analytics').consumer({ groupId: `${config.topicPrefix}bench-llm-analytics`, maxWaitTimeInMs: 500, readUncommitted: false });
  await Promise.all([outbound.connect(), facts.connect()]);
  await outbound.subscribe({ topics: [topicName(config, 'chat.outbound')], fromBeginning: true });
  await facts.subscribe({ topics: [topicName(config, 'chat.analytics')], fromBeginning: true });
  await outbound.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      const t = now();
      for (const m of batch.messages) {
        const { value: e } = await codec.decode('chat.outbound', m.value);
        if (e.causationId && e.body.type === 'StatusUpdate' && (e.body.status === 'DONE' || e.body.status === 'FAILED')) tracker.done.set(e.causationId, t);
      }
    },
  });
  await facts.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const { value: f } = await codec.decode('chat.analytics', m.value);
        tracker.understoodBy.set(f.inboundEventId, f.understoodBy);
      }
    },
  });
  return async () => { await outbound.disconnect(); await facts.disconnect(); };
}

/** Sends `total` messages at `rate`/s (null: as fast as possible); every `every`-th needs the model (0: none). */
async function offer({ producer, codec, topic, conversations, tracker }, { step, rate, total, every }) {
  const ids = [];
  let cursor = Math.floor(Math.random() * conversations.length);
  let n = 0;
  const started = now();
  const sendUpTo = async (due) => {
    const batch = [];
    while (ids.length + batch.length < due) {
      const c = conversations[cursor++ % conversations.length];
      const llm = every > 0 && n++ % every === 0;
      const m = nextMessage(c, llm ? LLM_TEXTS[c.chatType] : RULES_TEXTS[c.chatType]);
      batch.push({ m, llm, record: { key: m.conversationId, value: await codec.encode('chat.inbound', m) } });
    }
    const t = now();
    for (const { m, llm } of batch) {
      tracker.sends.set(m.eventId, { t, step, llm });
      ids.push(m.eventId);
    }
    if (batch.length) await producer.send({ topic, acks: -1, messages: batch.map((x) => x.record) });
  };
  while (ids.length < total) {
    if (rate === null) await sendUpTo(Math.min(total, ids.length + 250));
    else {
      await sendUpTo(Math.min(total, Math.floor((rate * (now() - started)) / 1000) + 1));
      await sleep(10);
    }
  }
  return { ids, sendSeconds: (now() - started) / 1000 };
}

async function drain(tracker, ids, timeoutMs, label) {
  const deadline = now() + timeoutMs;
  let lastReport = now();
  for (;;) {
    const k = ids.filter((id) => tracker.done.has(id)).length;
    if (k === ids.length) return true;
    if (now() > deadline) {
      progress(`${label}: drain timeout with ${k}/${ids.length} replies`);
      return false;
    }
    if (now() - lastReport > 10_000) {
      lastReport = now();
      progress(`${label}: draining, ${k}/${ids.length} replies`);
    }
    await sleep(100);
  }
}

function summarize(tracker, ids, { label, model, cap, rate, sendSeconds, drained, cpu, cpuSeconds }) {
  const lat = { llm: [], rules: [] };
  const sent = { llm: 0, rules: 0 };
  const doneTimes = [];
  let firstSend = Infinity;
  let viaLlm = 0;
  let rulesViaLlm = 0;
  for (const id of ids) {
    const s = tracker.sends.get(id);
    const kind = s.llm ? 'llm' : 'rules';
    sent[kind]++;
    firstSend = Math.min(firstSend, s.t);
    const d = tracker.done.get(id);
    if (d !== undefined) {
      lat[kind].push(d - s.t);
      doneTimes.push(d);
    }
    if (tracker.understoodBy.get(id) === 'LLM') {
      if (s.llm) viaLlm++;
      else rulesViaLlm++;
    }
  }
  const replied = doneTimes.length;
  const lastDone = replied ? Math.max(...doneTimes) : NaN;
  return {
    label, model, maxConcurrency: cap, offeredPerSec: rate, sent: ids.length, sentLlm: sent.llm, sendSeconds: round(sendSeconds, 1),
    replied, drained,
    // Of the messages that needed the model, how many the facts say it named the intent of (read shortly after the drain).
    understoodByLlm: viaLlm,
    // Of the others, how many went to the model all the same (should be 0).
    othersUnderstoodByLlm: rulesViaLlm,
    overallPerSec: round(replied / ((lastDone - firstSend) / 1000), 1),
    steadyPerSec: round(steadyRate(doneTimes), 0),
    latencyLlmMs: latencySummary(lat.llm, sent.llm - lat.llm.length),
    latencyRulesMs: latencySummary(lat.rules, sent.rules - lat.rules.length),
    cpuPct: cpu,
    processorCpuMsPerEvent: replied ? round((cpuSeconds.processor * 1000) / replied, 2) : null,
  };
}

/** One processor of its own consumer group, starting at the end of chat.inbound, ready and answering. */
async function startProcessor(ctx, env, label) {
  const admin = createKafka(ctx.config, 'bench-llm-admin').admin();
  await admin.connect();
  const group = `${ctx.prefix}processor-${label}`;
  try {
    const ends = await admin.fetchTopicOffsets(ctx.topic);
    await admin.setOffsets({ groupId: group, topic: ctx.topic, partitions: ends.map((o) => ({ partition: o.partition, offset: o.high })) });
  } finally {
    await admin.disconnect();
  }
  const metricsPort = await freePort();
  const child = startX7(['processor'], { ...ctx.processorEnv, ...env, X7_CONSUMER_GROUP: group, X7_METRICS_PORT: String(metricsPort) });
  const deadline = now() + 120_000;
  while ((await readyzStatus(metricsPort)) !== 200) {
    if (exited(child) || now() > deadline) throw new Error(`x7 processor (${label}) not ready:\n${child.output().slice(-3000)}`);
    await sleep(250);
  }
  // Warm: a rules-only turn on every conversation (state created, JIT warm), not measured.
  const warm = await offer(ctx, { step: `warm-${label}`, rate: 150, total: ctx.conversations.length, every: 0 });
  if (!(await drain(ctx.tracker, warm.ids, 120_000, `warm-up (${label})`))) throw new Error(`x7 processor (${label}) did not answer its warm-up:\n${child.output().slice(-3000)}`);
  return child;
}

// How often the processor lost its group membership: it logs (warn) each partition paused by
// "The coordinator is not aware of this member" (UNKNOWN_MEMBER_ID) when a record kept it
// from heartbeating for longer than the 6 s session (src/kafka/client.ts GROUP_TIMING).
const evictions = (child) => child.output().split('The coordinator is not aware of this member').length - 1;

async function step(ctx, child, { label, model, cap, rate, total, every, drainSeconds }) {
  progress(`llm: ${label}: ${rate ? `${rate} events/s for ${round(total / rate, 0)} s` : `${total} events as fast as possible`}, ${every ? `1 in ${every} to the model` : 'none to the model'}`);
  const evictedBefore = evictions(child);
  const cpu = new CpuMeter({ processor: child.pid, bench: process.pid });
  cpu.start();
  const sent = await offer(ctx, { step: label, rate, total, every });
  const drained = await drain(ctx.tracker, sent.ids, drainSeconds * 1000, label);
  const cpuPct = cpu.stop();
  await sleep(1500); // the facts of the last replies
  const s = summarize(ctx.tracker, sent.ids, { label, model, cap, rate, sendSeconds: sent.sendSeconds, drained, cpu: cpuPct, cpuSeconds: cpu.cpuSeconds() });
  s.evictions = evictions(child) - evictedBefore;
  progress(`llm: ${label}: ${s.replied}/${s.sent} replied, ${s.steadyPerSec ?? s.overallPerSec} events/s, p99 model ${formatMs(s.latencyLlmMs.p99)} ms / rules ${formatMs(s.latencyRulesMs.p99)} ms`);
  if (exited(child)) throw new Error(`x7 processor exited during ${label}:\n${child.output().slice(-3000)}`);
  return s;
}

export async function llmPathBench({ print, parameters = llmParameters() }) {
  const P = parameters;
  const prefix = uniquePrefix('llm');
  const db = await createBenchDatabase();
  const config = isolatedConfig(prefix, { X7_LOG_LEVEL: 'silent', DATABASE_URL: db.url });
  progress(`llm: namespace ${prefix}, database ${db.name}`);
  const cleanups = [async () => db.drop(), async () => deleteTopicsWithPrefix(config, prefix)];
  const out = { prefix, parameters: P, steps: [] };
  let processor = null;
  try {
    await prepareNamespace(config);
    const codec = createCodec(config);
    const tracker = new Tracker();
    cleanups.unshift(await startReaders(config, codec, tracker));
    const producer = createKafka(config, 'bench-llm-producer').producer({ createPartitioner: JAVA_COMPATIBLE_PARTITIONER });
    await producer.connect();
    cleanups.unshift(async () => producer.disconnect());
    const ctx = {
      config, codec, tracker, producer, prefix, topic: topicName(config, 'chat.inbound'),
      conversations: makeConversations(P.conversations),
      processorEnv: isolatedEnv(prefix, { DATABASE_URL: db.url, X7_CHECKPOINT_TTL_SECONDS: '3600', X7_LOG_LEVEL: process.env.BENCH_PROCESSOR_LOG_LEVEL ?? 'warn' }),
    };
    cleanups.unshift(async () => { if (processor && !exited(processor)) await stopChild(processor); });

    // A. fixed-latency stand-in
    const standIn = await startFixedLatencyStandIn(P.latencyMs);
    cleanups.unshift(async () => standIn.stop());
    const standInEnv = { X7_LLM_BASE_URL: standIn.url, X7_LLM_MODEL: standIn.model, X7_LLM_TIMEOUT_MS: '10000' };
    const timed = P.rate * P.stepSeconds;
    for (const cap of P.standIn ? [4, ...P.extraConcurrency] : []) {
      processor = await startProcessor(ctx, { ...standInEnv, X7_LLM_MAX_CONCURRENCY: String(cap) }, `cap${cap}`);
      const common = { model: standIn.model, cap, drainSeconds: P.drainSeconds };
      if (cap === 4) {
        out.steps.push(await step(ctx, processor, { ...common, label: `${P.rate}/s, rules only`, rate: P.rate, total: timed, every: 0 }));
        out.steps.push(await step(ctx, processor, { ...common, label: `${P.rate}/s, 10 % to the model`, rate: P.rate, total: timed, every: P.every }));
        out.steps.push(await step(ctx, processor, { ...common, label: 'burst, rules only', rate: null, total: P.burst, every: 0 }));
      }
      out.steps.push(await step(ctx, processor, { ...common, label: `burst, 10 % to the model, cap ${cap}`, rate: null, total: P.burst, every: P.every }));
      await stopChild(processor);
    }
    out.standIn = !P.standIn ? null : { model: standIn.model, latencyMs: P.latencyMs, requests: standIn.stats.requests, maxInFlight: standIn.stats.maxInFlight };

    // B. the real local model
    const runLocal = P.local === '1' || (P.local === 'auto' && localModelInstalled());
    if (!runLocal) {
      out.local = { skipped: P.local === '0' ? 'BENCH_LLM_LOCAL=0' : 'the local model is not installed (npm run llm:install)' };
      progress(`llm: real local model skipped: ${out.local.skipped}`);
    } else {
      const local = await startLocalModel(P.localNice);
      cleanups.unshift(async () => { if (!exited(local.child)) await stopChild(local.child, 30_000); });
      progress(`llm: x7 llm serve (${local.model}, nice ${P.localNice}) at ${local.url}`);
      processor = await startProcessor(ctx, { X7_LLM_BASE_URL: local.url, X7_LLM_MODEL: local.model, X7_LLM_TIMEOUT_MS: String(P.localTimeoutMs) }, 'local');
      const before = local.completions().length;
      out.steps.push(await step(ctx, processor, {
        label: `${P.localRate}/s, 10 % to the model, x7 llm serve`, model: local.model, cap: 4, rate: P.localRate,
        total: P.localRate * P.localSeconds, every: P.every, drainSeconds: P.localDrainSeconds,
      }));
      await stopChild(processor);
      const calls = local.completions().slice(before).map((c) => c.ms);
      out.local = { model: local.model, nice: P.localNice, completions: calls.length, completionMs: latencySummary(calls) };
      await stopChild(local.child, 30_000);
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error) => progress(`llm: cleanup failed: ${error?.message ?? error}`));
  }

  const ms = (v) => (v === null || v === undefined ? '–' : formatMs(v));
  print(table(`LLM path: 1 message in ${P.every} needs the model (the rest: the pipeline workload, read by the rules); latency produce → reply (Kafka, read committed)`,
    ['step', 'model', 'cap', 'sent', 'to model', 'understood by LLM (others)', 'replied', 'events/s', 'model p50', 'model p99', 'rules p50', 'rules p99', 'proc CPU ms/ev', 'machine %', 'not a member'],
    out.steps.map((s) => [
      s.label, s.model.startsWith('fixed-latency') ? `stand-in ${P.latencyMs} ms` : s.model, s.maxConcurrency, s.sent, s.sentLlm, `${s.understoodByLlm} (${s.othersUnderstoodByLlm})`,
      `${s.replied}${s.drained ? '' : ' (not drained)'}`, s.steadyPerSec ?? s.overallPerSec,
      ms(s.latencyLlmMs.p50), ms(s.latencyLlmMs.p99), ms(s.latencyRulesMs.p50), ms(s.latencyRulesMs.p99), fmt(s.processorCpuMsPerEvent), s.cpuPct.machine, s.evictions,
    ])));
  const notes = [
    'not a member: partitions the processor paused during the step because the broker no longer knew it (UNKNOWN_MEMBER_ID in its log, "The coordinator is not aware of this member"): a record at the model kept it from heartbeating for longer than the 6 s session, so it lost the group and rejoined',
    `rules messages: bench/workload.js without ${RULES_LEFT_OUT.map((t) => JSON.stringify(t)).join(', ') || 'nothing'} (the rules find no intent in them)`,
    out.standIn ? `stand-in: ${out.standIn.requests} requests, at most ${out.standIn.maxInFlight} in flight at once` : 'stand-in: skipped (BENCH_LLM_STAND_IN=0)',
    out.local?.skipped ? `real local model: skipped (${out.local.skipped})`
      : out.local ? `x7 llm serve (${out.local.model}, nice ${out.local.nice}): ${out.local.completions} completions, ${fmt(out.local.completionMs.p50)} ms p50, ${fmt(out.local.completionMs.max)} ms max each` : '',
  ];
  print(notes.filter(Boolean).map((l) => `  ${l}`).join('\n'));
  return out;
}

// ---------------------------------------------------------------------------
// alone: node bench/llm-path.js

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tables = [];
  const print = (text) => { tables.push(text); process.stdout.write(`${text}\n`); };
  const started = Date.now();
  const hardStop = setTimeout(() => { process.stderr.write('llm-path: hard time limit (20 min) reached, exiting\n'); process.exit(3); }, 20 * 60_000);
  hardStop.unref();
  try {
    stackUp();
    const results = {
      startedAt: new Date(started).toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: round(totalmem() / 1024 ** 3, 1), node: process.version },
    };
    results.llm = await llmPathBench({ print });
    results.durationSeconds = round((Date.now() - started) / 1000, 0);
    results.tables = tables.join('\n');
    mkdirSync(projectPath('bench/results'), { recursive: true });
    const file = projectPath('bench/results', `llm-path-${results.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, (k, v) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
    process.stdout.write(`\nresults: ${file} (took ${results.durationSeconds} s)\n`);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`llm-path failed: ${error?.stack ?? error}\n`);
    process.exit(1);
  }
}
