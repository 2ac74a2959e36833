// x7 over secured services, as an operator with managed Kafka, Redis and PostgreSQL
// runs it: the secure profile of the local stack (`scripts/stack.sh up --secure`)
// runs Kafka with SASL_SSL + SCRAM-SHA-512, Redis with TLS and an ACL user, and
// PostgreSQL refusing TCP without TLS, all with certificates of a CA made with
// openssl at its first start and passwords generated then. The x7 processes get
// nothing but the variables of `.stack/secure/client.env`, as a user would.
//
// - One message of each chat type goes end to end: a WebSocket client of `x7 bridge`
//   (Redis over TLS) → chat.inbound → `x7 processor` (Kafka over SASL_SSL,
//   PostgreSQL verify-full) → chat.outbound → the client; the DEDICATED booking is
//   confirmed by `x7 worker` (its producer over SASL_SSL too).
// - Wrong credentials or a server certificate from an untrusted CA stop a process at
//   start with one line naming the dependency, and a non-zero exit.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { projectPath } from '../../src/paths.js';
import { newConversationId, startBridge, TestSocket, tokenFor, type BridgeProcess, type Frame } from '../support/bridge.js';
import { runX7, startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace } from '../support/pipeline.js';
import { terminateRunningWorkflows } from '../support/workflows.js';

const SECURE_DIR = projectPath('.stack/secure');
const TABERNA = 'lis-taberna-do-largo'; // restaurant; u-ana owns it

/** KEY=VALUE lines of a dotenv file (comments and blank lines skipped). */
function readDotenv(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

let secureEnv: Record<string, string>;
let db: TestDatabase;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  const up = spawnSync('bash', [projectPath('scripts/stack.sh'), 'up', '--secure'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  if (up.status !== 0) throw new Error(`scripts/stack.sh up --secure exited ${up.status}`);
  secureEnv = readDotenv(`${SECURE_DIR}/client.env`);
  db = await createTestDatabase({ seed: true, label: 'secure', adminUrl: secureEnv.DATABASE_URL });
}, 360_000);

afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await db?.drop();
  // The secure stack is this file's own: stopped, so nothing of it outlives the run.
  spawnSync('bash', [projectPath('scripts/stack.sh'), 'down', '--secure'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120_000 });
}, 180_000);

/** The configuration of a process in the test's namespace over the secure stack. */
function secureConfig(prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...secureEnv, ...isolatedEnv(prefix, { DATABASE_URL: db.url, ...extra }) });
}

const isEvent = (conversationId: string, test: (event: Frame) => boolean) => (f: Frame) =>
  f.type === 'event' && f.conversationId === conversationId && test(f.event as Frame);

