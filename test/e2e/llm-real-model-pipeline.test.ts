// Understanding with the REAL local model through the whole pipeline, the way a user
// runs it: `x7 llm serve` (Gemma 3 270M on the CPU) started by the test on a free port,
// and the processor (createProcessorService, as `x7 processor` assembles it) pointed at
// it with X7_LLM_BASE_URL and X7_LLM_MODEL, over a seeded PostgreSQL of the test's own
// and the stack's Kafka, registry and Temporal.
//
// A base model this small proves the wiring, not the understanding: which intent it
// names is not asserted, only that its answer (schema-valid, counted as answered) is
// the one used: the analytics fact says understoodBy LLM and names that intent, and
// the reply comes from the agent chosen for it. The deterministic stand-in
// (test/integration/llm-understanding.test.ts) covers what a real model cannot be made
// to do on demand: an answer outside the schema.
//
// Bounded: three messages go to the model. One classification takes 4–10 s on a quiet
// 2-core machine and up to ~60 s on a busy one (README, `x7 llm serve`), hence
// X7_LLM_TIMEOUT_MS 60 s (as X7_LLM=local sets it) and per-test limits of this file's own.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedicatedAgents } from '../../processors/dedicated/index.js';
import { selectAgents } from '../../processors/shared/agents.js';
import { createProcessorService, type ProcessorService } from '../../src/app/processor-service.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, OutboundEvent, Reply } from '../../src/events.js';
import { defaultModelPath } from '../../src/llm/runtime.js';
import { createLogger } from '../../src/log.js';
import { sampleValue } from '../../src/observability/metrics.js';
import { projectPath } from '../../src/paths.js';
import { modelIntents } from '../../src/understanding/llm-answer.js';
import type { Intent } from '../../src/understanding/intents.js';
import { startX7, stopProcess, llmServerUrl } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, sendChatMessages, sleep, TopicReader, uncommitted, waitUntil } from '../support/pipeline.js';
import { freePort } from '../support/ports.js';

const TABERNA = 'lis-taberna-do-largo'; // a restaurant in supabase/seed.sql
const INSTALL_LIMIT_MS = 900_000;
const LLM_TIMEOUT_MS = 60_000;
// Two classifications queued on one model, each up to LLM_TIMEOUT_MS when the box is busy, plus retries.
const ANSWER_WAIT_MS = 170_000;
const CASE_LIMIT_MS = 200_000;

// Messages the rules find no intent in (checked below through the fact: understoodBy LLM).
const SQUEEZE_IN = 'could we squeeze in me and three mates?';
const SWEET = 'got anything sweet to finish off a meal?';
const VEGGIE = 'anything for someone who eats no meat?';


