// The codec against the real schema registry: round trips, and each way a value can
// be bad data (or the registry unavailable) classified as the DLQ needs it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BadDataError,
  createCodec,
  frame,
  InvalidValueError,
  RegistryUnavailableError,
  parseSchema,
  type EventCodec,
} from '../../src/codec/index.js';
import type { Config } from '../../src/config.js';
import { projectPath } from '../../src/paths.js';
import type { ChatMessage, OutboundEvent } from '../../src/events.js';
import { RegistryAdmin, registerSchemas, schemaSources } from '../../src/schemas/registry.js';
import { isolatedConfig, uniquePrefix } from '../support/isolation.js';

function chatMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    eventId: randomUUID(),
    conversationId: 'c-42',
    chatType: 'DEDICATED',
    userId: 'u-1',
    businessId: 'b-1',
    text: 'table for 4 tomorrow at 7pm',
    channel: 'WEB',
    locale: 'en-GB',
    location: { lat: 51.5072, lon: -0.1276 },
    sentAt: new Date('2025-11-25T18:00:00.123Z'),
    clientMessageId: null,
    senderRole: null,
    ...overrides,
  };
}

function outboundEvent(): OutboundEvent {
  return {
    eventId: randomUUID(),
    conversationId: 'c-42',
    chatType: 'GLOBAL',
    userId: 'u-1',
    businessId: null,
    causationId: null,
    producedAt: new Date('2025-11-25T18:00:01.000Z'),
    body: {
      type: 'Reply',
      text: 'Here are two places',
      agent: 'discovery',
      cards: [{ kind: 'BUSINESS', title: 'Luigi', subtitle: null, businessId: 'b-9', fields: { rating: '4.5' } }],
      suggestions: ['compare them'],
    },
  };
}

async function bad(promise: Promise<unknown>): Promise<BadDataError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BadDataError);
  return error as BadDataError;
}

