// Cursors: where an outbound event sits in chat.outbound, handed to clients so
// they can resume after it.
//
// A cursor is the Kafka coordinates of the record, "<partition>-<offset>". A
// conversation is the record key, so all its events live on one partition and
// the offsets order them; no counter of our own has to be kept consistent across
// bridge instances, because Kafka already assigned one. Clients treat the text as
// opaque; the format is ours to change behind /v1.

export interface Cursor {
  partition: number;
  /** Kafka offsets are int64; a double holds them exactly up to 2^53, years of traffic. */
  offset: number;
}

export function formatCursor(cursor: Cursor): string {
  return `${cursor.partition}-${cursor.offset}`;
}

/** The cursor in a client's text, or null when it is not one of ours. */
export function parseCursor(text: string): Cursor | null {
  const match = /^(\d{1,6})-(\d{1,16})$/.exec(text);
  if (!match) return null;
  const partition = Number(match[1]);
  const offset = Number(match[2]);
  if (!Number.isSafeInteger(offset)) return null;
  return { partition, offset };
}

/** A kafkajs record coordinate (offset as a string) as a cursor. */
export function cursorOf(partition: number, offset: string): Cursor {
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`offset ${offset} cannot be a cursor`);
  return { partition, offset: value };
}
