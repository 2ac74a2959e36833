// Ids of derived events.
//
// An output's eventId is a name-based UUID (RFC 9562 version 5) of the inbound
// eventId and the output's purpose: a message processed again (a producer that sent
// it twice, a replay from the DLQ) yields the same ids, so downstream consumers can
// recognise the repeat instead of counting it twice.
import { createHash } from 'node:crypto';

// A fixed namespace for x7-stream's derived ids (itself a random v4 UUID).
const X7_NAMESPACE = Buffer.from('5b0b3c1e9d7a4f2e8c6a1d4e7f9b2a03', 'hex');

export function derivedEventId(inboundEventId: string, purpose: string): string {
  const hash = createHash('sha1').update(X7_NAMESPACE).update(`${inboundEventId}\u0000${purpose}`, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
