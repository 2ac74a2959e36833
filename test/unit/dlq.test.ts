import { describe, expect, it } from 'vitest';
import { buildDlqRecord, DLQ_HEADERS } from '../../src/pipeline/dlq.js';

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

  it('keeps an earlier reason of a replayed record and appends the new one last', () => {
    const replayed = { ...source, headers: { [DLQ_HEADERS.code]: Buffer.from('DECODE_ERROR') } };
    const record = buildDlqRecord(replayed, { code: 'INVALID_EVENT', field: 'text', message: 'm' }, failedAt);
    expect((record.headers[DLQ_HEADERS.code] as Buffer[]).map(String)).toEqual(['DECODE_ERROR', 'INVALID_EVENT']);
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
