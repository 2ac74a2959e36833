import { describe, expect, it } from 'vitest';
import { buildDlqRecord, dlqCopyHeaderName, DLQ_HEADERS, sourceHeaderName } from '../../src/pipeline/dlq.js';

const source = {
  topic: 'chat.inbound',
  partition: 7,
  offset: '12345678901',
  key: Buffer.from('c-42'),
  value: Buffer.from([0x00, 0x00, 0x00, 0x00, 0x2a, 0xff, 0xfe, 0x00, 0x80]),
  headers: {
    traceparent: Buffer.from('00-abc-def-01'),
    binary: Buffer.from([0x00, 0xff, 0x10]),
    repeated: [Buffer.from('one'), Buffer.from('two')],
  },
};
const failedAt = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));

describe('DLQ record construction', () => {
  it('keeps key, value and headers byte for byte and adds the reason headers', () => {
    const record = buildDlqRecord(source, { code: 'INVALID_EVENT', field: 'text', message: 'text must not be empty' }, failedAt);
    expect(record.key!.equals(source.key)).toBe(true);
    expect(record.value!.equals(source.value)).toBe(true);
    expect((record.headers.traceparent as Buffer).equals(source.headers.traceparent)).toBe(true);
    expect((record.headers.binary as Buffer).equals(source.headers.binary)).toBe(true);
    expect((record.headers.repeated as Buffer[]).map(String)).toEqual(['one', 'two']);
    const text = (name: string) => String(record.headers[name]);
    expect(text(DLQ_HEADERS.code)).toBe('INVALID_EVENT');
    expect(text(DLQ_HEADERS.message)).toBe('text must not be empty');
    expect(text(DLQ_HEADERS.field)).toBe('text');
    expect(text(DLQ_HEADERS.sourceTopic)).toBe('chat.inbound');
    expect(text(DLQ_HEADERS.sourcePartition)).toBe('7');
    expect(text(DLQ_HEADERS.sourceOffset)).toBe('12345678901');
    expect(text(DLQ_HEADERS.failedAt)).toBe('2025-01-02T03:04:05.678Z');
  });

  it('writes an empty field header when the problem is not one field', () => {
    const record = buildDlqRecord(source, { code: 'WIRE_FORMAT', field: null, message: 'not framed' }, failedAt);
    expect(record.headers[DLQ_HEADERS.field]).toEqual(Buffer.alloc(0));
  });

  it('keeps a null key and value as null (a tombstone stays a tombstone)', () => {
    const record = buildDlqRecord({ ...source, key: null, value: null, headers: undefined }, { code: 'WIRE_FORMAT', field: null, message: 'empty' }, failedAt);
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
    expect(Object.keys(record.headers).sort()).toEqual(Object.values(DLQ_HEADERS).sort());
  });

  it("renames a producer's x7.* headers x7.original.*, value byte for byte, so ours are the only x7.error.* and x7.source.*", () => {
    const forged = Buffer.from([0x00, 0xff, 0x41]);
    const producer = {
      ...source,
      headers: {
        'x7.error.reason': forged,
        [DLQ_HEADERS.code]: Buffer.from('NOT_OURS'),
        [DLQ_HEADERS.sourceOffset]: [Buffer.from('1'), Buffer.from('2')],
        'x7.': Buffer.from('bare'),
        'x7.original.note': Buffer.from('already original'),
        traceparent: source.headers.traceparent,
        'X7.error.code': Buffer.from('another name'),
        'x7-error': Buffer.from('no dot'),
      },
    };
    const record = buildDlqRecord(producer, { code: 'WIRE_FORMAT', field: null, message: 'not framed' }, failedAt);
    expect((record.headers['x7.original.error.reason'] as Buffer).equals(forged)).toBe(true);
    expect(String(record.headers['x7.original.error.code'])).toBe('NOT_OURS');
    expect((record.headers['x7.original.source.offset'] as Buffer[]).map(String)).toEqual(['1', '2']);
    expect(String(record.headers['x7.original.'])).toBe('bare');
    expect(String(record.headers['x7.original.original.note'])).toBe('already original');
    // Only x7.* names move; other names, however close, stay as they came.
    expect(String(record.headers['X7.error.code'])).toBe('another name');
    expect(String(record.headers['x7-error'])).toBe('no dot');
    // Ours, each exactly once, and no other x7.* header outside x7.original.*.
    expect(record.headers['x7.error.reason']).toBeUndefined();
    expect(String(record.headers[DLQ_HEADERS.code])).toBe('WIRE_FORMAT');
    expect(String(record.headers[DLQ_HEADERS.sourceOffset])).toBe('12345678901');
    for (const name of Object.values(DLQ_HEADERS)) expect(Buffer.isBuffer(record.headers[name]), name).toBe(true);
    expect(Object.keys(record.headers).filter((n) => n.startsWith('x7.') && !n.startsWith('x7.original.')).sort()).toEqual(Object.values(DLQ_HEADERS).sort());
    // The source's headers first, in their order, then ours.
    expect(Object.keys(record.headers)).toEqual([
      'x7.original.error.reason', 'x7.original.error.code', 'x7.original.source.offset', 'x7.original.', 'x7.original.original.note',
      'traceparent', 'X7.error.code', 'x7-error', ...Object.values(DLQ_HEADERS),
    ]);
  });

  it('keeps the reason of an earlier rejection of a replayed record as x7.original.*, one level per rejection', () => {
    const first = buildDlqRecord(source, { code: 'DECODE_ERROR', field: null, message: 'first' }, failedAt);
    const second = buildDlqRecord({ ...source, headers: first.headers }, { code: 'INVALID_EVENT', field: 'text', message: 'second' }, failedAt);
    const third = buildDlqRecord({ ...source, headers: second.headers }, { code: 'PROCESSING_ERROR', field: null, message: 'third' }, failedAt);
    expect(String(third.headers[DLQ_HEADERS.code])).toBe('PROCESSING_ERROR');
    expect(String(third.headers['x7.original.error.code'])).toBe('INVALID_EVENT');
    expect(String(third.headers['x7.original.original.error.code'])).toBe('DECODE_ERROR');
    expect(String(third.headers['x7.original.original.error.message'])).toBe('first');
  });

  it('copies a header without a value (null, as kafkajs hands it over) with an empty value kafkajs can write', () => {
    // As kafkajs decodes a record whose producer wrote null values: not in IHeaders' type.
    const headers = { empty: null, 'x7.none': null, twice: [Buffer.from('a'), null] } as unknown as Record<string, Buffer>;
    const record = buildDlqRecord({ ...source, headers }, { code: 'WIRE_FORMAT', field: null, message: 'not framed' }, failedAt);
    expect(record.headers.empty).toEqual(Buffer.alloc(0));
    expect(record.headers['x7.original.none']).toEqual(Buffer.alloc(0));
    expect(record.headers.twice).toEqual([Buffer.from('a'), Buffer.alloc(0)]);
  });

  it('copies a header named after a member of Object.prototype as kafkajs hands it over: without the member', () => {
    // kafkajs builds headers with `obj[name] === undefined ? value : [obj[name], value]` on a
    // plain object: one header "__proto__" or "constructor" arrives as [the member, value].
    const headers = {
      ['__proto__']: [Object.prototype, Buffer.from('p')],
      constructor: [Object, Buffer.from('c1'), Buffer.from('c2')],
      toString: [Object.prototype.toString, null],
    } as unknown as Record<string, Buffer>;
    const record = buildDlqRecord({ ...source, headers }, { code: 'WIRE_FORMAT', field: null, message: 'not framed' }, failedAt);
    expect(Object.getOwnPropertyDescriptor(record.headers, '__proto__')!.value).toEqual(Buffer.from('p'));
    expect(record.headers.constructor).toEqual([Buffer.from('c1'), Buffer.from('c2')]);
    expect(record.headers.toString).toEqual(Buffer.alloc(0));
  });

  it('maps a DLQ header name back to the name the record came with', () => {
    for (const name of ['x7.error.reason', 'x7.original.x', 'x7.', 'traceparent', 'X7.a']) expect(sourceHeaderName(dlqCopyHeaderName(name))).toBe(name);
  });

  it('keeps headers whose names are special to JavaScript objects', () => {
    // As kafkajs decodes them: own properties, "__proto__" included.
    const headers = { ['__proto__']: Buffer.from('p'), constructor: Buffer.from('c'), toString: Buffer.from('t') };
    const record = buildDlqRecord({ ...source, headers }, { code: 'WIRE_FORMAT', field: null, message: 'not framed' }, failedAt);
    expect(Object.keys(record.headers)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'toString']));
    expect(String(Object.getOwnPropertyDescriptor(record.headers, '__proto__')!.value)).toBe('p');
    expect(String(record.headers.constructor)).toBe('c');
  });
});
