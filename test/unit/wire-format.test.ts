import { describe, expect, it } from 'vitest';
import { BadDataError, frame, unframe } from '../../src/codec/index.js';

function wireError(value: Buffer | null): BadDataError {
  try {
    unframe(value);
  } catch (error) {
    expect(error).toBeInstanceOf(BadDataError);
    return error as BadDataError;
  }
  throw new Error('unframe accepted a value it should have rejected');
}

describe('Confluent wire format', () => {
  it('frames a body behind magic byte 0 and the big-endian schema id, and unframes it back', () => {
    const framed = frame(258, Buffer.from([9, 8, 7]));
    expect([...framed]).toEqual([0, 0, 0, 1, 2, 9, 8, 7]);
    const { schemaId, body } = unframe(framed);
    expect(schemaId).toBe(258);
    expect([...body]).toEqual([9, 8, 7]);
  });

  it('rejects a value whose first byte is not the magic byte as WIRE_FORMAT', () => {
    const error = wireError(Buffer.from('{"text":"hi"}'));
    expect(error.code).toBe('WIRE_FORMAT');
    expect(error.message).toContain('0x7b');
  });

  it('rejects a value shorter than the 5-byte header as WIRE_FORMAT', () => {
    expect(wireError(Buffer.from([0, 0, 1])).code).toBe('WIRE_FORMAT');
  });

  it('rejects an empty or null value as WIRE_FORMAT', () => {
    expect(wireError(Buffer.alloc(0)).code).toBe('WIRE_FORMAT');
    expect(wireError(null).code).toBe('WIRE_FORMAT');
  });

  it('rejects a negative schema id as WIRE_FORMAT', () => {
    expect(wireError(Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 2])).code).toBe('WIRE_FORMAT');
  });

  it('accepts a header with an empty body (the schema decides whether that decodes)', () => {
    expect(unframe(Buffer.from([0, 0, 0, 0, 5])).body.length).toBe(0);
  });
});
