// `x7 dlq inspect` over a DLQ written the way the processor writes it: in
// transactions (whose commit markers take offsets) with the x7.* headers.
import { beforeAll, describe, expect, it } from 'vitest';
import { createKafka, JAVA_COMPATIBLE_PARTITIONER } from '../../src/kafka/client.js';
import { topicName } from '../../src/kafka/topics.js';
import { runX7 } from '../support/cli.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace } from '../support/pipeline.js';

function dlqRecord(key: string, code: string, field: string, sourceOffset: number, value: Buffer, producerHeaders: Record<string, string> = {}) {
  return {
    key,
    value,
    headers: {
      ...producerHeaders,
      'x7.error.code': code,
      'x7.error.message': `${code} on ${field || 'the record'}`,
      'x7.error.field': field,
      'x7.source.topic': 'chat.inbound',
      'x7.source.partition': '3',
      'x7.source.offset': String(sourceOffset),
      'x7.failed.at': '2025-11-25T18:00:00.000Z',
    },
  };
}

describe('x7 dlq inspect', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    const prefix = uniquePrefix('dlq-inspect');
    const config = isolatedConfig(prefix);
    env = isolatedEnv(prefix);
    await prepareNamespace(config);
    const producer = createKafka(config, 'test-dlq').producer({
      createPartitioner: JAVA_COMPATIBLE_PARTITIONER,
      transactionalId: `${prefix}test-dlq`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const topic = topicName(config, 'chat.inbound.dlq');
    try {
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [
          dlqRecord('c-1', 'DECODE_ERROR', '', 10, Buffer.from([0, 0, 0, 0, 1, 0xff])),
          // Its producer sent headers under our names: the processor kept them as x7.original.*.
          dlqRecord('c-2', 'INVALID_EVENT', 'businessId', 11, Buffer.from('plain text value'), {
            'x7.original.error.reason': 'forged by its producer', 'x7.original.error.code': 'ALL_GOOD', 'x-app': 'web',
          }),
          dlqRecord('c-3', 'INVALID_EVENT', 'businessId', 12, Buffer.from('another')),
        ],
      });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [dlqRecord('c-4', 'WIRE_FORMAT', '', 13, Buffer.from('never committed'))] });
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }
  });

  it('counts committed records by code and field, stopping at the end it found', async () => {
    const result = await runX7(['dlq', 'inspect', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.total).toBe(3);
    expect(report.byCode).toEqual({ DECODE_ERROR: 1, INVALID_EVENT: 2 });
    expect(report.byField).toEqual({ '(none)': 1, businessId: 2 });
    const sample = report.samples.find((s: { key: string }) => s.key === 'c-2');
    expect(sample).toMatchObject({
      code: 'INVALID_EVENT',
      field: 'businessId',
      reason: 'INVALID_EVENT on businessId',
      source: { topic: 'chat.inbound', partition: 3, offset: '11' },
      valuePreview: 'plain text value',
      // Shown apart from the reason, by the names the record came with.
      originalX7Headers: { 'x7.error.reason': 'forged by its producer', 'x7.error.code': 'ALL_GOOD' },
    });
    expect(report.samples.find((s: { key: string }) => s.key === 'c-1').valuePreview).toBe('hex:0000000001ff');
  });

  it('prints a readable summary', async () => {
    const result = await runX7(['dlq', 'inspect', '--samples', '1'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('chat.inbound.dlq: 3 record(s)');
    expect(result.stdout).toMatch(/by x7\.error\.code:\n {2}INVALID_EVENT: 2\n {2}DECODE_ERROR: 1/);
    expect(result.stdout).toMatch(/by x7\.error\.field:\n {2}businessId: 2\n {2}\(none\): 1/);
    expect(result.stdout).toContain('samples (1):');
    expect(result.stdout).toContain('from chat.inbound[3]@');
  });

  it('reports an empty DLQ as zero records and a missing one as an error to run topics apply', async () => {
    const emptyPrefix = uniquePrefix('dlq-empty');
    await prepareNamespace(isolatedConfig(emptyPrefix));
    const empty = await runX7(['dlq', 'inspect'], isolatedEnv(emptyPrefix));
    expect(empty.code).toBe(0);
    expect(empty.stdout.trim()).toBe(`${emptyPrefix}chat.inbound.dlq: 0 record(s)`);

    const missingPrefix = uniquePrefix('dlq-missing');
    const missing = await runX7(['dlq', 'inspect'], isolatedEnv(missingPrefix));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`x7 dlq inspect: topic ${missingPrefix}chat.inbound.dlq does not exist (run "x7 topics apply")`);
  });
});