describe('x7 over the secure stack (SASL_SSL Kafka, TLS Redis, TLS PostgreSQL)', () => {
  let bridge: BridgeProcess;

  it('answers one message of each chat type end to end', async () => {
    const prefix = uniquePrefix('secure-e2e');
    const taskQueue = `${prefix}workflows`;
    const config = secureConfig(prefix, { X7_TASK_QUEUE: taskQueue });
    await prepareNamespace(config);
    const env = { ...secureEnv, ...isolatedEnv(prefix, { DATABASE_URL: db.url, X7_TASK_QUEUE: taskQueue }) };
    const processor = startX7(['processor'], env);
    cleanup.push(() => stopProcess(processor));
    const worker = startX7(['worker'], env);
    cleanup.push(() => stopProcess(worker));
    const temporal = await Connection.connect({ address: config.temporalAddress });
    cleanup.push(async () => {
      await terminateRunningWorkflows(new Client({ connection: temporal, namespace: config.temporalNamespace }), taskQueue);
      await temporal.close();
    });
    bridge = await startBridge({ prefix, databaseUrl: db.url, env: { ...secureEnv, DATABASE_URL: db.url, X7_TASK_QUEUE: taskQueue } });
    cleanup.push(() => bridge.kill());

    const diego = await TestSocket.open(bridge.ws, await tokenFor('u-diego'));
    const ana = await TestSocket.open(bridge.ws, await tokenFor('u-ana'));
    cleanup.push(() => diego.close(), () => ana.close());

    const cases = [
      { client: diego, chatType: 'DEDICATED', businessId: TABERNA, text: 'table for 2 next friday at 8pm' },
      { client: ana, chatType: 'DASHBOARD', businessId: TABERNA, text: 'how many bookings today?' },
      { client: diego, chatType: 'GLOBAL', businessId: undefined, text: 'vegan ramen near me' },
    ] as const;
    const sent: { conversationId: string; eventId: string; client: TestSocket; chatType: string }[] = [];
    for (const [i, c] of cases.entries()) {
      const conversationId = newConversationId();
      const subscribed = await c.client.subscribe(conversationId);
      expect(subscribed, JSON.stringify(subscribed)).toMatchObject({ type: 'subscribed' });
      const clientMessageId = `secure-${i}`;
      c.client.send({ type: 'message', clientMessageId, conversationId, chatType: c.chatType, text: c.text, ...(c.businessId ? { businessId: c.businessId } : {}) });
      const ack = await c.client.next((f) => (f.type === 'ack' || f.type === 'error') && (f.clientMessageId === clientMessageId || f.ref === clientMessageId));
      expect(ack, JSON.stringify(ack)).toMatchObject({ type: 'ack' });
      sent.push({ conversationId, eventId: ack.eventId as string, client: c.client, chatType: c.chatType });
    }
    for (const s of sent) {
      const reply = await s.client.next(isEvent(s.conversationId, (e) => e.causationId === s.eventId && e.body.type === 'Reply'), 90_000);
      expect(reply.event.body.text.length, `${s.chatType} reply`).toBeGreaterThan(0);
      await s.client.next(isEvent(s.conversationId, (e) => e.causationId === s.eventId && e.body.type === 'StatusUpdate' && e.body.status === 'DONE'), 30_000);
    }
    const booking = sent[0]!;
    const reply = booking.client.events(booking.conversationId).find((f) => f.event.body.type === 'Reply')!;
    expect(reply.event.body).toMatchObject({ agent: 'reservations', text: expect.stringMatching(/^Booked a table for 2 on Friday/) });
    await booking.client.next(isEvent(booking.conversationId, (e) => e.body.type === 'WorkflowUpdate' && e.body.status === 'CONFIRMED'), 90_000);
    const { rows } = await db.pool.query<{ status: string }>('select status from bookings where conversation_id = $1', [booking.conversationId]);
    expect(rows).toEqual([{ status: 'confirmed' }]);
    expect([...diego.frames, ...ana.frames].filter((f) => f.type === 'error')).toEqual([]);
  }, 300_000);

  it('applies the topics over the mutual-TLS listener with KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE, and is refused without them', async () => {
    const prefix = uniquePrefix('secure-mtls');
    const mtls = { KAFKA_BROKERS: secureEnv.SECURE_KAFKA_MTLS_BROKERS!, KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' };
    const env = { ...secureEnv, ...isolatedEnv(prefix, { DATABASE_URL: db.url }), ...mtls };
    const applied = await runX7(['topics', 'apply'], { ...env, KAFKA_SSL_CERT_FILE: secureEnv.SECURE_KAFKA_SSL_CERT_FILE!, KAFKA_SSL_KEY_FILE: secureEnv.SECURE_KAFKA_SSL_KEY_FILE! });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const topics = await createKafka(secureConfig(prefix)).admin();
    await topics.connect();
    try {
      expect(await topics.listTopics()).toContain(`${prefix}chat.inbound`);
    } finally {
      await topics.disconnect();
    }
    const refused = await runX7(['topics', 'apply'], env);
    expect(refused.code, refused.stdout + refused.stderr).not.toBe(0);
  }, 120_000);

  // Each refusal at start: one line naming the dependency and what to check, exit 1,
  // never the password; with every other setting right.
  const refusals: { name: string; command: 'processor' | 'bridge'; env: () => Record<string, string>; line: RegExp }[] = [
    { name: 'a wrong SCRAM password', command: 'processor', env: () => ({ KAFKA_SASL_PASSWORD: 'not-the-password' }),
      line: /^x7 processor: Kafka refused our credentials \(.*\); check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM$/ },
    { name: 'a Kafka certificate from an untrusted CA', command: 'processor', env: () => ({ KAFKA_SSL_CA_FILE: secureEnv.SECURE_OTHER_CA_FILE! }),
      line: /^x7 processor: Kafka presented a certificate that is not trusted \(.*\); check KAFKA_SSL_CA_FILE/ },
    { name: 'a wrong PostgreSQL password', command: 'processor', env: () => ({ DATABASE_URL: withPassword(db.url, 'not-the-password') }),
      line: /^x7 processor: PostgreSQL refused our credentials \(28P01: .*\); check the user and password in DATABASE_URL/ },
    { name: 'a PostgreSQL certificate from an untrusted CA', command: 'processor', env: () => ({ DATABASE_URL: db.url.replace(/sslrootcert=[^&]*/, `sslrootcert=${encodeURIComponent(secureEnv.SECURE_OTHER_CA_FILE!)}`) }),
      line: /^x7 processor: PostgreSQL .*certificate/ },
    { name: 'a wrong Redis password', command: 'bridge', env: () => ({ REDIS_URL: withPassword(secureEnv.REDIS_URL!, 'not-the-password') }),
      line: /^x7 bridge: Redis refused our credentials \(.*\); check the user and password in REDIS_URL/ },
    { name: 'a Redis certificate from an untrusted CA', command: 'bridge', env: () => ({ REDIS_CA_FILE: secureEnv.SECURE_OTHER_CA_FILE! }),
      line: /^x7 bridge: Redis .*certificate/ },
  ];
  for (const refusal of refusals) {
    it(`x7 ${refusal.command} stops at start on ${refusal.name}, with one line naming the dependency`, async () => {
      const prefix = uniquePrefix('secure-refused');
      const result = await runX7([refusal.command], {
        ...secureEnv, ...isolatedEnv(prefix, { DATABASE_URL: db.url }),
        X7_JWT_SECRET: 'secure-stack-tests-secret-0123456789abcdef', X7_BRIDGE_PORT: '0', X7_BRIDGE_METRICS_PORT: '0',
        ...refusal.env(),
      });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1), result.stderr).toMatch(refusal.line);
      expect(result.stdout + result.stderr).not.toContain(secureEnv.KAFKA_SASL_PASSWORD!);
      expect(result.stdout + result.stderr).not.toContain('not-the-password');
    });
  }
});

/** A connection URL with another password. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}
