import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/events.js';
import {
  createValidator,
  isPlausibleLanguageTag,
  knownBusinessRule,
  validateChatMessage,
  type BusinessDirectory,
} from '../../src/pipeline/validation.js';
import { DependencyUnavailableError } from '../../src/pipeline/errors.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const limits = { maxTextBytes: 40, maxClockSkewMs: 60_000 };

function message(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    eventId: '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
    conversationId: 'c-42',
    chatType: 'DEDICATED',
    userId: 'u-1',
    businessId: 'b-7',
    text: 'table for 4 tomorrow',
    channel: 'WEB',
    locale: 'en-GB',
    location: { lat: 51.5, lon: -0.12 },
    sentAt: new Date(NOW - 1000),
    clientMessageId: null,
    senderRole: null,
    ...overrides,
  };
}

const check = (m: ChatMessage) => validateChatMessage(m, limits, NOW);

describe('layer-3 validation of a chat message', () => {
  it('accepts a sound message of each chat type', () => {
    expect(check(message())).toBeNull();
    expect(check(message({ chatType: 'DASHBOARD' }))).toBeNull();
    expect(check(message({ chatType: 'GLOBAL', businessId: null, location: null }))).toBeNull();
  });

  it.each([
    ['eventId', { eventId: 'not-a-uuid' }],
    ['eventId', { eventId: '3f1c2a4e5b6d4e7f8a9b0c1d2e3f4a5b' }],
    ['conversationId', { conversationId: '' }],
    ['conversationId', { conversationId: '   ' }],
    ['conversationId', { conversationId: 'c'.repeat(201) }],
    ['userId', { userId: '' }],
    ['userId', { userId: 'u'.repeat(201) }],
    ['businessId', { chatType: 'DEDICATED', businessId: null }],
    ['businessId', { chatType: 'DASHBOARD', businessId: null }],
    ['businessId', { chatType: 'DASHBOARD', businessId: ' ' }],
    ['businessId', { chatType: 'GLOBAL', businessId: 'b-7' }],
    ['text', { text: '' }],
    ['text', { text: ' \n\t ' }],
    ['text', { text: 'x'.repeat(41) }],
    ['text', { text: 'table for 2\u0000' }],
    ['text', { text: 'hi \ud800 there' }],
    ['conversationId', { conversationId: 'c-1\u0000' }],
    ['conversationId', { conversationId: 'c-\udc00' }],
    ['userId', { userId: 'u-1\n' }],
    ['businessId', { chatType: 'DEDICATED', businessId: 'lis-\u0000' }],
    ['businessId', { chatType: 'DASHBOARD', businessId: 'b-\ud83d' }],
    ['locale', { locale: '' }],
    ['locale', { locale: 'english' }],
    ['locale', { locale: 'en_GB' }],
    ['locale', { locale: 'en-' }],
    ['location.lat', { location: { lat: 90.0001, lon: 0 } }],
    ['location.lat', { location: { lat: Number.NaN, lon: 0 } }],
    ['location.lon', { location: { lat: 0, lon: -180.5 } }],
    ['sentAt', { sentAt: new Date(NOW + 60_001) }],
    ['sentAt', { sentAt: new Date(Date.UTC(1999, 11, 31, 23, 59, 59)) }],
    ['sentAt', { sentAt: new Date(Number.NaN) }],
  ] as [string, Partial<ChatMessage>][])('rejects a bad %s (%j) naming the field', (field, overrides) => {
    const rejection = check(message(overrides));
    expect(rejection).toMatchObject({ code: 'INVALID_EVENT', field });
    expect(rejection!.message.length).toBeGreaterThan(10);
  });

  it('keeps line breaks, tabs, emoji and right-to-left marks in text', () => {
    expect(check(message({ text: 'table for 2\n\tplease 🙂 \u200f' }))).toBeNull();
  });

  it('measures text in UTF-8 bytes, not characters', () => {
    // 10 characters of 4 bytes each: exactly the 40-byte limit; one more byte is too much.
    expect(check(message({ text: '😀'.repeat(10) }))).toBeNull();
    expect(check(message({ text: `${'😀'.repeat(10)}!` }))).toMatchObject({ field: 'text' });
  });

  it('accepts boundary values: the poles, the antimeridian, the skew limit, 2000-01-01', () => {
    expect(check(message({ location: { lat: -90, lon: 180 } }))).toBeNull();
    expect(check(message({ sentAt: new Date(NOW + 60_000) }))).toBeNull();
    expect(check(message({ sentAt: new Date(Date.UTC(2000, 0, 1)) }))).toBeNull();
    expect(check(message({ conversationId: 'c'.repeat(200) }))).toBeNull();
  });

  it('knows plausible BCP 47 tags', () => {
    for (const tag of ['en', 'en-GB', 'zh-Hant-TW', 'es-419', 'de-CH-1996', 'sr-Latn-RS', 'und']) expect(isPlausibleLanguageTag(tag), tag).toBe(true);
    for (const tag of ['e', 'english', 'en--GB', '12', 'en GB', 'x'.repeat(40)]) expect(isPlausibleLanguageTag(tag), tag).toBe(false);
  });
});

describe('the async known-business hook', () => {
  const directory = (known: string[]): BusinessDirectory => ({ hasBusiness: async (id) => known.includes(id) });

  it('rejects an unknown business after the pure rules passed', async () => {
    const validate = createValidator({ limits, now: () => NOW, asyncRules: [knownBusinessRule(directory(['b-1']))] });
    expect(await validate(message({ businessId: 'b-1' }))).toBeNull();
    expect(await validate(message({ businessId: 'b-7' }))).toMatchObject({ code: 'INVALID_EVENT', field: 'businessId' });
    expect(await validate(message({ chatType: 'GLOBAL', businessId: null }))).toBeNull();
  });

  it('runs the pure rules first, so a bad message costs no lookup', async () => {
    let lookups = 0;
    const validate = createValidator({
      limits,
      now: () => NOW,
      asyncRules: [knownBusinessRule({ hasBusiness: async () => (lookups++, true) })],
    });
    expect(await validate(message({ text: '' }))).toMatchObject({ field: 'text' });
    expect(lookups).toBe(0);
  });

  it('lets a directory outage through as an error, never as a rejection', async () => {
    const validate = createValidator({
      limits,
      now: () => NOW,
      asyncRules: [knownBusinessRule({ hasBusiness: async () => { throw new DependencyUnavailableError('postgres', 'connection refused'); } })],
    });
    await expect(validate(message())).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
