// `x7 produce` then `x7 tail`: what an operator sees end to end through the real
// broker and registry.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runX7 } from '../support/cli.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace } from '../support/pipeline.js';

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function tempJson(value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'x7-event-')), 'event.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('x7 produce and x7 tail', () => {
  let prefix: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    prefix = uniquePrefix('produce-tail');
    env = isolatedEnv(prefix);
    await prepareNamespace(isolatedConfig(prefix));
  });

  it('publishes a ChatMessage from flags and tail shows it decoded with its coordinates', async () => {
    const produced = await runX7(
      ['produce', '--chat-type', 'DEDICATED', '--conversation', 'c-tail-1', '--user', 'u-7', '--business', 'b-3',
        '--text', 'table for 4 tomorrow at 7pm', '--lat', '51.5', '--lon=-0.12', '--sent-at', '2025-11-25T18:00:00.000Z',
        '--event-id', '0b5e7b0e-6a41-4c1e-9a7e-3f0e1c2d3b4a', '--header', 'trace=abc'],
      env,
    );
    expect(produced.stderr).not.toContain('x7 produce:');
    expect(produced.code).toBe(0);
    const [receipt] = jsonLines(produced.stdout);
    expect(receipt).toMatchObject({ eventId: '0b5e7b0e-6a41-4c1e-9a7e-3f0e1c2d3b4a', topic: `${prefix}chat.inbound` });

    const tail = await runX7(['tail', 'chat.inbound', '--from-beginning', '--max', '1', '--timeout-ms', '30000'], env);
    expect(tail.code).toBe(0);
    const lines = jsonLines(tail.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      topic: `${prefix}chat.inbound`,
      partition: receipt!.partition,
      offset: receipt!.offset,
      key: 'c-tail-1',
      headers: { trace: 'abc' },
      value: {
        eventId: '0b5e7b0e-6a41-4c1e-9a7e-3f0e1c2d3b4a',
        conversationId: 'c-tail-1',
        chatType: 'DEDICATED',
        userId: 'u-7',
        businessId: 'b-3',
        text: 'table for 4 tomorrow at 7pm',
        channel: 'WEB',
        locale: 'en-GB',
        location: { lat: 51.5, lon: -0.12 },
        sentAt: '2025-11-25T18:00:00.000Z',
        clientMessageId: null,
        senderRole: null,
      },
    });
    expect(typeof lines[0]!.timestamp).toBe('string');
  });

  it('publishes an OutboundEvent from --file and tail shows which record its body is', async () => {
    const event = {
      eventId: '5d2a3c1b-1f2e-4d3c-8b7a-6f5e4d3c2b1a',
      conversationId: 'c-out-1',
      chatType: 'GLOBAL',
      userId: 'u-1',
      businessId: null,
      causationId: null,
      producedAt: '2025-11-25T18:00:01.000Z',
      body: { type: 'WorkflowUpdate', workflowId: 'wf-1', workflowType: 'RESERVATION', status: 'CONFIRMED', detail: null },
    };
    const produced = await runX7(['produce', '--topic', 'chat.outbound', '--file', tempJson(event)], env);
    expect(produced.code).toBe(0);
    const tail = await runX7(['tail', 'chat.outbound', '--from-beginning', '--max', '1', '--timeout-ms', '30000'], env);
    expect(tail.code).toBe(0);
    const [line] = jsonLines(tail.stdout);
    expect(line!.key).toBe('c-out-1');
    expect(line!.value).toEqual(event);
  });

  it('refuses an event with a missing field, naming it, and sends nothing', async () => {
    const incomplete = { eventId: '9a8b7c6d-1111-4222-8333-944455556666', conversationId: 'c-bad', chatType: 'GLOBAL', userId: 'u', text: 'x', channel: 'WEB', locale: 'en', sentAt: '2025-01-01T00:00:00Z', clientMessageId: null };
    const produced = await runX7(['produce', '--topic', 'chat.outbound', '--file', tempJson(incomplete)], env);
    expect(produced.code).toBe(1);
    expect(produced.stderr).toMatch(/x7 produce: invalid chat\.outbound value: .*producedAt is missing/);
    const inbound = await runX7(['produce', '--file', tempJson(incomplete)], env);
    expect(inbound.code).toBe(1);
    expect(inbound.stderr).toContain('x7 produce: invalid chat.inbound value: businessId is missing; location is missing');
    expect(inbound.stdout).toBe('');
  });

  it('sends raw bytes with --raw and tail marks them as not decodable, with the bytes in base64', async () => {
    const produced = await runX7(['produce', '--raw', '--key', 'c-raw', '--hex', '01 02 03', '--topic', 'chat.analytics'], env);
    expect(produced.code).toBe(0);
    const tail = await runX7(['tail', 'chat.analytics', '--from-beginning', '--max', '1', '--timeout-ms', '30000'], env);
    const [line] = jsonLines(tail.stdout);
    expect(line).toMatchObject({
      key: 'c-raw',
      value: null,
      error: { code: 'WIRE_FORMAT' },
      valueBase64: Buffer.from([1, 2, 3]).toString('base64'),
    });
  });

  it('starts at the end by default, stops after --timeout-ms without records, and rejects an unknown topic name', async () => {
    expect((await runX7(['produce', '--raw', '--topic', 'chat.workflows', '--key', 'wf-old', '--value', 'old'], env)).code).toBe(0);
    const idle = await runX7(['tail', 'chat.workflows', '--timeout-ms', '1500'], env);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toBe('');
    expect(idle.stderr).toContain('0 record(s)');
    const unknown = await runX7(['tail', 'chat.elsewhere'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('TOPIC must be one of chat.inbound, chat.outbound');
  });

  it('stops with one line, skipping nothing, when the registry is unreachable while tailing', async () => {
    const produced = await runX7(['produce', '--chat-type', 'GLOBAL', '--conversation', 'c-down', '--user', 'u', '--text', 'hello'], env);
    expect(produced.code).toBe(0);
    const tail = await runX7(
      ['tail', 'chat.inbound', '--from-beginning', '--max', '5', '--timeout-ms', '20000'],
      { ...env, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7' },
    );
    expect(tail.code).toBe(1);
    expect(tail.stdout).toBe('');
    expect(tail.stderr).toMatch(/x7 tail: schema registry at http:\/\/127\.0\.0\.1:1\/apis\/ccompat\/v7 is unavailable/);
  });
});
