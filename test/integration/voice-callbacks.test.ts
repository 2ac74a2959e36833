// Voice callbacks from chat, through the real pipeline: chat.inbound → processor runtime
// (the shipped processors over a seeded database of the test's own) → the workflow
// stage starts the voice callback workflow on the Temporal dev server (task queue of
// the test's own, in-process worker) → chat.outbound, chat.workflows, workflow_runs.
//
// What is asserted is what the customer and a consumer of chat.workflows see: the
// replies, the WorkflowUpdates in the conversation, the WorkflowEvents, and the
// instant the workflow waits for (17:00 on the business's clock, in the Azores). The
// callback is tomorrow, so the test follows the STARTED → CANCELLED path; the due path
// (COMPLETED at the time) is test/integration/workflows.test.ts's, with a near time.
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessors } from '../../processors/index.js';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { AnalyticsEvent, ChatMessage, OutboundEvent, Reply, WorkflowEvent, WorkflowUpdate } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { systemClock } from '../../src/pipeline/processor.js';
import { createProcessorRuntime, type ProcessorRuntime } from '../../src/runtime/processor-runtime.js';
import type { VoiceCallbackInput } from '../../src/workflows/types.js';
import { AZORES, insertCallbackBusiness, nextDayAt } from '../support/callbacks.js';
import { chatDeps } from '../support/chat.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { chatMessage, prepareNamespace, sendChatMessages, TopicReader, waitUntil } from '../support/pipeline.js';
import { startTemporalHarness, type TemporalHarness } from '../support/temporal-harness.js';

