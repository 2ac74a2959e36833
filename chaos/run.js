// npm run chaos: fault injection against real services, then a verdict from what users
// and consumers saw. See chaos/README.md.
//
//   node chaos/run.js [--quick] [--seed N] [--json FILE]
//
// The full run starts a stack of its own (Kafka, registry, Redis, PostgreSQL, Temporal
// on ports of their own under .stack/chaos-full/) and, under a steady load, kill -9s the
// two processors of one group in turn, the worker mid-workflow and the bridge with clients
// attached; then kills each service and starts it again after 10 s. --quick (the bounded
// run of `npm test`) uses the main stack with a Redis of its own, and fewer of everything.
// Faults only ever hit processes this run started. Exit code 1 on any loss, duplicate,
// reordering, stalled partition, dead letter or booking problem.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createBenchDatabase, createCodec, createKafka, deleteTopicsWithPrefix, freePort, isolatedConfig, isolatedEnv,
  JWT_SECRET, prepareNamespace, projectPath, round, sleep, table, topicName, uniquePrefix,
} from '../bench/lib.js';
import { seededRandom } from '../bench/random.js';
import { readToEnd } from '../dist/src/kafka/read-to-end.js';
import { makeChaosConversations, Load } from './load.js';
import { CommitWatcher, ResumingClient } from './observers.js';
import { privateStack } from './services.js';
import { Supervised } from './supervisor.js';
import { failures, replyWaits, stalls, verify } from './verify.js';

