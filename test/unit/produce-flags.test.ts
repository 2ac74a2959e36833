import { describe, expect, it } from 'vitest';
import { chatMessageFromFlags, eventFromJson } from '../../src/cli/chat-message-flags.js';
import { UsageError } from '../../src/cli/command.js';

const now = () => new Date('2025-11-25T12:00:00.000Z');
const id = () => '11111111-2222-4333-8444-555555555555';

describe('x7 produce flags → ChatMessage', () => {
  it('builds a ChatMessage with the documented defaults only', () => {
    expect(chatMessageFromFlags({ 'chat-type': 'global', conversation: 'c-1', user: 'u-1', text: 'pizza near me' }, now, id)).toEqual({
      eventId: '11111111-2222-4333-8444-555555555555',
      conversationId: 'c-1',
      chatType: 'GLOBAL',
      userId: 'u-1',
      businessId: null,
      text: 'pizza near me',
      channel: 'WEB',
      locale: 'en-GB',
      location: null,
      sentAt: new Date('2025-11-25T12:00:00.000Z'),
      clientMessageId: null,
      senderRole: null,
    });
  });

  it('takes every flag when given', () => {
    const message = chatMessageFromFlags(
      {
        'chat-type': 'DEDICATED', conversation: 'c', user: 'u', business: 'b-7', text: 't', channel: 'voice', locale: 'fr-FR',
        lat: '48.85', lon: '2.35', 'event-id': 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', 'sent-at': '2025-01-02T03:04:05+01:00', 'client-message-id': 'm-1',
      },
      now,
      id,
    );
    expect(message).toMatchObject({ businessId: 'b-7', channel: 'VOICE', locale: 'fr-FR', location: { lat: 48.85, lon: 2.35 }, clientMessageId: 'm-1' });
    expect(message.sentAt.toISOString()).toBe('2025-01-02T02:04:05.000Z');
    expect(message.eventId).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
  });

  it.each([
    [{ conversation: 'c', user: 'u', text: 't' }, '--chat-type is required'],
    [{ 'chat-type': 'GLOBAL', user: 'u', text: 't' }, '--conversation is required'],
    [{ 'chat-type': 'PRIVATE', conversation: 'c', user: 'u', text: 't' }, '--chat-type must be one of DEDICATED, DASHBOARD, GLOBAL'],
    [{ 'chat-type': 'GLOBAL', conversation: 'c', user: 'u', text: 't', channel: 'FAX' }, '--channel must be one of'],
    [{ 'chat-type': 'GLOBAL', conversation: 'c', user: 'u', text: 't', lat: '10' }, '--lat and --lon go together'],
    [{ 'chat-type': 'GLOBAL', conversation: 'c', user: 'u', text: 't', lat: '91', lon: '0' }, '--lat must be a number from -90 to 90'],
    [{ 'chat-type': 'GLOBAL', conversation: 'c', user: 'u', text: 't', 'sent-at': 'yesterday' }, '--sent-at must be an ISO-8601 time'],
    [{ 'chat-type': 'GLOBAL', conversation: 'c', user: 'u', text: 't', 'event-id': '42' }, '--event-id must be a UUID'],
  ])('rejects %j with a UsageError naming the flag', (flags, message) => {
    expect(() => chatMessageFromFlags(flags, now, id)).toThrow(UsageError);
    expect(() => chatMessageFromFlags(flags, now, id)).toThrow(message);
  });

  it('turns time fields of a --file event into Dates and fills in nothing', () => {
    const event = eventFromJson({ sentAt: '2025-11-25T10:00:00Z', producedAt: 1_700_000_000_000, text: 'x' });
    expect(event).toEqual({ sentAt: new Date('2025-11-25T10:00:00Z'), producedAt: new Date(1_700_000_000_000), text: 'x' });
    expect(() => eventFromJson({ sentAt: 'soon' })).toThrow('sentAt in --file must be an ISO-8601 time');
    expect(() => eventFromJson([1])).toThrow('--file must hold one JSON object');
  });
});
