// /healthz, /readyz and /metrics of the processor as `x7 processor` assembles it
// (createProcessorService: the shipped processors over a seeded Postgres of the
// test's own, reached through a proxy the test can cut, Temporal and the registry of
// the stack), with real failures: raw bytes on chat.inbound, and PostgreSQL cut off
// and back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec, type EventCodec } from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import type { ChatMessage } from '../../src/events.js';
import { createLogger } from '../../src/log.js';
import { sampleValue, STAGES } from '../../src/observability/metrics.js';
import { createProcessorService, type ProcessorService } from '../../src/app/processor-service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace, produceInbound, sendChatMessages, TopicReader, waitUntil } from '../support/pipeline.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const TABERNA = 'lis-taberna-do-largo';

describe('processor observability', () => {
  let config: Config;
  let db: TestDatabase;
  let postgres: TcpProxy;
  let codec: EventCodec;
  let service: ProcessorService;
  let base: string;
  let dlq: TopicReader;
  let outbound: TopicReader;

  const metricsText = async () => (await fetch(`${base}/metrics`)).text();
  const metric = async (name: string, labels: Record<string, string> = {}) => sampleValue(await metricsText(), name, labels) ?? 0;
  const readyz = async () => {
    const response = await fetch(`${base}/readyz`);
    return { status: response.status, body: (await response.json()) as { ready: boolean; problems: string[] } };
  };

  beforeAll(async () => {
    const prefix = uniquePrefix('observability');
    db = await createTestDatabase({ seed: true, label: 'observability' });
    const target = new URL(db.url);
    postgres = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    config = isolatedConfig(prefix, {
      DATABASE_URL: postgres.rewrite(db.url),
      X7_METRICS_PORT: '0',
      X7_RETRY_INITIAL_MS: '100',
      X7_RETRY_MAX_MS: '1000',
      X7_LOG_LEVEL: 'silent',
    });
    await prepareNamespace(config);
    codec = createCodec(config);
    [dlq, outbound] = await Promise.all([TopicReader.open(config, 'chat.inbound.dlq'), TopicReader.open(config, 'chat.outbound')]);
    service = createProcessorService({ config, logger: createLogger('test-processor', 'silent'), probeIntervalMs: 500 });
    const { metricsPort } = await service.start();
    expect(metricsPort).toBeGreaterThan(0);
    base = `http://127.0.0.1:${metricsPort}`;
  });

  afterAll(async () => {
    await service?.stop();
    await Promise.all([dlq?.close(), outbound?.close()]);
    await postgres?.stop();
    await db?.drop();
  });

  it('is alive at once and ready once partitions are assigned and every dependency answers', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitUntil(async () => (await readyz()).status === 200, 30_000, '/readyz 200');
    expect((await readyz()).body).toEqual({ ready: true, problems: [] });
    expect(await metric('x7_ready')).toBe(1);
  });

  it('counts a rejected event under its code on /metrics', async () => {
    const before = await metric('x7_dlq_records_total', { code: 'WIRE_FORMAT' });
    const rejectedBefore = await metric('x7_events_total', { chat_type: 'UNKNOWN', outcome: 'REJECTED' });
    const dlqBefore = dlq.records.length;
    await produceInbound(config, [{ key: 'raw', value: Buffer.from('definitely not avro') }]);
    await waitUntil(() => dlq.records.length > dlqBefore, 30_000, 'the DLQ record');
    await waitUntil(async () => (await metric('x7_dlq_records_total', { code: 'WIRE_FORMAT' })) === before + 1, 10_000, 'the DLQ counter');
    expect(await metric('x7_events_total', { chat_type: 'UNKNOWN', outcome: 'REJECTED' })).toBe(rejectedBefore + 1);
    expect(await metric('x7_dlq_records_total', { code: 'INVALID_EVENT' })).toBe(0);
  });

  it('counts a processed event by chat type and outcome, with every stage timed', async () => {
    const text = await metricsText();
    const countsBefore = Object.fromEntries(STAGES.map((stage) => [stage, sampleValue(text, 'x7_stage_duration_seconds_count', { stage }) ?? 0]));
    const answeredBefore = sampleValue(text, 'x7_events_total', { chat_type: 'DEDICATED', outcome: 'ANSWERED' }) ?? 0;
    const message: ChatMessage = {
      eventId: randomUUID(), conversationId: `c-${randomUUID().slice(0, 12)}`, chatType: 'DEDICATED', userId: 'u-filipa', businessId: TABERNA,
      text: "What's on the menu?", channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
    };
    await sendChatMessages(config, codec, [message]);
    await waitUntil(async () => (await metric('x7_events_total', { chat_type: 'DEDICATED', outcome: 'ANSWERED' })) === answeredBefore + 1, 45_000, 'the events counter');

    const after = await metricsText();
    for (const stage of STAGES) {
      expect(sampleValue(after, 'x7_stage_duration_seconds_count', { stage }), stage).toBeGreaterThan(countsBefore[stage]!);
    }
    // The histogram's buckets are cumulative and end with +Inf = count.
    expect(sampleValue(after, 'x7_stage_duration_seconds_bucket', { stage: 'agent', le: '+Inf' })).toBe(sampleValue(after, 'x7_stage_duration_seconds_count', { stage: 'agent' }));
    expect(sampleValue(after, 'x7_output_records_total', { topic: 'chat.outbound' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'x7_output_records_total', { topic: 'chat.analytics' })).toBeGreaterThanOrEqual(1);
    // Everything committed: no lag on the partitions this member owns.
    await waitUntil(async () => {
      const lags = (await metricsText()).split('\n').filter((l) => l.startsWith('x7_consumer_lag{'));
      return lags.length > 0 && lags.every((l) => l.endsWith(' 0'));
    }, 15_000, 'zero consumer lag');
  });

  it('turns not ready while its PostgreSQL is unreachable, and ready again when it is back', async () => {
    await waitUntil(async () => (await readyz()).status === 200, 30_000, '/readyz 200');
    await postgres.cut();
    try {
      await waitUntil(async () => (await readyz()).status === 503, 15_000, '/readyz 503');
      const { body } = await readyz();
      expect(body.ready).toBe(false);
      expect(body.problems.some((p) => /^postgres: /.test(p))).toBe(true);
      // Alive all the while: a restart would not bring PostgreSQL back.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await metric('x7_ready')).toBe(0);

      // A message while PostgreSQL is down pauses its partition, which /readyz names too.
      const message: ChatMessage = {
        eventId: randomUUID(), conversationId: `c-${randomUUID().slice(0, 12)}`, chatType: 'DEDICATED', userId: 'u-filipa', businessId: TABERNA,
        text: 'Do you take cards?', channel: 'WEB', locale: 'en-GB', location: null, sentAt: new Date(), clientMessageId: null, senderRole: null,
      };
      await sendChatMessages(config, codec, [message]);
      await waitUntil(async () => (await readyz()).body.problems.some((p) => /^processor: partition \d+ paused: .*postgres/i.test(p)), 20_000, 'a paused partition');
      await waitUntil(async () => (await metric('x7_consumer_paused_partitions')) >= 1, 10_000, 'the paused-partitions gauge');
      expect(await metric('x7_dependency_failures_total', { dependency: 'postgres' })).toBeGreaterThanOrEqual(1);
    } finally {
      await postgres.restore();
    }
    await waitUntil(async () => (await readyz()).status === 200, 30_000, '/readyz 200 again');
    expect((await readyz()).body.problems).toEqual([]);
  });
});
