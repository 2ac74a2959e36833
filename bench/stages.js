// `npm run bench:stages`: CPU per event of the chat processors alone, without Kafka:
// the real stages, agents and conversation store over a seeded database of its own,
// each message at the next offset of its partition and the store flushed every 50
// records per partition, as the runtime does on commit. Workflows are recorded,
// not started (Temporal is not measured here). Prints a table; never asserts.
//
//   node bench/stages.js [--events N] [--bookings N]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/stages.js   # with V8's profiler
import { performance } from 'node:perf_hooks';
import { ConversationStore } from '../dist/src/state/conversation-store.js';
import { createLogger } from '../dist/src/log.js';
import { BusinessDirectory, createProcessors, poolDb } from '../dist/processors/index.js';
import { CpuMeter, createBenchDatabase, progress, round, table } from './lib.js';
import { BOOKING_TURNS, makeConversations, nextMessage } from './workload.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 3000);
const BOOKINGS = arg('bookings', 60);
const PARTITIONS = 12;
const FLUSH_EVERY = 50;

const db = await createBenchDatabase();
try {
  const clock = { now: () => Date.now() };
  const started = [];
  const workflows = {
    startWorkflow: async (kind, input, options) => {
      started.push(kind);
      return { workflowId: options.workflowId ?? `wf-${started.length}`, runId: 'r', alreadyStarted: false };
    },
    cancelWorkflow: async (workflowId) => ({ workflowId, runId: 'r', method: 'signal' }),
  };
  const store = new ConversationStore(db.pool, { databaseUrl: db.url, ttlSeconds: 3600 });
  const businesses = new BusinessDirectory(poolDb(db.pool, db.url), clock.now);
  const processors = new Map(createProcessors({ pool: db.pool, store, businesses, workflows, config: { databaseUrl: db.url }, clock }).map((p) => [p.chatType, p]));
  const logger = createLogger('bench-stages', 'silent');
  const offsets = new Array(PARTITIONS).fill(0);
  const unflushed = new Array(PARTITIONS).fill(0);
  const partitionOf = (id) => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % PARTITIONS;

  const run = async (label, messages) => {
    let flushCpu = 0;
    const stages = {};
    const meter = new CpuMeter({});
    meter.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const message of messages) {
      const partition = partitionOf(message.conversationId);
      const result = await processors.get(message.chatType).process(message, {
        logger, source: { topic: 'chat.inbound', partition, offset: String(offsets[partition]++) }, clock, stageLatenciesMs: {},
        observeStage: (stage, ms) => { stages[stage] = (stages[stage] ?? 0) + ms; },
      });
      if (result.outputs.length === 0) throw new Error(`no outputs for ${message.text}`);
      if (++unflushed[partition] >= FLUSH_EVERY) {
        const f = process.cpuUsage();
        await store.flush(partition);
        const d = process.cpuUsage(f);
        flushCpu += (d.user + d.system) / 1000;
        unflushed[partition] = 0;
      }
    }
    for (let p = 0; p < PARTITIONS; p++) await store.flush(p);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    meter.stop();
    const postgresUs = Math.round((meter.cpuSeconds().postgres * 1e6) / messages.length);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      label, events: messages.length, wallMs: round(wallMs), evPerS: round(messages.length / (wallMs / 1000)),
      cpuUsPerEvent: Math.round((cpuMs * 1000) / messages.length), postgresUsPerEvent: postgresUs, flushCpuUsPerEvent: Math.round((flushCpu * 1000) / messages.length),
      stageWallMsPerEvent: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(v / messages.length, 3)])),
    };
  };

  const conversations = makeConversations(300);
  progress('warm-up: one turn per conversation');
  await run('warm-up', conversations.map((c) => nextMessage(c)));
  progress(`questions: ${EVENTS} events`);
  const questions = await run('questions (GLOBAL, DEDICATED, DASHBOARD)', Array.from({ length: EVENTS }, (_, i) => nextMessage(conversations[i % conversations.length])));
  const perType = [];
  for (const chatType of ['GLOBAL', 'DEDICATED', 'DASHBOARD']) {
    const ofType = conversations.filter((c) => c.chatType === chatType);
    perType.push(await run(`  ${chatType} only`, Array.from({ length: 600 }, (_, i) => nextMessage(ofType[i % ofType.length]))));
  }
  progress(`bookings: ${BOOKINGS} conversations × ${BOOKING_TURNS.length} turns`);
  const bookers = makeConversations(BOOKINGS * 3).filter((c) => c.chatType === 'DEDICATED')
    .map((c) => ({ ...c, businessId: 'lis-taberna-do-largo' }));
  const turns = [];
  for (let t = 0; t < BOOKING_TURNS.length; t++) for (const c of bookers) turns.push(nextMessage(c, BOOKING_TURNS));
  const bookings = await run('multi-turn booking (graph path)', turns);

  const rows = [questions, ...perType, bookings].map((r) => [
    r.label, r.events, r.evPerS, r.cpuUsPerEvent, r.flushCpuUsPerEvent, r.postgresUsPerEvent,
    Object.entries(r.stageWallMsPerEvent).map(([k, v]) => `${k} ${v}`).join(', '),
  ]);
  process.stdout.write(`${table('Processors without Kafka: CPU per event (one Node thread)', ['workload', 'events', 'ev/s', 'CPU µs/event', 'of it flush', 'PostgreSQL µs/event', 'stage wall ms/event'], rows)}\n`);
  process.stdout.write(`workflows recorded: ${started.length}\n`);
} finally {
  await db.drop();
}
