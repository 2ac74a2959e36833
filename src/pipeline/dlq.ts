// Building the dead-letter record for a rejected inbound event.
//
// The DLQ keeps the event exactly as it came (key, value and headers, byte for
// byte) so `x7 dlq replay` can send it again unchanged once the cause is fixed;
// the reason and the source coordinates travel in x7.* headers next to it.
import type { IHeaders } from 'kafkajs';
import type { Rejection } from './rejection.js';

export const DLQ_HEADERS = {
  code: 'x7.error.code',
  message: 'x7.error.message',
  field: 'x7.error.field',
  sourceTopic: 'x7.source.topic',
  sourcePartition: 'x7.source.partition',
  sourceOffset: 'x7.source.offset',
  failedAt: 'x7.failed.at',
} as const;

/** The inbound record as the consumer handed it over. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface DlqRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * The DLQ record for `source` rejected with `rejection` at `failedAt`.
 *
 * A header the source already had under one of our names (an event that was
 * dead-lettered, replayed and rejected again) is kept, and ours is appended after
 * it: the last value of a header is the current reason.
 */
export function buildDlqRecord(source: SourceRecord, rejection: Rejection, failedAt: Date): DlqRecord {
  // No prototype: a producer's header named "__proto__" is a header like any other,
  // not the object's prototype (an assignment to it on a plain object is lost).
  const headers: IHeaders = Object.create(null) as IHeaders;
  for (const [name, value] of Object.entries(source.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  const reason: Record<string, string> = {
    [DLQ_HEADERS.code]: rejection.code,
    [DLQ_HEADERS.message]: rejection.message,
    [DLQ_HEADERS.field]: rejection.field ?? '',
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.sourcePartition]: String(source.partition),
    [DLQ_HEADERS.sourceOffset]: source.offset,
    [DLQ_HEADERS.failedAt]: failedAt.toISOString(),
  };
  for (const [name, text] of Object.entries(reason)) {
    const value = Buffer.from(text, 'utf8');
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return { key: source.key, value: source.value, headers };
}
