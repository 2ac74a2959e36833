import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { parseReplayTime, replayFilter } from '../../src/cli/commands/dlq-replay.js';
import { emptyTally, formatTally, REPLAY_OF_HEADER, replayRecord, selectForReplay, tally, type DlqEntry, type ReplayFilter } from '../../src/dlq/replay.js';
import { buildDlqRecord, MAX_NOTICE_MESSAGE_LENGTH, noticeMessage, rejectionNotice } from '../../src/pipeline/dlq.js';
import { chatMessage } from '../support/pipeline.js';

const SOURCE = { topic: 't.chat.inbound', partition: 4, offset: '77', key: Buffer.from('c-1'), value: Buffer.from([0, 0, 0, 0, 9, 0xff]) };
const FAILED_AT = new Date('2025-11-25T18:00:00.000Z');
const ALL: ReplayFilter = { codes: [], includeReplayed: false };

/** A DLQ record as the processor writes it, read back at `partition`@`offset`. */
function entry(headers: Record<string, Buffer | Buffer[]>, code = 'INVALID_EVENT', at = { partition: 1, offset: '10' }): DlqEntry {
  const dlq = buildDlqRecord({ ...SOURCE, headers }, { code: code as 'INVALID_EVENT', field: 'text', message: 'x' }, FAILED_AT);
  return { ...at, timestamp: String(FAILED_AT.getTime() + 5), key: dlq.key, value: dlq.value, headers: { ...dlq.headers } };
}
const text = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, Array.isArray(v) ? v.map(String) : String(v)]));

describe('DLQ replay: the record sent back', () => {
  it('is the record as it arrived (key, value, its own headers, its x7.* ones restored) plus x7.replay.of', () => {
    const dlq = entry({
      'traceparent': Buffer.from('00-abc-def-01'),
      'x-app': [Buffer.from('web'), Buffer.from('ios')],
      'x7.tenant': Buffer.from('producer-own'),
      'x7.original.error.code': Buffer.from('older'),
    });
    const selection = selectForReplay(dlq, ALL, 't.chat.inbound.dlq', 't.chat.inbound');
    expect(selection.kind).toBe('replay');
    if (selection.kind !== 'replay') return;
    expect(selection.record.topic).toBe('t.chat.inbound');
    expect(selection.record.key!.equals(SOURCE.key)).toBe(true);
    expect(selection.record.value!.equals(SOURCE.value)).toBe(true);
    expect(text(selection.record.headers)).toEqual({
      'traceparent': '00-abc-def-01',
      'x-app': ['web', 'ios'],
      'x7.tenant': 'producer-own',
      // It came as x7.original.error.code: one level back, not all the way to ours.
      'x7.original.error.code': 'older',
      [REPLAY_OF_HEADER]: 't.chat.inbound.dlq-1-10',
    });
    expect(selection).toMatchObject({ code: 'INVALID_EVENT', field: 'text', failedAt: FAILED_AT });
  });

  it('failing again, its DLQ copy keeps the whole history, and the next replay skips it unless asked', () => {
    const first = selectForReplay(entry({ 'x7.tenant': Buffer.from('a') }), ALL, 'dlq', SOURCE.topic);
    if (first.kind !== 'replay') throw new Error('not selected');
    const again = buildDlqRecord({ ...SOURCE, headers: first.record.headers }, { code: 'PROCESSING_ERROR', field: null, message: 'y' }, FAILED_AT);
    expect(text(again.headers)).toMatchObject({ 'x7.original.replay.of': 'dlq-1-10', 'x7.original.tenant': 'a', 'x7.error.code': 'PROCESSING_ERROR' });
    const second: DlqEntry = { partition: 2, offset: '3', timestamp: '0', key: again.key, value: again.value, headers: { ...again.headers } };
    expect(selectForReplay(second, ALL, 'dlq', SOURCE.topic)).toEqual({ kind: 'skipped', reason: 'replayed-before', code: 'PROCESSING_ERROR' });
    const forced = selectForReplay(second, { ...ALL, includeReplayed: true }, 'dlq', SOURCE.topic);
    if (forced.kind !== 'replay') throw new Error('not replayed with includeReplayed');
    expect(text(forced.record.headers)).toEqual({ 'x7.tenant': 'a', [REPLAY_OF_HEADER]: 'dlq-2-3' });
  });

  it('never sends a record to a topic outside this namespace', () => {
    const other = entry({});
    other.headers!['x7.source.topic'] = Buffer.from('other.chat.inbound');
    expect(selectForReplay(other, ALL, 'dlq', SOURCE.topic)).toMatchObject({ kind: 'skipped', reason: 'foreign-source' });
    delete other.headers!['x7.source.topic'];
    expect(selectForReplay(other, ALL, 'dlq', SOURCE.topic)).toMatchObject({ kind: 'skipped', reason: 'foreign-source' });
  });

  it('keeps a header named after an Object.prototype member as a header', () => {
    const headers = Object.create(null) as Record<string, Buffer>;
    headers['__proto__'] = Buffer.from('p');
    const record = replayRecord({ key: null, value: null, headers }, 'dlq-0-0');
    expect(Object.keys(record.headers).sort()).toEqual(['__proto__', REPLAY_OF_HEADER]);
  });
});

