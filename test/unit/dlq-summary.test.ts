import { describe, expect, it } from 'vitest';
import { addToSummary, emptySummary, formatSummary, preview } from '../../src/dlq/summary.js';

const headers = (code: string, field: string) => ({
  'x7.error.code': code,
  'x7.error.field': field,
  'x7.error.message': `bad ${field}`,
  'x7.source.topic': 'chat.inbound',
  'x7.source.partition': '2',
  'x7.source.offset': '40',
});

describe('DLQ summary', () => {
  it('counts by code and field and keeps only the first samples', () => {
    const summary = emptySummary();
    addToSummary(summary, { partition: 0, offset: '0', key: Buffer.from('c-1'), value: Buffer.from('x'), headers: headers('INVALID_EVENT', 'text') }, 1);
    addToSummary(summary, { partition: 0, offset: '1', key: null, value: null, headers: headers('WIRE_FORMAT', '') }, 1);
    expect(summary).toMatchObject({ total: 2, byCode: { INVALID_EVENT: 1, WIRE_FORMAT: 1 }, byField: { text: 1, '(none)': 1 } });
    expect(summary.samples).toEqual([
      {
        partition: 0, offset: '0', key: 'c-1', code: 'INVALID_EVENT', field: 'text', reason: 'bad text',
        source: { topic: 'chat.inbound', partition: 2, offset: '40' }, failedAt: null, valuePreview: 'x', valueBytes: 1, originalX7Headers: {},
      },
    ]);
  });

  it('uses the last value of a header given twice (a replayed record rejected again, as written before x7.original.*)', () => {
    const summary = emptySummary();
    const twice = { ...headers('DECODE_ERROR', ''), 'x7.error.code': [Buffer.from('DECODE_ERROR'), Buffer.from('INVALID_EVENT')] };
    addToSummary(summary, { partition: 1, offset: '5', key: null, value: Buffer.alloc(0), headers: twice }, 5);
    expect(summary.byCode).toEqual({ INVALID_EVENT: 1 });
  });

  it("shows a record's own x7.* headers (x7.original.* in the DLQ) by the names it came with, apart from the reason", () => {
    const summary = emptySummary();
    const dead = {
      ...headers('WIRE_FORMAT', ''),
      'x7.original.error.code': 'FORGED',
      'x7.original.original.error.code': [Buffer.from('DECODE_ERROR'), Buffer.from([0xff, 0x00])],
      traceparent: '00-abc',
    };
    addToSummary(summary, { partition: 0, offset: '9', key: Buffer.from('c-9'), value: Buffer.from('x'), headers: dead }, 5);
    expect(summary.byCode).toEqual({ WIRE_FORMAT: 1 });
    expect(summary.samples[0]!.code).toBe('WIRE_FORMAT');
    expect(summary.samples[0]!.originalX7Headers).toEqual({ 'x7.error.code': 'FORGED', 'x7.original.error.code': ['DECODE_ERROR', 'hex:ff00'] });
    expect(formatSummary('chat.inbound.dlq', summary)).toContain(
      '    came with its own x7.* headers (kept as x7.original.*): x7.error.code="FORGED", x7.original.error.code=["DECODE_ERROR","hex:ff00"]',
    );
  });

  it('previews printable values as text and others as hex, cut short', () => {
    expect(preview(Buffer.from('hello'))).toBe('hello');
    expect(preview(Buffer.from([0, 1, 0xff]))).toBe('hex:0001ff');
    expect(preview(Buffer.from('a'.repeat(100)))).toBe(`${'a'.repeat(60)}…`);
  });

  it('reports an empty DLQ in one line', () => {
    expect(formatSummary('chat.inbound.dlq', emptySummary())).toEqual(['chat.inbound.dlq: 0 record(s)']);
  });
});