describe('a voice callback asked for in a DEDICATED chat, through Kafka and Temporal', () => {
  let config: Config;
  let db: TestDatabase;
  let codec: EventCodec;
  let temporal: TemporalHarness;
  let runtime: ProcessorRuntime;
  let outbound: TopicReader;
  let analytics: TopicReader;
  let workflowEvents: TopicReader;
  let business: { id: string; name: string };

  beforeAll(async () => {
    const prefix = uniquePrefix('callbacks');
    db = await createTestDatabase({ seed: true, label: 'callbacks' });
    config = isolatedConfig(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: `${prefix}workflows` });
    await prepareNamespace(config);
    codec = createCodec(config);
    business = await insertCallbackBusiness(db.pool);
    temporal = await startTemporalHarness(config);
    [outbound, analytics, workflowEvents] = await Promise.all([
      TopicReader.open(config, 'chat.outbound'), TopicReader.open(config, 'chat.analytics'), TopicReader.open(config, 'chat.workflows'),
    ]);
    const deps = chatDeps(db.pool, db.url, temporal.manager, systemClock);
    runtime = createProcessorRuntime({ config, processors: createProcessors(deps), logger: createLogger('test-processor', 'silent'), participants: [deps.store] });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await temporal?.stop();
    await Promise.all([outbound?.close(), analytics?.close(), workflowEvents?.close()]);
    await db?.drop();
  });

  const decode = async <T extends 'chat.outbound' | 'chat.analytics' | 'chat.workflows'>(topic: T, reader: TopicReader, key: (r: TopicReader['records'][number]) => boolean) =>
    Promise.all(reader.records.filter(key).map(async (r) => (await codec.decode(topic, r.value)).value));
  const outboundOf = (conversationId: string) =>
    decode('chat.outbound', outbound, (r) => r.key?.toString() === conversationId) as Promise<OutboundEvent[]>;
  const updatesOf = async (conversationId: string, workflowId: string) =>
    (await outboundOf(conversationId)).flatMap((e) => (e.body.type === 'WorkflowUpdate' && e.body.workflowId === workflowId ? [e.body as WorkflowUpdate] : []));
  const eventsOf = (workflowId: string) =>
    decode('chat.workflows', workflowEvents, (r) => r.key?.toString() === workflowId) as Promise<WorkflowEvent[]>;

  /** Sends one message on the call and waits for its reply and analytics fact. */
  async function say(conversationId: string, text: string): Promise<{ message: ChatMessage; reply: Reply; fact: AnalyticsEvent }> {
    const message = chatMessage({ conversationId, userId: 'u-filipa', businessId: business.id, text, channel: 'VOICE', locale: 'pt-PT', senderRole: null });
    await sendChatMessages(config, codec, [message]);
    let reply: Reply | undefined;
    let fact: AnalyticsEvent | undefined;
    await waitUntil(async () => {
      reply = (await outboundOf(conversationId)).find((e) => e.causationId === message.eventId && e.body.type === 'Reply')?.body as Reply | undefined;
      fact = (await decode('chat.analytics', analytics, () => true) as AnalyticsEvent[]).find((f) => f.inboundEventId === message.eventId);
      return reply !== undefined && fact !== undefined;
    }, 45_000, `the reply to "${text}"`);
    return { message, reply: reply!, fact: fact! };
  }

  it('"call me back tomorrow at 5pm" starts a VOICE_CALLBACK for 17:00 in the business zone; "cancel the callback" ends it CANCELLED', async () => {
    const conversationId = `c-${randomUUID().slice(0, 12)}`;
    const asked = await say(conversationId, 'call me back tomorrow at 5pm');
    const tomorrow = nextDayAt(asked.message.sentAt, AZORES, '17:00');
    const workflowId = `voice-callback-${asked.message.eventId}`;
    expect(asked.reply.text).toBe(`Done: the team at ${business.name} will call you back at 17:00 on ${tomorrow.longDate}, on the number you're calling from. You'll see updates here.`);
    expect(asked.fact).toMatchObject({ intent: 'callback', agent: 'callbacks', outcome: 'WORKFLOW_STARTED', channel: 'VOICE' });

    // The customer sees it scheduled, on the business's clock.
    await waitUntil(async () => (await updatesOf(conversationId, workflowId)).length === 1, 30_000, 'STARTED update');
    const [started] = await updatesOf(conversationId, workflowId);
    expect(started).toMatchObject({ workflowType: 'VOICE_CALLBACK', status: 'STARTED' });
    expect(started!.detail).toMatch(new RegExp(`^Callback scheduled for \\w+,? ${Number(tomorrow.date.slice(8))} \\w+ \\d{4} at 17:00 \\(Atlantic/Azores\\)$`));

    // What the workflow waits for: 17:00 in the Azores tomorrow, as an instant, with no number (the gateway's).
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const input = defaultPayloadConverter.fromPayload<VoiceCallbackInput>(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!);
    expect(input).toMatchObject({ callbackAt: tomorrow.instant.toISOString(), timeZone: AZORES, phone: null, businessId: business.id, conversationId, causationId: asked.message.eventId });
    expect((await temporal.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');

    const cancel = await say(conversationId, 'cancel the callback');
    expect(cancel.reply.text).toBe(`Your callback at 17:00 on ${tomorrow.longDate} is being cancelled; you'll see the confirmation here.`);
    expect(cancel.fact).toMatchObject({ intent: 'cancel_callback', agent: 'callbacks', outcome: 'WORKFLOW_STARTED' });

    await waitUntil(async () => (await updatesOf(conversationId, workflowId)).some((u) => u.status === 'CANCELLED'), 30_000, 'CANCELLED update');
    const updates = await updatesOf(conversationId, workflowId);
    expect(updates.map((u) => u.status)).toEqual(['STARTED', 'CANCELLED']);
    expect(updates[1]!.detail).toMatch(/^Callback for \w+,? \d+ \w+ \d{4} at 17:00 \(Atlantic\/Azores\) cancelled$/);
    await waitUntil(async () => (await temporal.client.workflow.getHandle(workflowId).describe()).status.name === 'CANCELLED', 20_000, 'run cancelled');

    // Consumers of chat.workflows see the same lifecycle, tied to the chat message; workflow_runs keeps it.
    await waitUntil(async () => (await eventsOf(workflowId)).length === 2, 20_000, 'chat.workflows records');
    const events = await eventsOf(workflowId);
    expect(events.map((e) => [e.workflowType, e.status])).toEqual([['VOICE_CALLBACK', 'STARTED'], ['VOICE_CALLBACK', 'CANCELLED']]);
    for (const e of events) expect(e).toMatchObject({ causationId: asked.message.eventId, conversationId, businessId: business.id });
    const { rows } = await db.pool.query('select workflow_type, status from workflow_runs where workflow_id = $1', [workflowId]);
    expect(rows).toEqual([{ workflow_type: 'VOICE_CALLBACK', status: 'CANCELLED' }]);

    const again = await say(conversationId, 'não me liguem');
    expect(again.reply.text).toBe("There's no callback scheduled in this chat.");
  });
});
