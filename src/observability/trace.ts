// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent`
// header that ties a chat message to everything it causes. Pure functions; the
// random source is injectable so tests can pin ids.
//
//   traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>
//
// An inbound event carries one in its Kafka headers (the bridge starts it) or gets
// a new one where it is first processed. Every record it causes carries a child
// span of it: same trace id, a new parent id (the span of whoever produced it).
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';

export const TRACEPARENT_HEADER = 'traceparent';

export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the span that produced the carrier. */
  spanId: string;
  /** Trace flags; bit 0 = sampled. */
  flags: number;
}

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export type RandomHex = (bytes: number) => string;
const defaultRandomHex: RandomHex = (bytes) => randomBytes(bytes).toString('hex');

/**
 * Parses a traceparent value; null when it is absent or invalid (the spec says to
 * start a new trace then). Versions other than 00 are read by their first four
 * fields, as the spec asks of a version-00 parser; version ff is invalid.
 */
export function parseTraceparent(value: string | Buffer | null | undefined): TraceContext | null {
  if (value === null || value === undefined) return null;
  const text = (typeof value === 'string' ? value : value.toString('latin1')).trim();
  const parts = text.split('-');
  if (parts.length < 4) return null;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  if (version.length !== 2 || !HEX.test(version) || version === 'ff') return null;
  if (version === '00' && parts.length !== 4) return null;
  if (traceId.length !== 32 || !HEX.test(traceId) || traceId === ZERO_TRACE) return null;
  if (spanId.length !== 16 || !HEX.test(spanId) || spanId === ZERO_SPAN) return null;
  if (flags.length !== 2 || !HEX.test(flags)) return null;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** The header value for a context (always version 00). */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A new trace: new trace id and span id, sampled. */
export function newTrace(randomHex: RandomHex = defaultRandomHex): TraceContext {
  return { traceId: nonZero(randomHex, 16), spanId: nonZero(randomHex, 8), flags: 1 };
}

/** A span inside `parent`'s trace: same trace id and flags, a new span id. */
export function childSpan(parent: TraceContext, randomHex: RandomHex = defaultRandomHex): TraceContext {
  let spanId = nonZero(randomHex, 8);
  // Never equal to the parent's, which would make the two indistinguishable.
  while (spanId === parent.spanId) spanId = nonZero(randomHex, 8);
  return { traceId: parent.traceId, spanId, flags: parent.flags };
}

/**
 * The span for work caused by a carrier: a child of its traceparent, or the root of
 * a new trace when it has none (or an invalid one).
 */
export function continueOrStart(traceparent: string | Buffer | null | undefined, randomHex: RandomHex = defaultRandomHex): TraceContext {
  const parent = parseTraceparent(traceparent);
  return parent ? childSpan(parent, randomHex) : newTrace(randomHex);
}

/** The traceparent in Kafka headers (the last one when repeated), or null. */
export function traceparentFromHeaders(headers: IHeaders | undefined): string | null {
  const raw = headers?.[TRACEPARENT_HEADER];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  // A header without a value (null, which Java producers can write) carries no trace.
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : value.toString('latin1');
}

/** `headers` with the traceparent set (replacing any there). */
export function withTraceparent(headers: IHeaders | undefined, context: TraceContext): IHeaders {
  return { ...headers, [TRACEPARENT_HEADER]: formatTraceparent(context) };
}

/** Fields for a child logger: trace_id and span_id. */
export function traceLogFields(context: TraceContext): { trace_id: string; span_id: string } {
  return { trace_id: context.traceId, span_id: context.spanId };
}

function nonZero(randomHex: RandomHex, bytes: number): string {
  for (;;) {
    const value = randomHex(bytes).toLowerCase();
    if (value.length !== bytes * 2 || !HEX.test(value)) throw new Error(`random source gave ${JSON.stringify(value)} for ${bytes} bytes`);
    if (!/^0+$/.test(value)) return value;
  }
}