describe('EventCodec with the real registry', () => {
  let codec: EventCodec;
  let config: Config;

  beforeAll(async () => {
    config = isolatedConfig(uniquePrefix('codec'));
    await registerSchemas(new RegistryAdmin(config.schemaRegistryUrl), schemaSources(config));
    codec = createCodec(config);
  });

  it('round-trips a ChatMessage with its Date, null and nested record intact', async () => {
    const message = chatMessage({ businessId: null, chatType: 'GLOBAL', clientMessageId: 'm-7' });
    const bytes = await codec.encode('chat.inbound', message);
    expect(bytes[0]).toBe(0);
    const decoded = await codec.decode('chat.inbound', bytes);
    expect(decoded.value).toEqual(message);
    expect(decoded.value.sentAt).toBeInstanceOf(Date);
    expect(decoded.writerSchemaName).toBe('ai.x7.chat.ChatMessage');
    expect(decoded.schemaId).toBe(bytes.readInt32BE(1));
  });

  it('round-trips an OutboundEvent body as a discriminated union with its record type visible', async () => {
    const event = outboundEvent();
    const decoded = await codec.decode('chat.outbound', await codec.encode('chat.outbound', event));
    expect(decoded.value).toEqual(event);
    expect(decoded.value.body.type).toBe('Reply');
    expect(JSON.parse(JSON.stringify(decoded.value)).body.type).toBe('Reply');
  });

  it('rejects a value with a missing field, naming it, instead of filling the default', async () => {
    const { businessId: _omitted, ...withoutBusiness } = chatMessage();
    const error = await codec.encode('chat.inbound', withoutBusiness as ChatMessage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe('businessId');
    expect((error as Error).message).toContain('businessId is missing');
  });

  it('rejects a wrong type deep inside a value with the field path', async () => {
    const error = await codec.encode('chat.inbound', chatMessage({ location: { lat: 'north' as unknown as number, lon: 0 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as InvalidValueError).field).toBe('location.lat');
  });

  it('rejects an unknown body type of an OutboundEvent', async () => {
    const event = { ...outboundEvent(), body: { type: 'Shout', text: 'hi' } } as unknown as OutboundEvent;
    const error = await codec.encode('chat.outbound', event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toMatch(/body\.type must be one of StatusUpdate, Reply, WorkflowUpdate, ErrorNotice/);
  });

  it('decodes records written with an older ChatMessage version into today\'s shape', async () => {
    const current = JSON.parse(readFileSync(projectPath('schemas/ChatMessage.avsc'), 'utf8'));
    const older = { ...current, fields: current.fields.filter((f: { name: string }) => f.name !== 'clientMessageId') };
    const admin = new RegistryAdmin(config.schemaRegistryUrl);
    const olderId = await admin.register(`${config.topicPrefix}older-producer-value`, JSON.stringify(older));
    const { clientMessageId: _absent, ...oldValue } = chatMessage();
    const bytes = frame(olderId, parseSchema(older).toBuffer(oldValue));
    const decoded = await codec.decode('chat.inbound', bytes);
    expect(decoded.schemaId).toBe(olderId);
    expect(decoded.value).toEqual({ ...oldValue, clientMessageId: null });
  });

  it('classifies a ChatMessage writer schema that cannot be read as ours as SCHEMA_MISMATCH, naming the field', async () => {
    const current = JSON.parse(readFileSync(projectPath('schemas/ChatMessage.avsc'), 'utf8'));
    const incompatible = { ...current, fields: current.fields.filter((f: { name: string }) => f.name !== 'userId') };
    const admin = new RegistryAdmin(config.schemaRegistryUrl);
    const id = await admin.register(`${config.topicPrefix}rogue-producer-value`, JSON.stringify(incompatible));
    const { userId: _gone, ...value } = chatMessage();
    const error = await bad(codec.decode('chat.inbound', frame(id, parseSchema(incompatible).toBuffer(value))));
    expect(error.code).toBe('SCHEMA_MISMATCH');
    expect(error.field).toBe('userId');
  });

  it('classifies a schema id the registry does not know as UNKNOWN_SCHEMA', async () => {
    const bytes = await codec.encode('chat.inbound', chatMessage());
    const error = await bad(codec.decode('chat.inbound', frame(2_000_000_000, bytes.subarray(5))));
    expect(error.code).toBe('UNKNOWN_SCHEMA');
    expect(error.message).toContain('2000000000');
  });

  it('classifies OutboundEvent bytes read as chat.inbound as SCHEMA_MISMATCH', async () => {
    const bytes = await codec.encode('chat.outbound', outboundEvent());
    const error = await bad(codec.decode('chat.inbound', bytes));
    expect(error.code).toBe('SCHEMA_MISMATCH');
    expect(error.message).toContain('ai.x7.chat.OutboundEvent');
  });

  it('classifies a truncated body and trailing bytes as DECODE_ERROR', async () => {
    const bytes = await codec.encode('chat.inbound', chatMessage());
    expect((await bad(codec.decode('chat.inbound', bytes.subarray(0, bytes.length - 4)))).code).toBe('DECODE_ERROR');
    expect((await bad(codec.decode('chat.inbound', Buffer.concat([bytes, Buffer.from([1, 2, 3])])))).code).toBe('DECODE_ERROR');
  });

  it('classifies bytes without the magic byte as WIRE_FORMAT', async () => {
    expect((await bad(codec.decode('chat.inbound', Buffer.from('{"text":"hello"}')))).code).toBe('WIRE_FORMAT');
    expect((await bad(codec.decode('chat.inbound', Buffer.from([0, 0, 1])))).code).toBe('WIRE_FORMAT');
  });
});

describe('EventCodec without a registry', () => {
  it('reports a registry on a closed port as RegistryUnavailableError, not bad data, and quickly', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const codec = createCodec(isolatedConfig(uniquePrefix('codec-down'), { SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}/apis/ccompat/v7` }));
    const started = Date.now();
    const decodeError = await codec.decode('chat.inbound', frame(1, Buffer.from([2, 0]))).catch((e: unknown) => e);
    expect(decodeError).toBeInstanceOf(RegistryUnavailableError);
    expect(decodeError).not.toBeInstanceOf(BadDataError);
    const encodeError = await codec.encode('chat.inbound', chatMessage()).catch((e: unknown) => e);
    expect(encodeError).toBeInstanceOf(RegistryUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a registry that accepts connections but never answers within the timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((socket) => sockets.push(socket)); // reads nothing, answers nothing
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const config = isolatedConfig(uniquePrefix('codec-hang'), { SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}` });
      const codec = createCodec(config, { registryTimeoutMs: 300 });
      const started = Date.now();
      const error = await codec.decode('chat.inbound', frame(7, Buffer.from([2, 0]))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryUnavailableError);
      expect((error as Error).message).toContain('Timeout');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
