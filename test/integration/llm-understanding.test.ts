// Understanding with an LLM, the way a user switches it on: `x7 processor` as
// createProcessorService assembles it with X7_LLM_BASE_URL and X7_LLM_MODEL set,
// the shipped DEDICATED processor over a seeded PostgreSQL of the test's own, the
// stack's Kafka, registry and Temporal. The LLM is the deterministic stand-in
// (test/support/deterministic-llm-stand-in.ts), a local server that answers the
// OpenAI chat-completions shape from a fixed table: it is not a model.
//
// What a customer sees: a message the rules cannot read is answered by the agent of
// the intent the model named; an answer outside the schema is not used; with the LLM
// down the message waits (partition paused, /readyz says why, nothing dead-lettered)
// and is answered once it is back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessorService, type ProcessorService } from '../../src/app/processor-service.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, OutboundEvent, Reply } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { sampleValue } from '../../src/observability/metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startLlmStandIn, standInAnswer, type LlmStandIn } from '../support/deterministic-llm-stand-in.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, sendChatMessages, TopicReader, uncommitted, waitUntil } from '../support/pipeline.js';

const TABERNA = 'lis-taberna-do-largo';

// Messages the rules find no intent in (the stand-in's requests show they reached it), and the stand-in's table.
const SQUEEZE_IN = 'could we squeeze in me and three mates?';
const SWEET = 'got anything sweet to finish off a meal?';
const OCTOPUS = 'is the octopus any good here';

describe('understanding with an LLM through x7 processor', () => {
  let standIn: LlmStandIn;
  let db: TestDatabase;
  let config: Config;
  let codec: EventCodec;
  let service: ProcessorService;
  let base: string;
  let outbound: TopicReader;
  let analytics: TopicReader;
  let dlq: TopicReader;

  const readyz = async () => (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; problems: string[] };
  const metric = async (name: string, labels: Record<string, string>) => sampleValue(await (await fetch(`${base}/metrics`)).text(), name, labels) ?? 0;

  const message = (text: string): ChatMessage => ({
    eventId: randomUUID(), conversationId: `c-llm-${randomUUID().slice(0, 8)}`, chatType: 'DEDICATED', userId: 'u-diego', businessId: TABERNA,
    text, channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
  });

  async function outboundOf(m: ChatMessage): Promise<OutboundEvent[]> {
    const records = outbound.records.filter((r) => r.key?.toString() === m.conversationId);
    return Promise.all(records.map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
  }

  /** The reply to `m` and its analytics fact, once both are committed. */
  async function answerTo(m: ChatMessage): Promise<{ reply: Reply; fact: AnalyticsEvent }> {
    let reply: Reply | undefined;
    let fact: AnalyticsEvent | undefined;
    await waitUntil(async () => {
      reply ??= (await outboundOf(m)).map((e) => e.body).find((b): b is Reply => b.type === 'Reply');
      for (const r of analytics.records.filter((x) => x.key?.toString() === m.conversationId)) {
        const value = (await codec.decode('chat.analytics', r.value)).value;
        if (value.inboundEventId === m.eventId) fact = value;
      }
      return reply !== undefined && fact !== undefined;
    }, 45_000, `the reply to "${m.text}"`);
    return { reply: reply!, fact: fact! };
  }

  beforeAll(async () => {
    standIn = await startLlmStandIn({
      answers: {
        [SQUEEZE_IN]: { answer: standInAnswer('book', 0.9, { partySize: 4 }) },
        [SWEET]: { answer: standInAnswer('menu_or_services', 0.85) },
        // Outside the schema (no entities): were it used anyway, the menu agent would answer.
        [OCTOPUS]: { content: '{"intent":"menu_or_services","confidence":0.9}' },
      },
    });
    db = await createTestDatabase({ seed: true, label: 'llm' });
    config = isolatedConfig(uniquePrefix('llm-understanding'), {
      DATABASE_URL: db.url,
      X7_LLM_BASE_URL: standIn.url,
      X7_LLM_MODEL: standIn.model,
      X7_LLM_TIMEOUT_MS: '2000',
      X7_RETRY_INITIAL_MS: '100',
      X7_RETRY_MAX_MS: '1000',
      X7_LOG_LEVEL: 'silent',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    [outbound, analytics, dlq] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.inbound.dlq'),
    ]);
    service = createProcessorService({ config, logger: createLogger('test-llm', 'silent'), probeIntervalMs: 300 });
    base = `http://127.0.0.1:${(await service.start()).metricsPort}`;
    await waitUntil(async () => (await readyz()).ready, 60_000, '/readyz ready');
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await Promise.all([outbound?.close(), analytics?.close(), dlq?.close()]);
    await standIn?.stop();
    await db?.drop();
  });

  it('sends what the rules cannot read to the model and answers with the agent of the intent it named', async () => {
    const m = message(SQUEEZE_IN);
    await sendChatMessages(config, codec, [m]);
    const { reply, fact } = await answerTo(m);
    // The model's intent (book) and party size (4): the rules found neither.
    expect(reply).toMatchObject({ agent: 'reservations', text: 'Happy to book a table for 4. What day and time would you like?' });
    expect(fact).toMatchObject({ intent: 'book', agent: 'reservations', understoodBy: 'LLM' });
    const asked = standIn.requests.filter((r) => r.text === SQUEEZE_IN);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.body).toMatchObject({ model: standIn.model, response_format: { type: 'json_schema' } });
  });

  it('leaves a message the rules are sure of to the rules: the model is not asked', async () => {
    const m = message("What's on the menu?");
    await sendChatMessages(config, codec, [m]);
    const { reply, fact } = await answerTo(m);
    expect(reply.agent).toBe('menu');
    expect(fact).toMatchObject({ intent: 'menu_or_services', understoodBy: 'RULES' });
    expect(standIn.requests.filter((r) => r.text === m.text)).toHaveLength(0);
  });

  it('does not use an answer outside the schema: the message is understood as unknown, and counted', async () => {
    const rejectedBefore = await metric('x7_llm_requests_total', { result: 'rejected' });
    const m = message(OCTOPUS);
    await sendChatMessages(config, codec, [m]);
    const { reply, fact } = await answerTo(m);
    expect(reply.agent).toBe('handoff');
    expect(reply.text).toMatch(/^I can't answer that myself, so I've passed your message to the team at Taberna do Largo\./);
    expect(fact).toMatchObject({ intent: 'unknown', understoodBy: 'LLM', outcome: 'HANDED_OFF' });
    expect(await metric('x7_llm_requests_total', { result: 'rejected' })).toBe(rejectedBefore + 1);
  });

  it('with the LLM down, the message waits (partition paused, /readyz says so, no DLQ) and is answered once it is back', async () => {
    await waitUntil(async () => (await readyz()).ready, 30_000, '/readyz ready before the outage');
    await standIn.stop();
    try {
      const m = message(SWEET);
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

      await standIn.start();
      const { reply, fact } = await answerTo(m);
      expect(reply.agent).toBe('menu');
      expect(reply.text).toMatch(/^Here's the menu at Taberna do Largo:/);
      expect(fact).toMatchObject({ intent: 'menu_or_services', understoodBy: 'LLM' });
      await waitUntil(async () => (await readyz()).ready, 30_000, '/readyz ready after the LLM is back');
    } finally {
      await standIn.start();
    }
  });

  it('dead-lettered nothing', async () => {
    await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'everything committed');
    expect(dlq.records).toHaveLength(0);
  });
});