describe('DLQ replay: selection', () => {
  const record = entry({}, 'INVALID_EVENT', { partition: 1, offset: '10' });
  const pick = (filter: Partial<ReplayFilter>) => selectForReplay(record, { ...ALL, ...filter }, 'dlq', SOURCE.topic).kind;

  it('filters by code, failure time and DLQ partition and offsets (inclusive)', () => {
    expect(pick({ codes: ['INVALID_EVENT'] })).toBe('replay');
    expect(pick({ codes: ['DECODE_ERROR'] })).toBe('unselected');
    expect(pick({ since: FAILED_AT, until: FAILED_AT })).toBe('replay');
    expect(pick({ since: new Date(FAILED_AT.getTime() + 1) })).toBe('unselected');
    expect(pick({ until: new Date(FAILED_AT.getTime() - 1) })).toBe('unselected');
    expect(pick({ partition: 1, from: 10n, to: 10n })).toBe('replay');
    expect(pick({ partition: 0 })).toBe('unselected');
    expect(pick({ partition: 1, from: 11n })).toBe('unselected');
    expect(pick({ partition: 1, to: 9n })).toBe('unselected');
  });

  it('takes the DLQ record timestamp when x7.failed.at is missing or not a time', () => {
    const noHeader = { ...record, headers: { ...record.headers, 'x7.failed.at': Buffer.from('yesterday') } };
    const at = new Date(Number(record.timestamp));
    expect(selectForReplay(noHeader, { ...ALL, since: at, until: at }, 'dlq', SOURCE.topic).kind).toBe('replay');
  });

  it('counts replayed by code and skipped by reason', () => {
    const t = emptyTally();
    tally(t, selectForReplay(record, ALL, 'dlq', SOURCE.topic));
    tally(t, { kind: 'skipped', reason: 'replayed-before', code: 'X' });
    tally(t, { kind: 'unselected' });
    expect(t).toEqual({ replayed: 1, skipped: { 'replayed-before': 1, 'foreign-source': 0 }, byCode: { INVALID_EVENT: 1 } });
    expect(formatTally(t, 'replayed')).toBe('replayed 1 (INVALID_EVENT 1); skipped 1 (1 failed again after a replay, 0 from a topic outside this namespace)');
  });
});

