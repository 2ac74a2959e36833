import { describe, expect, it } from 'vitest';
import {
  desiredTopics,
  loadTopics,
  parseTopics,
  planTopicChanges,
  subjectFor,
  topicConfigs,
  topicName,
  TopicPlanError,
  TopicsFileError,
  type ActualTopic,
  type DesiredTopic,
} from '../../src/kafka/topics.js';

function problemsOf(doc: unknown): string[] {
  try {
    parseTopics(doc, '/project/topics.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(TopicsFileError);
    return (error as TopicsFileError).problems;
  }
  throw new Error('the document was accepted');
}

const good = {
  partitions: 3,
  retentionMs: 1000,
  cleanupPolicy: 'delete',
  value: { schema: 'schemas/ChatMessage.avsc', compatibility: 'BACKWARD' },
};

describe('topics.yaml', () => {
  it('loads the project file with the five logical topics and their subjects', () => {
    const specs = loadTopics();
    expect(specs.map((s) => s.name)).toEqual(['chat.inbound', 'chat.outbound', 'chat.workflows', 'chat.analytics', 'chat.inbound.dlq']);
    const inbound = specs[0]!;
    expect(inbound.partitions).toBe(12);
    expect(inbound.replicationFactor).toBe(1);
    expect(inbound.value?.compatibility).toBe('BACKWARD_TRANSITIVE');
    expect(inbound.value?.schemaPath).toMatch(/\/schemas\/ChatMessage\.avsc$/);
    expect(specs[4]!.value).toBeNull();
    // The DLQ takes more than chat.inbound, so every rejected record's copy fits.
    expect(specs[4]!.maxMessageBytes).toBeGreaterThan(inbound.maxMessageBytes! + 64 * 1024);
    // Producers' lz4/snappy/zstd batches are stored uncompressed: kafkajs cannot read them.
    expect(topicConfigs(inbound)['compression.type']).toBe('uncompressed');
    expect(topicConfigs(specs[1]!)['compression.type']).toBeUndefined();
  });

  it('names one problem per bad entry, with its path', () => {
    const problems = problemsOf({
      topics: {
        'a.ok': good,
        'b.bad': { ...good, partitions: 0, cleanupPolicy: 'shred', maxMessageBytes: 12, compressionType: 'brotli' },
        'c.bad': { ...good, value: { schema: 'x.json', compatibility: 'SOMETIMES' } },
        'd.bad': { partitions: 3, retention: 5 },
      },
    });
    expect(problems).toEqual([
      'topics.b.bad.partitions: expected a whole number of at least 1 (got 0)',
      'topics.b.bad.cleanupPolicy: expected one of delete, compact, compact,delete (got "shred")',
      'topics.b.bad.maxMessageBytes: expected a whole number of bytes, at least 1024 (got 12)',
      'topics.b.bad.compressionType: expected one of producer, uncompressed, gzip, snappy, lz4, zstd (got "brotli")',
      'topics.c.bad.value.schema: expected the path of an .avsc file (got "x.json")',
      'topics.c.bad.value.compatibility: expected one of BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE (got "SOMETIMES")',
      expect.stringContaining('topics.d.bad.retention: unknown setting'),
      'topics.d.bad.retentionMs: expected milliseconds (a whole number above 0, or -1 for unlimited) (got nothing)',
    ]);
  });

  it('rejects a file without topics and a bad default replication factor', () => {
    expect(problemsOf({ defaults: { replicationFactor: 'three' } })).toEqual([
      'defaults.replicationFactor: expected a whole number of at least 1 (got "three")',
      'topics: expected a mapping of topic name to its settings, with at least one topic',
    ]);
  });

  it('takes schema paths relative to the topics file and the default replication factor', () => {
    const [spec] = parseTopics({ defaults: { replicationFactor: 3 }, topics: { 'x.y': good } }, '/elsewhere/conf/topics.yaml');
    expect(spec!.value!.schemaPath).toBe('/elsewhere/conf/schemas/ChatMessage.avsc');
    expect(spec!.replicationFactor).toBe(3);
  });

  it('applies X7_TOPIC_PREFIX to topic names and derives subjects by TopicNameStrategy', () => {
    expect(topicName({ topicPrefix: 't-1.' }, 'chat.inbound')).toBe('t-1.chat.inbound');
    expect(topicName({ topicPrefix: '' }, 'chat.outbound')).toBe('chat.outbound');
    expect(subjectFor('t-1.chat.inbound')).toBe('t-1.chat.inbound-value');
    expect(desiredTopics({ topicPrefix: 'p.' }, loadTopics())[0]).toEqual({
      topic: 'p.chat.inbound',
      partitions: 12,
      replicationFactor: 1,
      configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete', 'max.message.bytes': '1048576', 'compression.type': 'uncompressed' },
    });
  });
});

describe('planTopicChanges', () => {
  const desired: DesiredTopic[] = [
    { topic: 'in', partitions: 12, replicationFactor: 1, configs: { 'retention.ms': '1000', 'cleanup.policy': 'delete' } },
    { topic: 'out', partitions: 6, replicationFactor: 1, configs: { 'retention.ms': '2000', 'cleanup.policy': 'delete' } },
  ];
  const same = (t: DesiredTopic): ActualTopic => ({ partitions: t.partitions, configs: { ...t.configs, 'segment.ms': '99' } });

  it('creates every missing topic with its partitions and configs', () => {
    expect(planTopicChanges(desired, new Map())).toEqual([
      { kind: 'create', topic: 'in', partitions: 12, replicationFactor: 1, configs: { 'retention.ms': '1000', 'cleanup.policy': 'delete' } },
      { kind: 'create', topic: 'out', partitions: 6, replicationFactor: 1, configs: { 'retention.ms': '2000', 'cleanup.policy': 'delete' } },
    ]);
  });

  it('plans nothing when the cluster already matches (configs it does not manage are ignored)', () => {
    expect(planTopicChanges(desired, new Map(desired.map((t) => [t.topic, same(t)])))).toEqual([]);
  });

  it('raises partitions and updates changed configs', () => {
    const actual = new Map([
      ['in', { partitions: 4, configs: { 'retention.ms': '1000', 'cleanup.policy': 'delete' } }],
      ['out', { partitions: 6, configs: { 'retention.ms': '5', 'cleanup.policy': 'delete' } }],
    ]);
    expect(planTopicChanges(desired, actual)).toEqual([
      { kind: 'addPartitions', topic: 'in', from: 4, to: 12 },
      { kind: 'alterConfig', topic: 'out', changes: [{ name: 'retention.ms', from: '5', to: '2000' }] },
    ]);
  });

  it('refuses the whole plan when any topic would lose partitions', () => {
    const actual = new Map([['out', { partitions: 8, configs: {} }]]);
    expect(() => planTopicChanges(desired, actual)).toThrow(TopicPlanError);
    expect(() => planTopicChanges(desired, actual)).toThrow('refusing to lower partitions');
    expect(() => planTopicChanges(desired, actual)).toThrow('out has 8, the file asks for 6');
  });
});
