// `x7 processor` as an operator runs it: a process that processes events and
// stops cleanly on SIGTERM.
import { describe, expect, it } from 'vitest';
import { createCodec } from '../../src/codec/index.js';
import { startX7, stopProcess, runX7 } from '../support/cli.js';
import { createTestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { chatMessage, prepareNamespace, sendChatMessages, TopicReader, uncommitted, waitUntil } from '../support/pipeline.js';

describe('x7 processor', () => {
  it('processes an event, then exits 0 on SIGTERM after committing', async () => {
    const prefix = uniquePrefix('cli-processor');
    const db = await createTestDatabase({ seed: true, label: 'cli_processor' });
    const env = isolatedEnv(prefix, { X7_LOG_LEVEL: 'info', DATABASE_URL: db.url });
    const config = isolatedConfig(prefix, { DATABASE_URL: db.url });
    await prepareNamespace(config);
    const codec = createCodec(config);

    const processor = startX7(['processor'], env);
    const outbound = await TopicReader.open(config, 'chat.outbound');
    const analytics = await TopicReader.open(config, 'chat.analytics');
    try {
      const message = chatMessage({ chatType: 'GLOBAL', businessId: null, text: 'vegan ramen near me', location: { lat: 35.68, lon: 139.76 } });
      await sendChatMessages(config, codec, [message]);
      // What the shipped processors say is theirs to test; the process must have
      // produced the message's outbound events and its one analytics fact.
      const events = await Promise.all((await outbound.waitFor(1, { settleMs: 1000 })).map(async (r) => (await codec.decode('chat.outbound', r.value)).value));
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) expect(e).toMatchObject({ conversationId: message.conversationId, causationId: message.eventId });
      const facts = await Promise.all((await analytics.waitFor(1, { settleMs: 0 })).map(async (r) => (await codec.decode('chat.analytics', r.value)).value));
      expect(facts).toHaveLength(1);
      expect(facts[0]).toMatchObject({ inboundEventId: message.eventId, chatType: 'GLOBAL', conversationId: message.conversationId });
      await waitUntil(async () => Object.keys(await uncommitted(config)).length === 0, 20_000, 'the offset committed');

      // X7_METRICS_PORT=0 (isolatedEnv): the start log line says where /metrics is.
      const serving = processor.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; port?: number })
        .find((l) => l.msg?.startsWith('serving /healthz, /readyz and /metrics'));
      expect(serving?.port).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${serving!.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 20_000, '/readyz 200');
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^x7_events_total\{chat_type="GLOBAL",outcome="[A-Z_]+"\} 1$/m);

      const code = await stopProcess(processor);
      expect(code, processor.output()).toBe(0);
      const lines = processor.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.msg === 'processor runtime started')).toBe(true);
      expect(lines.some((l) => l.msg === 'processor runtime stopped')).toBe(true);
    } finally {
      if (processor.exitCode === null) {
        console.error(processor.output().slice(-4000));
        processor.kill('SIGKILL');
      }
      await Promise.all([outbound.close(), analytics.close()]);
      await db.drop();
    }
  });

  it('refuses bad configuration with a clear message and a non-zero exit', async () => {
    const result = await runX7(['processor'], { X7_PARTITION_CONCURRENCY: 'many', KAFKA_BROKERS: 'not a broker' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('X7_PARTITION_CONCURRENCY="many" is not valid');
    expect(result.stderr).toContain('KAFKA_BROKERS');
  });
});
