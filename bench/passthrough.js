// The baseline: a bare kafkajs consume → produce passthrough, run as a child
// process of bench/run.js (so it has a process and an event loop of its own, as
// `x7 processor` has). Every record of BENCH_IN is produced unchanged (key, value,
// headers) to BENCH_OUT, a fetched batch per send, acks=all, offsets committed by
// the consumer after each batch. No decoding, no transactions: the ceiling of this
// client on this machine, not a processor. Stops on SIGTERM.
import kafkajs from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const inTopic = env('BENCH_IN');
const outTopic = env('BENCH_OUT');
const concurrency = Number(process.env.BENCH_PARTITIONS_CONCURRENTLY ?? '4');

const kafka = new Kafka({ clientId: 'x7-bench-passthrough', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.ERROR, connectionTimeout: 3_000 });
const consumer = kafka.consumer({ groupId: env('BENCH_GROUP'), maxWaitTimeInMs: 100 });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

await Promise.all([consumer.connect(), producer.connect()]);
await consumer.subscribe({ topics: [inTopic], fromBeginning: true });
let moved = 0;
await consumer.run({
  partitionsConsumedConcurrently: concurrency,
  eachBatchAutoResolve: true,
  eachBatch: async ({ batch, heartbeat }) => {
    const messages = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
    if (messages.length === 0) return;
    await producer.send({ topic: outTopic, acks: -1, messages });
    moved += messages.length;
    await heartbeat();
  },
});
process.stdout.write('running\n');

const stop = async () => {
  await consumer.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  process.stdout.write(`moved ${moved}\n`);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
