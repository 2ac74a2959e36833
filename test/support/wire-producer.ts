// Producing records to chat.inbound as any Kafka producer may write them, including
// what kafkajs itself cannot write: a header whose value is null. Kafka allows it and
// Java producers write them (`new RecordHeader("k", null)`), but kafkajs's size
// computation calls Buffer.byteLength(null), which throws (tulios/kafkajs#1789). So
// the records are written by kafkajs in a child process whose Buffer.byteLength
// takes null as 0 bytes (the encoder then writes the -1 length of a null value);
// the process under test keeps the kafkajs everyone runs. A keyed record's partition
// is picked here, as the Java client would (kafkajs's own partitioner takes minutes
// on a 1 MB key: src/kafka/partitioner.ts).
import { spawn } from 'node:child_process';
import type { Config } from '../../src/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { partitionOfKey } from '../../src/kafka/partitioner.js';
import { topicName } from '../../src/kafka/topics.js';
import { projectPath } from '../../src/paths.js';
import type { Sent } from './pipeline.js';

/** A record as it goes on the wire: headers in order, a name may repeat, a value may be null. */
export interface WireRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: [name: string, value: Buffer | null][];
}

const PRODUCER = `
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
const { Kafka, Partitioners, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
// Snappy, as Java's and librdkafka's producers often write it; kafkajs has no codec of its own.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
const byteLength = Buffer.byteLength;
Buffer.byteLength = (value, encoding) => (value === null ? 0 : byteLength(value, encoding));
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { brokers, topic, records, compression } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const bytes = (b64) => (b64 === null ? null : Buffer.from(b64, 'base64'));
const producer = new Kafka({ clientId: 'x7-test-wire-producer', brokers, logLevel: logLevel.ERROR })
  .producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const sent = [];
for (const record of records) {
  // No prototype: a header named "__proto__" is a header like any other. Repeated
  // names become arrays, which kafkajs writes as one header per value.
  const headers = Object.create(null);
  for (const [name, value] of record.headers) {
    if (!(name in headers)) headers[name] = bytes(value);
    else headers[name] = [].concat(headers[name], [bytes(value)]);
  }
  // One at a time, so the broker's answer tells each record's own offset.
  const message = { key: bytes(record.key), value: bytes(record.value), headers, ...(record.partition === null ? {} : { partition: record.partition }) };
  const [meta] = await producer.send({ topic, messages: [message], ...(compression === 'snappy' ? { compression: CompressionTypes.Snappy } : {}) });
  sent.push({ partition: meta.partition, offset: meta.baseOffset });
}
await producer.disconnect();
process.stdout.write(JSON.stringify(sent));
`;

/** Produces `records` to the namespace's chat.inbound (as snappy-compressed batches on request); returns where each landed. */
export async function produceWireRecords(config: Config, records: readonly WireRecord[], options: { compression?: 'snappy' } = {}): Promise<Sent[]> {
  const topic = topicName(config, 'chat.inbound');
  const admin = createKafka(config, 'test-admin').admin();
  await admin.connect();
  const partitions = await admin.fetchTopicMetadata({ topics: [topic] }).finally(() => admin.disconnect());
  const count = partitions.topics[0]!.partitions.length;
  const b64 = (b: Buffer | null) => (b === null ? null : b.toString('base64'));
  const input = JSON.stringify({
    brokers: config.kafkaBrokers,
    topic,
    compression: options.compression ?? null,
    records: records.map((r) => ({
      key: b64(r.key), value: b64(r.value), headers: r.headers.map(([n, v]) => [n, b64(v)]), partition: r.key === null ? null : partitionOfKey(r.key, count),
    })),
  });
  return new Promise((resolve, reject) => {
    // From the project's folder, so the script's `import 'kafkajs'` finds node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', PRODUCER], { cwd: projectPath('.'), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Sent[]) : reject(new Error(`the wire producer exited with ${code}: ${stderr.trim()}`))));
    child.stdin.end(input);
  });
}