const PROFILES = {
  full: {
    ownServices: ['postgres', 'redis', 'kafka', 'registry', 'temporal'],
    outages: ['redis', 'postgres', 'temporal', 'registry', 'kafka'],
    conversations: 150, bookings: 24, ratePerSecond: 20, clients: 30,
    processorKills: 10, killGapSeconds: [6, 14], outageSeconds: 10, settleSeconds: 15, rollingRestarts: 2,
  },
  quick: {
    ownServices: ['redis'],
    outages: ['redis'],
    conversations: 36, bookings: 6, ratePerSecond: 10, clients: 8,
    processorKills: 3, killGapSeconds: [6, 10], outageSeconds: 10, settleSeconds: 8, rollingRestarts: 1,
  },
};

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const profileName = flag('quick') ? 'quick' : 'full';
const profile = PROFILES[profileName];
const seed = Number(option('seed', String(Date.now() % 100_000)));
const jsonPath = option('json', projectPath(`chaos/results/${profileName}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));

const started = Date.now();
const round1 = (x) => (x === null || x === undefined ? '—' : round(x));
const log = (line) => process.stderr.write(`[chaos +${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);

const random = seededRandom(seed);
const between = ([lo, hi]) => lo + random() * (hi - lo);

/** Waits until `condition()` holds, at most `seconds`; returns whether it did. */
async function until(condition, seconds, everyMs = 500) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

async function main() {
  log(`profile ${profileName}, seed ${seed}`);
  const stack = privateStack(profileName, profile.ownServices);
  log(`starting services of our own (${profile.ownServices.join(', ')}) under ${stack.dir}`);
  stack.up();
  Object.assign(process.env, stack.clientEnv());

  const prefix = uniquePrefix('chaos');
  const db = await createBenchDatabase();
  const extra = { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` };
  // The run's own Kafka clients stay quiet: their reconnect errors during an outage are expected.
  const config = isolatedConfig(prefix, { ...extra, X7_LOG_LEVEL: 'silent' });
  const cleanups = [async () => db.drop(), async () => deleteTopicsWithPrefix(config, prefix)];
  const processes = [];
  const clients = [];
  let watcher;
  let load;
  const faults = [];
  const kills = [];
  const terms = [];
  try {
    await prepareNamespace(config);
    const codec = createCodec(config);
    const env = isolatedEnv(prefix, { ...extra, X7_METRICS_PORT: '0', X7_LOG_LEVEL: 'warn' });
    const worker = new Supervised('worker', ['worker'], env, log);
    const processors = ['a', 'b'].map((id) => new Supervised(`processor-${id}`, ['processor'], { ...env, KAFKA_CLIENT_ID: `chaos-${id}` }, log));
    const bridgePort = await freePort();
    const bridge = new Supervised('bridge', ['bridge'], {
      ...env, X7_JWT_SECRET: JWT_SECRET, X7_BRIDGE_PORT: String(bridgePort), X7_BRIDGE_INSTANCE_ID: `${prefix}bridge`,
      X7_HISTORY_TTL_MS: String(3_600_000), X7_BRIDGE_METRICS_PORT: '0',
    }, log);
    processes.push(worker, ...processors, bridge);
    for (const p of processes) p.start();

    watcher = new CommitWatcher(config, config.consumerGroup, topicName(config, 'chat.inbound'));
    await watcher.start();
    const joined = await until(async () => (await watcher.partitionsOf('chaos-')).length === 12
      && (await watcher.partitionsOf('chaos-a')).length > 0 && (await watcher.partitionsOf('chaos-b')).length > 0, 90, 1000);
    if (!joined) throw new Error(`the two processors did not share the partitions within 90 s:\n${processors.map((p) => p.output()).join('\n')}`);
    const bridgeUp = await until(async () => (await fetch(`http://127.0.0.1:${bridgePort}/readyz`).then((r) => r.status).catch(() => 0)) === 200, 60);
    if (!bridgeUp) throw new Error(`x7 bridge not ready within 60 s:\n${bridge.output()}`);
    log('worker, two processors and the bridge are up');

    const conversations = makeChaosConversations(profile.conversations, profile.bookings);
    for (const c of conversations.filter((x) => x.booking).concat(conversations.filter((x) => !x.booking)).slice(0, profile.clients)) {
      const client = new ResumingClient({ url: `ws://127.0.0.1:${bridgePort}/v1/stream`, secret: JWT_SECRET, userId: c.userId, conversationId: c.id, log });
      await client.start();
      clients.push(client);
    }
    load = new Load({ config, codec, conversations, ratePerSecond: profile.ratePerSecond, log });
    await load.start();
    log(`load: ${profile.ratePerSecond} messages/s over ${conversations.length} conversations (${profile.bookings} bookings), ${clients.length} WebSocket clients`);
    await sleep(10_000);

    // Processor kills, one process at a time, at random moments; the worker and the bridge in between.
    const middle = Math.ceil(profile.processorKills / 2);
    for (let k = 1; k <= profile.processorKills; k++) {
      await sleep(between(profile.killGapSeconds) * 1000);
      const victim = processors[k % 2];
      const partitions = await watcher.partitionsOf(`chaos-${victim.name.slice(-1)}`).catch(() => []);
      // A commit made just before the kill must not count as the first one after it.
      await watcher.poll().catch(() => undefined);
      const committed = Object.fromEntries(partitions.map((p) => [p, watcher.committed.get(p)]));
      const at = Date.now();
      await victim.kill9(1_000);
      kills.push({ label: `${victim.name} #${k}`, at, partitions, committed });
      faults.push({ at, fault: `kill -9 ${victim.name}`, detail: `held partitions ${partitions.join(',') || 'none'}` });
      log(`kill -9 ${victim.name} (#${k}), which held partitions ${partitions.join(',') || 'none'}`);
      if (k === middle) {
        await sleep(3_000);
        faults.push({ at: Date.now(), fault: 'kill -9 worker', detail: 'reservation workflows open' });
        log('kill -9 worker');
        await worker.kill9(2_000);
        await sleep(3_000);
        faults.push({ at: Date.now(), fault: 'kill -9 bridge', detail: `${clients.length} clients attached` });
        log(`kill -9 bridge (${clients.length} clients attached)`);
        await bridge.kill9(1_000);
      }
    }

    // Rolling restarts, as a deployment does them: SIGTERM one processor, start its
    // successor, wait until the group has shared the partitions again, then the other.
    for (let round = 1; round <= profile.rollingRestarts; round++) {
      for (const victim of processors) {
        await sleep(profile.settleSeconds * 1000);
        const partitions = await watcher.partitionsOf(`chaos-${victim.name.slice(-1)}`).catch(() => []);
        await watcher.poll().catch(() => undefined);
        const committed = Object.fromEntries(partitions.map((p) => [p, watcher.committed.get(p)]));
        const at = Date.now();
        const exit = await victim.sigterm();
        terms.push({ label: `${victim.name} SIGTERM #${round}`, at, partitions, committed });
        faults.push({ at, fault: `SIGTERM ${victim.name}`, detail: `left in ${round1(exit?.seconds)} s with exit code ${exit?.code ?? exit?.signal}` });
        log(`SIGTERM ${victim.name}: it left in ${round1(exit?.seconds)} s (exit ${exit?.code ?? exit?.signal}); started again`);
        await until(async () => (await watcher.partitionsOf(`chaos-${victim.name.slice(-1)}`).catch(() => [])).length > 0, 60, 1000);
      }
    }

    for (const service of profile.outages) {
      await sleep(profile.settleSeconds * 1000);
      const at = Date.now();
      stack.kill9(service);
      log(`kill -9 ${service}; back in ${profile.outageSeconds} s`);
      await sleep(profile.outageSeconds * 1000);
      stack.up([service]);
      faults.push({ at, fault: `${service} down`, detail: `${round((Date.now() - at) / 1000)} s until it answered again` });
      log(`${service} answers again after ${round((Date.now() - at) / 1000)} s`);
    }
    await sleep(profile.settleSeconds * 1000);
    await load.stop();
    log(`load stopped: ${load.sent.length} messages sent (${load.sent.filter((s) => s.resent).length} sent again after a failed send)`);

    // Everything sent must be committed by the group; a partition that is not, is stalled.
    let behind = [];
    await until(async () => (behind = await watcher.behind().catch(() => behind)).length === 0, 180, 1000);
    if (behind.length > 0) log(`stalled: ${behind.map((b) => `p${b.partition} ${b.committed}/${b.end}`).join(', ')}`);

    // Let the worker report the last workflow changes and the clients catch up.
    const outbound = await readOutbound(config, codec);
    const expected = countByConversation(outbound);
    await until(() => clients.every((c) => new Set(c.received).size >= (expected.get(c.conversationId) ?? 0)), 60);
    await sleep(5_000);
    const evidence = {
      sent: load.sent,
      outbound: await readOutbound(config, codec),
      analytics: await readAnalytics(config, codec),
      dlq: await countRecords(config),
      storedMessages: (await db.pool.query("select event_id::text as id from messages where role = 'user'")).rows.map((r) => r.id),
      bookings: (await db.pool.query('select conversation_id as "conversationId", status, workflow_id as "workflowId" from bookings where conversation_id like $1', ['c-chaos-booking-%'])).rows,
      workflowRuns: (await db.pool.query('select workflow_id as "workflowId", conversation_id as "conversationId", status, workflow_type as "workflowType" from workflow_runs where conversation_id like $1', ['c-chaos-booking-%'])).rows,
      bookingConversations: conversations.filter((c) => c.booking).map((c) => c.id),
      clients: clients.map((c) => ({ conversationId: c.conversationId, received: c.received })),
    };
    const verdict = verify(evidence);
    const stall = stalls(kills, watcher.advances, watcher.committed);
    const handOver = stalls(terms, watcher.advances, watcher.committed);
    const waits = replyWaits(load.sent, evidence.outbound, faults);
    const processStats = processes.map((p) => ({ name: p.name, kills: p.kills, unexpectedExits: p.unexpectedExits.length, exits: p.unexpectedExits }));
    const result = {
      profile: profileName, seed, startedAt: new Date(started).toISOString(), seconds: round((Date.now() - started) / 1000),
      load: { conversations: conversations.length, bookings: profile.bookings, ratePerSecond: profile.ratePerSecond, failedSends: load.failedSends },
      faults: faults.map((f) => ({ ...f, atSecond: round((f.at - started) / 1000) })),
      stalledPartitions: behind.length,
      stall: { longestSeconds: stall.longest, medianSeconds: stall.median, unrecovered: stall.unrecovered, samples: stall.samples },
      handOver: { longestSeconds: handOver.longest, medianSeconds: handOver.median, unrecovered: handOver.unrecovered, samples: handOver.samples },
      terminations: processors.flatMap((p) => (p.terminations ?? []).map((t) => ({ process: p.name, ...t }))),
      replyWaits: { quiet: waits.quiet, perFault: waits.perFault.map((w) => ({ ...w, atSecond: round((w.at - started) / 1000) })) },
      verdict,
      processes: processStats,
      clients: clients.map((c) => ({ conversationId: c.conversationId, events: c.received.length, reconnects: c.reconnects, unavailable: c.unavailable, historyGaps: c.historyGaps, errors: c.errors })),
    };
    const fails = failures(verdict, behind.length);
    if (stall.unrecovered > 0) fails.push(`${stall.unrecovered} partitions never committed again after a kill`);
    if (handOver.unrecovered > 0) fails.push(`${handOver.unrecovered} partitions never committed again after a SIGTERM`);
    const unclean = result.terminations.filter((t) => t.code !== 0);
    if (unclean.length > 0) fails.push(`${unclean.length} processors did not exit 0 on SIGTERM`);
    result.failures = fails;
    report(result);
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    log(`results written to ${jsonPath}`);
    return fails.length === 0 ? 0 : 1;
  } finally {
    log('cleaning up: clients, load, processes, database, topics, our services');
    for (const c of clients) await c.stop();
    await load?.stop().catch(() => undefined);
    await watcher?.stop().catch(() => undefined);
    for (const p of processes) await p.stop().catch(() => undefined);
    for (const c of cleanups) await c().catch((e) => log(`cleanup: ${e.message}`));
    stack.down();
  }
}

/** Every committed record of one of the run's topics, decoded and mapped, in offset order per partition. */
async function readTopic(config, codec, logicalTopic, map) {
  const out = [];
  await readToEnd(createKafka(config, 'chaos-read'), topicName(config, logicalTopic), {
    groupPrefix: config.topicPrefix,
    onMessage: async (_partition, message) => {
      out.push(map(codec ? (await codec.decode(logicalTopic, message.value)).value : null, message));
    },
  });
  return out;
}

const readOutbound = (config, codec) => readTopic(config, codec, 'chat.outbound', (e, record) => ({
  eventId: e.eventId, conversationId: e.conversationId, causationId: e.causationId, kind: e.body.type, status: e.body.status,
  timestamp: Number(record.timestamp),
}));
const readAnalytics = (config, codec) => readTopic(config, codec, 'chat.analytics', (f) => ({ eventId: f.eventId, inboundEventId: f.inboundEventId }));
const countRecords = async (config) => (await readTopic(config, null, 'chat.inbound.dlq', () => 1)).length;

function countByConversation(outbound) {
  const seen = new Set();
  const counts = new Map();
  for (const e of outbound) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    counts.set(e.conversationId, (counts.get(e.conversationId) ?? 0) + 1);
  }
  return counts;
}

function report(r) {
  const v = r.verdict;
  const out = [];
  out.push(table(`Faults injected (${r.profile}, seed ${r.seed})`, ['at s', 'fault', 'detail'], r.faults.map((f) => [f.atSecond, f.fault, f.detail])));
  out.push(table('Verdict', ['check', 'count'], [
    ['messages sent', v.messages], ['sent again after a failed send', v.resent], ['lost', v.lost], ['duplicated', v.duplicated],
    ['out of order', v.outOfOrder], ['dead-lettered', v.deadLettered], ['stalled partitions', r.stalledPartitions],
    ['booking conversations / booked', `${v.bookingConversations} / ${v.booked}`], ['booking problems', v.bookingProblems],
    ['WebSocket clients', v.clients], ['clients with a gap / duplicate / reordering', `${v.clientGaps} / ${v.clientDuplicates} / ${v.clientOutOfOrder}`],
  ]));
  out.push(table('Stall after a processor kill -9 (until each partition it held commits again)', ['longest s', 'median s', 'samples', 'never recovered'], [
    [r.stall.longestSeconds ?? '—', r.stall.medianSeconds ?? '—', r.stall.samples.length, r.stall.unrecovered],
  ]));
  out.push(table('Hand-over on SIGTERM (rolling restart: until each partition the leaving process held commits again)', ['longest s', 'median s', 'samples', 'never recovered', 'exits (code, s to leave)'], [
    [r.handOver.longestSeconds ?? '—', r.handOver.medianSeconds ?? '—', r.handOver.samples.length, r.handOver.unrecovered, r.terminations.map((t) => `${t.code ?? t.signal} in ${round1(t.seconds)}`).join(', ') || '—'],
  ]));
  out.push(table('Reply wait for messages sent after each fault, until the next (send acknowledged → Reply on chat.outbound)', ['at s', 'fault', 'window s', 'messages', 'longest s', 'median s'], [
    ...r.replyWaits.perFault.map((w) => [w.atSecond, w.fault, round(w.windowSeconds), w.messages, round(w.longestSeconds, 2), round(w.medianSeconds, 2)]),
    ['—', 'before the first fault', '—', r.replyWaits.quiet.messages, round(r.replyWaits.quiet.longestSeconds, 2), round(r.replyWaits.quiet.medianSeconds, 2)],
  ]));
  out.push(table('Processes', ['process', 'kill -9', 'exited on their own'], r.processes.map((p) => [p.name, p.kills, p.unexpectedExits])));
  process.stdout.write(`${out.join('\n')}\n`);
  if (v.problems.length > 0) process.stdout.write(`First problems:\n${v.problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.stdout.write(r.failures.length ? `FAILED: ${r.failures.join('; ')}\n` : 'PASSED: nothing lost, duplicated, reordered or stalled\n');
}

main().then((code) => process.exit(code), (error) => {
  log(`chaos run failed: ${error?.stack ?? error}`);
  process.exit(2);
});