describe('understanding with the real local model (x7 llm serve) through x7 processor', () => {
  let llmPort: number;
  let llmServer: ReturnType<typeof startX7> | undefined;
  let llmUrl: string;
  let model: string;
  let db: TestDatabase;
  let config: Config;
  let codec: EventCodec;
  let service: ProcessorService;
  let base: string;
  let outbound: TopicReader;
  let analytics: TopicReader;
  let dlq: TopicReader;

  const startModel = async () => {
    llmServer = startX7(['llm', 'serve', '--port', String(llmPort)]);
    llmUrl = await llmServerUrl(llmServer, 120_000);
  };
  const readyz = async () => (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; problems: string[] };
  /** Until /readyz is ready; when it is not in time, the error says what it still reports. */
  const untilReady = async (limitMs: number, what: string) => {
    let last: string[] = [];
    await waitUntil(async () => {
      const r = await readyz();
      last = r.problems;
      return r.ready;
    }, limitMs, what).catch((error: Error) => { throw new Error(`${error.message}; /readyz: ${JSON.stringify(last)}`); });
  };
  const metric = async (name: string, labels: Record<string, string>) => sampleValue(await (await fetch(`${base}/metrics`)).text(), name, labels) ?? 0;

  const message = (text: string): ChatMessage => ({
    eventId: randomUUID(), conversationId: `c-llm-real-${randomUUID().slice(0, 8)}`, chatType: 'DEDICATED', userId: 'u-diego', businessId: TABERNA,
    text, channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
  });

  async function outboundOf(m: ChatMessage): Promise<OutboundEvent[]> {
    const records = outbound.records.filter((r) => r.key?.toString() === m.conversationId);
    return Promise.all(records.map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
  }

  async function factsOf(m: ChatMessage): Promise<AnalyticsEvent[]> {
    const records = analytics.records.filter((r) => r.key?.toString() === m.conversationId);
    const facts = await Promise.all(records.map(async (r) => (await codec.decode('chat.analytics', r.value)).value));
    return facts.filter((f) => f.inboundEventId === m.eventId);
  }

  /** The replies to `m` and its analytics facts, once there is at least one of each. */
  async function answersTo(m: ChatMessage): Promise<{ replies: Reply[]; facts: AnalyticsEvent[] }> {
    const read = async () => ({
      replies: (await outboundOf(m)).map((e) => e.body).filter((b): b is Reply => b.type === 'Reply'),
      facts: await factsOf(m),
    });
    await waitUntil(async () => {
      const { replies, facts } = await read();
      return replies.length > 0 && facts.length > 0;
    }, ANSWER_WAIT_MS, `the reply to "${m.text}"`);
    return read();
  }

  /** What a fact and reply must show when the model's answer was used: whatever intent it named. */
  function expectModelAnswerUsed(reply: Reply, fact: AnalyticsEvent) {
    expect(fact.understoodBy).toBe('LLM');
    // An intent the model was allowed to name for a customer of a business with no task open.
    expect(modelIntents({ chatType: 'DEDICATED' })).toContain(fact.intent);
    // The reply comes from an agent chosen for that intent (the first that answered, in order).
    const candidates = selectAgents(dedicatedAgents, {
      chatType: 'DEDICATED', category: 'restaurant', intent: fact.intent as Intent, secondaryIntents: [], openTask: null,
    }).primary.map((c) => c.agent.name);
    expect(candidates).toContain(reply.agent);
    expect(fact.agent).toBe(reply.agent);
    expect(fact.agentReason).toContain(`intent ${fact.intent}`);
  }

  beforeAll(async () => {
    if (!existsSync(defaultModelPath()) || !existsSync(projectPath('llm/node_modules/node-llama-cpp/package.json'))) {
      const install = spawnSync('bash', [projectPath('llm/install.sh')], { encoding: 'utf8', timeout: INSTALL_LIMIT_MS });
      expect(install.status, `llm/install.sh failed:\n${install.stderr}`).toBe(0);
    }
    llmPort = await freePort();
    await startModel();
    // The model's id, as a user finds it: GET /v1/models.
    model = ((await (await fetch(`${llmUrl}/models`)).json()) as { data: Array<{ id: string }> }).data[0]!.id;

    db = await createTestDatabase({ seed: true, label: 'llm-real' });
    config = isolatedConfig(uniquePrefix('llm-real-model'), {
      DATABASE_URL: db.url,
      X7_LLM_BASE_URL: llmUrl,
      X7_LLM_MODEL: model,
      X7_LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
      X7_RETRY_INITIAL_MS: '200',
      X7_RETRY_MAX_MS: '2000',
      X7_LOG_LEVEL: 'silent',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    [outbound, analytics, dlq] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.inbound.dlq'),
    ]);
    service = createProcessorService({ config, logger: createLogger('test-llm-real', (process.env.X7_TEST_LOG_LEVEL ?? 'silent') as 'silent'), probeIntervalMs: 300 });
    base = `http://127.0.0.1:${(await service.start()).metricsPort}`;
    await untilReady(60_000, '/readyz ready');
  }, INSTALL_LIMIT_MS + 240_000);

  afterAll(async () => {
    await service?.stop();
    await Promise.all([outbound?.close(), analytics?.close(), dlq?.close()]);
    if (llmServer) await stopProcess(llmServer, 30_000);
    await db?.drop();
  });

  it('sends what the rules cannot read to the model, uses its schema-valid answer and answers with the agent of the intent it named', async () => {
    const answeredBefore = await metric('x7_llm_requests_total', { result: 'answered' });
    const rejectedBefore = await metric('x7_llm_requests_total', { result: 'rejected' });
    const asked = [message(SQUEEZE_IN), message(SWEET)];
    // And one the rules are sure of: the model is not asked about it.
    const sure = message("What's on the menu?");
    await sendChatMessages(config, codec, [...asked, sure]);

    for (const m of asked) {
      const { replies, facts } = await answersTo(m);
      expect(replies).toHaveLength(1);
      expect(facts).toHaveLength(1);
      expectModelAnswerUsed(replies[0]!, facts[0]!);
    }
    const { replies, facts } = await answersTo(sure);
    expect(replies[0]!.agent).toBe('menu');
    expect(facts[0]).toMatchObject({ intent: 'menu_or_services', understoodBy: 'RULES' });

    // Both answers followed the schema and were used: counted as answered, none rejected.
    expect(await metric('x7_llm_requests_total', { result: 'answered' })).toBe(answeredBefore + 2);
    expect(await metric('x7_llm_requests_total', { result: 'rejected' })).toBe(rejectedBefore);
  }, CASE_LIMIT_MS);

  it('with the model server stopped, the message waits (partition paused, /readyz names llm, no DLQ) and is answered once after it starts again', async () => {
    await untilReady(30_000, '/readyz ready before the outage');
    expect(await stopProcess(llmServer!, 30_000)).toBe(0);
    const m = message(VEGGIE);
    try {
      await sendChatMessages(config, codec, [m]);
      await waitUntil(async () => {
        const { problems } = await readyz();
        return problems.some((p) => /^llm: /.test(p)) && problems.some((p) => /^processor: partition \d+ paused: LlmUnavailableError: llm unavailable/.test(p));
      }, 30_000, '/readyz naming the LLM and the paused partition');
      expect((await readyz()).ready).toBe(false);
      expect(await metric('x7_dependency_failures_total', { dependency: 'llm' })).toBeGreaterThanOrEqual(1);
      expect(await metric('x7_llm_requests_total', { result: 'unavailable' })).toBeGreaterThanOrEqual(1);
      // Waiting, not skipped: its offset is not committed, and nothing was answered or dead-lettered.
      expect(Object.keys(await uncommitted(config))).not.toHaveLength(0);
      expect(await outboundOf(m)).toEqual([]);
      expect(dlq.records).toHaveLength(0);
    } finally {
      // As a user would: the same command on the same port.
      await startModel();
    }

    const first = await answersTo(m);
    expectModelAnswerUsed(first.replies[0]!, first.facts[0]!);
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 30_000, 'everything committed');
    // Answered once: a second reply or fact would have had time to show up.
    await sleep(2000);
    const after = await answersTo(m);
    expect(after.replies).toHaveLength(1);
    expect(after.facts).toHaveLength(1);
    expect(dlq.records).toHaveLength(0);
    await untilReady(30_000, '/readyz ready after the model is back');
  }, CASE_LIMIT_MS);
});
