// The Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the
// Avro body. Pure framing, no schema knowledge.
import { WireFormatError } from './errors.js';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export interface Framed {
  schemaId: number;
  body: Buffer;
}

export function frame(schemaId: number, body: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) throw new RangeError(`invalid schema id ${schemaId}`);
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** Splits a framed value; throws WireFormatError when it is not Confluent-framed. */
export function unframe(value: Buffer | null | undefined): Framed {
  if (value === null || value === undefined || value.length === 0) throw new WireFormatError('empty value (no Confluent wire-format header)');
  if (value[0] !== MAGIC_BYTE) {
    throw new WireFormatError(`first byte is 0x${value[0]!.toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00`);
  }
  if (value.length < HEADER_SIZE) throw new WireFormatError(`value is ${value.length} bytes, shorter than the 5-byte Confluent header`);
  const schemaId = value.readInt32BE(1);
  if (schemaId < 0) throw new WireFormatError(`negative schema id ${schemaId} in the Confluent header`);
  return { schemaId, body: value.subarray(HEADER_SIZE) };
}
