import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromAvro, parseSchema, toAvro, validate, type FieldProblem } from '../../src/codec/avro.js';
import { projectPath } from '../../src/paths.js';

const outbound = parseSchema(readFileSync(projectPath('schemas/OutboundEvent.avsc'), 'utf8'));
const chat = parseSchema(readFileSync(projectPath('schemas/ChatMessage.avsc'), 'utf8'));

const event = {
  eventId: 'e', conversationId: 'c', chatType: 'GLOBAL', userId: 'u', businessId: null, causationId: null,
  producedAt: new Date('2025-11-25T10:00:00Z'),
  body: { type: 'Reply', text: 'hi', agent: 'a', cards: [{ kind: 'OTHER', title: 't', subtitle: null, businessId: null, fields: { k: 'v' } }], suggestions: [] },
};

function problemsOf(type: typeof chat, value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const avro = toAvro(type, value, problems);
  return [...problems, ...validate(type, avro)];
}

describe('avro mapping', () => {
  it('wraps a discriminated body for avsc and unwraps it back, through the bytes', () => {
    const problems: FieldProblem[] = [];
    const avroValue = toAvro(outbound, event, problems) as { body: Record<string, unknown> };
    expect(problems).toEqual([]);
    expect(Object.keys(avroValue.body)).toEqual(['ai.x7.chat.Reply']);
    expect(fromAvro(outbound, outbound.fromBuffer(outbound.toBuffer(avroValue)))).toEqual(event);
  });

  it('names the path of a bad value deep in an array of a union branch', () => {
    const bad = { ...event, body: { ...event.body, cards: [{ ...event.body.cards[0], title: 7 }] } };
    expect(problemsOf(outbound, bad)).toEqual([{ field: 'body.cards[0].title', problem: '7 is not a valid string' }]);
  });

  it('reports missing and undeclared fields, even where the schema has a default', () => {
    const { clientMessageId: _dropped, ...rest } = {
      eventId: 'e', conversationId: 'c', chatType: 'GLOBAL', userId: 'u', businessId: null, text: 't', channel: 'WEB',
      locale: 'en', location: null, sentAt: new Date(0), clientMessageId: null, senderRole: null,
    };
    expect(problemsOf(chat, { ...rest, tenant: 'x' })).toEqual([
      { field: 'clientMessageId', problem: 'is missing' },
      { field: 'tenant', problem: 'is not a field of ChatMessage' },
    ]);
  });

  it('rejects a time that is not a valid Date and an unknown enum symbol', () => {
    const value = {
      eventId: 'e', conversationId: 'c', chatType: 'PRIVATE', userId: 'u', businessId: null, text: 't', channel: 'WEB',
      locale: 'en', location: null, sentAt: new Date(Number.NaN), clientMessageId: null, senderRole: null,
    };
    expect(problemsOf(chat, value).map((p) => p.field)).toEqual(['chatType', 'sentAt']);
    expect(problemsOf(chat, value)[0]!.problem).toContain('one of DEDICATED, DASHBOARD, GLOBAL');
  });
});