describe('x7 dlq replay arguments', () => {
  const now = new Date('2025-11-25T20:00:00.000Z');

  it('takes ISO times with a zone, dates and times ago', () => {
    expect(parseReplayTime('2h', now)).toEqual(new Date('2025-11-25T18:00:00.000Z'));
    expect(parseReplayTime('2025-11-25T18:00:00+01:00', now)).toEqual(new Date('2025-11-25T17:00:00.000Z'));
    expect(parseReplayTime('2025-11-25', now)).toEqual(new Date('2025-11-25T00:00:00.000Z'));
    for (const bad of ['2025-11-25T18:00', 'yesterday', '0h', '2025-13-01']) expect(parseReplayTime(bad, now), bad).toBeUndefined();
  });

  it('builds the filter, refusing what makes no sense with a message naming the option', () => {
    expect(replayFilter({ 'code': ['invalid_event'], 'since': '2h', 'partition': '1', 'from': '5', 'to': '9', 'include-replayed': true }, now)).toEqual({
      codes: ['INVALID_EVENT'], since: new Date('2025-11-25T18:00:00.000Z'), partition: 1, from: 5n, to: 9n, includeReplayed: true,
    });
    expect(() => replayFilter({ from: '5' }, now)).toThrow(new UsageError('--from and --to are offsets of one DLQ partition: give --partition too'));
    expect(() => replayFilter({ partition: '1', from: '9', to: '5' }, now)).toThrow(/--from must not be greater than --to/);
    expect(() => replayFilter({ since: '1h', until: '2h' }, now)).toThrow(/--since must not be later than --until/);
    expect(() => replayFilter({ partition: '-1' }, now)).toThrow(/--partition must be a whole number/);
    expect(() => replayFilter({ until: 'soon' }, now)).toThrow(/--until must be an ISO-8601 time/);
  });
});

describe('the ErrorNotice of a rejected event', () => {
  const limits = { maxTextBytes: 4000 };
  const message = chatMessage({ text: `secret ${'x'.repeat(5000)}` });
  const tooLong = { code: 'INVALID_EVENT' as const, field: 'text', message: 'text is 5007 bytes (UTF-8); at most 4000 are allowed' };

  it('says why in user terms, never echoing the event or internal detail, and stays short', () => {
    expect(noticeMessage(tooLong, message, limits)).toBe('Your message could not be processed: the text is longer than 4000 bytes.');
    const crash = noticeMessage({ code: 'PROCESSING_ERROR', field: null, message: 'TypeError: secret at /srv/x7/agent.ts:12' }, message, limits);
    expect(crash).toBe('Your message could not be processed: something went wrong on our side; we have kept it and will retry.');
    const unknown = noticeMessage({ code: 'INVALID_EVENT', field: 'businessId', message: 'business "<script>" is not known' }, message, limits);
    expect(unknown).not.toContain('<script>');
    for (const field of ['text', 'businessId', 'location.lat', 'sentAt', 'locale', 'senderRole', 'eventId', 'anything']) {
      const m = noticeMessage({ code: 'INVALID_EVENT', field, message: 'secret' }, message, limits);
      expect(m.length).toBeLessThanOrEqual(MAX_NOTICE_MESSAGE_LENGTH);
      expect(m).not.toContain('secret');
    }
  });

  it('goes to the conversation, caused by the event, with an id that is the same every time', () => {
    const producedAt = new Date(0);
    const notice = rejectionNotice(SOURCE, message, tooLong, producedAt, limits)!;
    expect(notice).toMatchObject({
      conversationId: message.conversationId, userId: message.userId, chatType: message.chatType, causationId: message.eventId,
      body: { type: 'ErrorNotice', code: 'INVALID_EVENT', field: 'text' },
    });
    expect(rejectionNotice(SOURCE, message, tooLong, new Date(1), limits)!.eventId).toBe(notice.eventId);
    expect(notice.eventId).not.toBe(message.eventId);
    // An eventId that is no UUID is not echoed; the id comes from where the record was read.
    const odd = rejectionNotice(SOURCE, { ...message, eventId: 'not-a-uuid' }, tooLong, producedAt, limits)!;
    expect(odd.causationId).toBeNull();
    expect(odd.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is not sent for a message claiming to be staff: the conversation is the customer's", () => {
    const forged = { code: 'INVALID_EVENT' as const, field: 'senderRole', message: 'not a member' };
    expect(rejectionNotice(SOURCE, { ...message, senderRole: 'STAFF' }, forged, new Date(0), limits)).toBeNull();
    expect(rejectionNotice(SOURCE, { ...message, senderRole: 'USER' }, tooLong, new Date(0), limits)).not.toBeNull();
  });

  it('is not sent when the event names no addressable conversation', () => {
    expect(rejectionNotice(SOURCE, { ...message, conversationId: 'c\u0000' }, tooLong, new Date(0), limits)).toBeNull();
    expect(rejectionNotice(SOURCE, { ...message, userId: '' }, tooLong, new Date(0), limits)).toBeNull();
  });
});
