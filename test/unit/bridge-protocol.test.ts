import { describe, expect, it } from 'vitest';
import { formatCursor, parseCursor } from '../../src/bridge/cursor.js';
import { chatMessageFromFrame } from '../../src/bridge/inbound.js';
import { isOriginAllowed } from '../../src/bridge/origin.js';
import { ackFrame, errorFrame, eventFrame, parseClientFrame, type MessageFrame } from '../../src/bridge/protocol.js';
import { TokenBucket } from '../../src/bridge/rate-limit.js';
import { validateChatMessage } from '../../src/pipeline/validation.js';

const ok = (text: string) => {
  const result = parseClientFrame(text);
  if (!result.ok) throw new Error(`expected a frame, got ${result.problem.message}`);
  return result.frame;
};
const bad = (text: string) => {
  const result = parseClientFrame(text);
  if (result.ok) throw new Error('expected a problem');
  return result.problem;
};

describe('client frames', () => {
  it('parses each frame type', () => {
    expect(ok('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(ok('{"type":"subscribe","conversationId":"c-1"}')).toEqual({ type: 'subscribe', conversationId: 'c-1', since: null });
    expect(ok('{"type":"subscribe","conversationId":"c-1","since":"3-42"}')).toEqual({ type: 'subscribe', conversationId: 'c-1', since: { partition: 3, offset: 42 } });
    expect(ok('{"type":"unsubscribe","conversationId":"c-1"}')).toEqual({ type: 'unsubscribe', conversationId: 'c-1' });
    expect(ok(JSON.stringify({ type: 'message', clientMessageId: 'm1', conversationId: 'c-1', chatType: 'GLOBAL', text: 'hi', location: { lat: 1, lon: 2 } }))).toEqual({
      type: 'message', clientMessageId: 'm1', conversationId: 'c-1', chatType: 'GLOBAL', businessId: null, text: 'hi', location: { lat: 1, lon: 2 }, locale: null,
    });
  });

  it('refuses what is not a frame, naming the field and echoing the ref', () => {
    expect(bad('nope')).toMatchObject({ code: 'BAD_FRAME', field: null });
    expect(bad('[1]')).toMatchObject({ code: 'BAD_FRAME' });
    expect(bad('{"type":"dance"}')).toMatchObject({ field: 'type' });
    expect(bad('{"conversationId":"c"}')).toMatchObject({ field: 'type', ref: 'c' });
    expect(bad('{"type":"subscribe"}')).toMatchObject({ field: 'conversationId' });
    expect(bad('{"type":"subscribe","conversationId":""}')).toMatchObject({ field: 'conversationId' });
    expect(bad(`{"type":"subscribe","conversationId":"${'x'.repeat(201)}"}`)).toMatchObject({ field: 'conversationId' });
    expect(bad('{"type":"subscribe","conversationId":"c","since":"yesterday"}')).toMatchObject({ field: 'since', ref: 'c' });
    expect(bad('{"type":"subscribe","conversationId":"c","since":7}')).toMatchObject({ field: 'since' });
    expect(bad('{"type":"subscribe","conversationId":"c","sinse":"1-1"}')).toMatchObject({ field: 'sinse' });
    const message = { type: 'message', clientMessageId: 'm1', conversationId: 'c', chatType: 'DEDICATED', businessId: 'b', text: 'x' };
    expect(bad(JSON.stringify({ ...message, chatType: 'PRIVATE' }))).toMatchObject({ field: 'chatType', ref: 'm1' });
    expect(bad(JSON.stringify({ ...message, text: 3 }))).toMatchObject({ field: 'text' });
    expect(bad(JSON.stringify({ ...message, businessId: 5 }))).toMatchObject({ field: 'businessId' });
    expect(bad(JSON.stringify({ ...message, location: { lat: '1', lon: 2 } }))).toMatchObject({ field: 'location.lat' });
    expect(bad(JSON.stringify({ ...message, location: { lat: 1, lon: 2, alt: 3 } }))).toMatchObject({ field: 'location.alt' });
    expect(bad(JSON.stringify({ ...message, clientMessageId: undefined }))).toMatchObject({ field: 'clientMessageId' });
  });

  it('never takes a user id from a frame', () => {
    const problem = bad(JSON.stringify({ type: 'message', clientMessageId: 'm1', conversationId: 'c', chatType: 'GLOBAL', text: 'x', userId: 'admin' }));
    expect(problem).toMatchObject({ field: 'userId', ref: 'm1' });
    expect(bad('{"type":"subscribe","conversationId":"c","userId":"u-2"}')).toMatchObject({ field: 'userId' });
  });
});

describe('server frames', () => {
  it('are JSON with the documented fields', () => {
    expect(JSON.parse(ackFrame('m1', 'e1'))).toEqual({ type: 'ack', clientMessageId: 'm1', eventId: 'e1' });
    expect(JSON.parse(eventFrame('c"1', '0-5', '{"eventId":"e"}'))).toEqual({ type: 'event', conversationId: 'c"1', cursor: '0-5', event: { eventId: 'e' } });
    expect(JSON.parse(errorFrame('FORBIDDEN', 'no', { ref: 'c', field: null }))).toEqual({ type: 'error', code: 'FORBIDDEN', message: 'no', ref: 'c' });
  });
});

describe('cursors', () => {
  it('round-trip and refuse anything else', () => {
    expect(parseCursor(formatCursor({ partition: 11, offset: 123456789 }))).toEqual({ partition: 11, offset: 123456789 });
    for (const text of ['', '1', '-1-2', '1-', 'a-1', '1-2-3', '1-99999999999999999']) expect(parseCursor(text)).toBeNull();
  });
});

describe('token bucket', () => {
  it('allows a burst, then the refill rate', () => {
    const bucket = new TokenBucket({ ratePerSec: 2, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(500);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(1000)).toBe(true); // 1000 ms of refill at 2/s, minus the one refused at 499
    expect(bucket.take(60_000)).toBe(true);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([true, true, false]); // capped at the burst
  });
});

describe('origin allow-list', () => {
  it('allows no origin, the same origin and listed origins only', () => {
    expect(isOriginAllowed(undefined, 'bridge:8080', [])).toBe(true);
    expect(isOriginAllowed('http://bridge:8080', 'bridge:8080', [])).toBe(true);
    expect(isOriginAllowed('https://app.example.com', 'bridge:8080', ['https://app.example.com'])).toBe(true);
    expect(isOriginAllowed('https://evil.example', 'bridge:8080', ['https://app.example.com'])).toBe(false);
    expect(isOriginAllowed('http://bridge:8081', 'bridge:8080', [])).toBe(false);
    expect(isOriginAllowed('null', 'bridge:8080', [])).toBe(false);
  });
});

describe('a message frame as a ChatMessage', () => {
  const frame: MessageFrame = { type: 'message', clientMessageId: 'm1', conversationId: 'c-1', chatType: 'DEDICATED', businessId: 'b-1', text: 'table for 2', location: null, locale: null };
  it('takes the user from the token, the time from the bridge and defaults only the locale', () => {
    const now = new Date('2026-01-01T10:00:00Z');
    const message = chatMessageFromFrame(frame, 'u-9', '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', now);
    expect(message).toEqual({
      eventId: '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', conversationId: 'c-1', chatType: 'DEDICATED', userId: 'u-9', businessId: 'b-1',
      text: 'table for 2', channel: 'WEB', locale: 'en-GB', location: null, sentAt: now, clientMessageId: 'm1', senderRole: 'USER',
    });
    expect(validateChatMessage(message, { maxTextBytes: 100, maxClockSkewMs: 0 }, now.getTime())).toBeNull();
    expect(chatMessageFromFrame({ ...frame, locale: 'pt-PT' }, 'u', 'e', now).locale).toBe('pt-PT');
  });
  it('is then held to the pipeline\'s rules', () => {
    const now = new Date();
    const global = chatMessageFromFrame({ ...frame, chatType: 'GLOBAL' }, 'u', '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', now);
    expect(validateChatMessage(global, { maxTextBytes: 100, maxClockSkewMs: 0 }, now.getTime())).toMatchObject({ field: 'businessId' });
    const blank = chatMessageFromFrame({ ...frame, text: '  ' }, 'u', '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', now);
    expect(validateChatMessage(blank, { maxTextBytes: 100, maxClockSkewMs: 0 }, now.getTime())).toMatchObject({ field: 'text' });
  });
});
