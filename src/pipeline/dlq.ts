// Building the dead-letter record for a rejected inbound event.
//
// The DLQ keeps the event as it came (key, value and header values, byte for byte)
// so it can be sent again unchanged once the cause is fixed; the reason and the
// source coordinates travel in x7.* headers next to it. The x7.* names are ours
// alone: a header the event came with under an x7.* name (a producer's own, or the
// x7.replay.of of a record `x7 dlq replay` sent back) is kept as x7.original.*, so
// a consumer of the DLQ can trust every x7.error.* and x7.source.* header it reads.
// A decoded event's conversation is also told, in its terms (rejectionNotice).
import type { IHeaders } from 'kafkajs';
import type { ChatMessage, OutboundEvent } from '../events.js';
import { derivedEventId } from './ids.js';
import type { Rejection } from './rejection.js';
import { isWellFormedId, UUID } from './validation.js';

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

/** The prefix of the headers x7-stream writes. */
export const X7_HEADER_PREFIX = 'x7.';
/** Where a header the record came with under an x7.* name goes in the DLQ copy. */
export const ORIGINAL_HEADER_PREFIX = 'x7.original.';

/**
 * The name a header of the rejected record gets in its DLQ copy: `x7.<rest>` becomes
 * `x7.original.<rest>` (so `x7.original.x` becomes `x7.original.original.x`: one
 * level per rejection, and no two names meet), any other name stays as it is.
 */
export function dlqCopyHeaderName(name: string): string {
  return name.startsWith(X7_HEADER_PREFIX) ? `${ORIGINAL_HEADER_PREFIX}${name.slice(X7_HEADER_PREFIX.length)}` : name;
}

/** The name a header had on the rejected record, from its name in the DLQ copy (the inverse of dlqCopyHeaderName). */
export function sourceHeaderName(dlqName: string): string {
  return dlqName.startsWith(ORIGINAL_HEADER_PREFIX) ? `${X7_HEADER_PREFIX}${dlqName.slice(ORIGINAL_HEADER_PREFIX.length)}` : dlqName;
}

/**
 * The values of one header as read from the wire, in a form kafkajs can write. Anything
 * kafkajs cannot write would fail the DLQ transaction, and the partition with it, on
 * every retry:
 *  - A header without a value arrives as null (Kafka allows it, Java producers write
 *    it), but kafkajs's size computation throws on null (tulios/kafkajs#1789): it is
 *    copied with an empty value.
 *  - kafkajs collects headers into a plain object with `obj[name] === undefined ? value
 *    : [obj[name], value]`, so a header named after a member of Object.prototype
 *    ("__proto__", "constructor", "toString" …) arrives as [that member, value]. Only
 *    Buffers (and null) come from the wire: the member is left out.
 */
export function wireValues(value: IHeaders[string] | null): Buffer | string | (Buffer | string)[] | undefined {
  const values = (Array.isArray(value) ? value : [value]).flatMap((v: unknown) =>
    v === null ? [Buffer.alloc(0)] : Buffer.isBuffer(v) || typeof v === 'string' ? [v] : []);
  return values.length <= 1 ? values[0] : values;
}

/**
 * The DLQ record for `source` rejected with `rejection` at `failedAt`: the source's
 * headers in their order, those named x7.* renamed x7.original.* (values byte for
 * byte, a null value empty), then ours, each once.
 */
export function buildDlqRecord(source: SourceRecord, rejection: Rejection, failedAt: Date): DlqRecord {
  // No prototype: a producer's header named "__proto__" is a header like any other,
  // not the object's prototype (an assignment to it on a plain object is lost).
  const headers: IHeaders = Object.create(null) as IHeaders;
  for (const [name, value] of Object.entries(source.headers ?? {})) {
    const values = wireValues(value);
    if (values !== undefined) headers[dlqCopyHeaderName(name)] = values;
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
  // No source header is left under one of these names: each is set once, here.
  for (const [name, text] of Object.entries(reason)) headers[name] = Buffer.from(text, 'utf8');
  return { key: source.key, value: source.value, headers };
}

/** The longest ErrorNotice message a rejection yields: a sentence, never the event's content. */
export const MAX_NOTICE_MESSAGE_LENGTH = 200;
const NOTICE_PREFIX = 'Your message could not be processed: ';

/**
 * What the conversation's user is told about their rejected message, in their terms.
 * Only fixed sentences and our own limits: the rejection's reason may quote the event
 * (an id, a business name) and a processing error may name internals, so neither is
 * ever passed on.
 */
export function noticeMessage(rejection: Rejection, message: Pick<ChatMessage, 'text'>, limits: { maxTextBytes: number }): string {
  const field = rejection.field ?? '';
  let why: string;
  if (rejection.code !== 'INVALID_EVENT') {
    why = 'something went wrong on our side; we have kept it and will retry.';
  } else if (field === 'text') {
    if (message.text.trim() === '') why = 'the message is empty.';
    else if (Buffer.byteLength(message.text, 'utf8') > limits.maxTextBytes) why = `the text is longer than ${limits.maxTextBytes} bytes.`;
    else why = 'the text contains characters that cannot be stored.';
  } else if (field === 'businessId') {
    why = 'it does not name a business we know.';
  } else if (field.startsWith('location')) {
    why = 'its location is not a place on Earth.';
  } else if (field === 'sentAt') {
    why = "its send time is not valid; check the device's clock.";
  } else if (field === 'locale') {
    why = 'its language setting is not valid.';
  } else if (field === 'senderRole') {
    why = 'the sender may not answer in this conversation.';
  } else {
    why = 'it is not valid.';
  }
  return `${NOTICE_PREFIX}${why}`.slice(0, MAX_NOTICE_MESSAGE_LENGTH);
}

/**
 * The ErrorNotice for a decoded event that was dead-lettered, or null when it cannot
 * be told to anyone: a conversationId or userId that is not a well-formed id names no
 * conversation we could address (and may not even encode). Its eventId is derived from
 * the inbound eventId (or, when that is not a UUID, from where the record was read), so
 * a retried transaction, or a replay that fails again, yields the same notice.
 */
export function rejectionNotice(
  source: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>,
  message: ChatMessage,
  rejection: Rejection,
  producedAt: Date,
  limits: { maxTextBytes: number },
): OutboundEvent | null {
  if (!isWellFormedId(message.conversationId) || !isWellFormedId(message.userId)) return null;
  // A notice goes to the conversation, whose user is the customer. A message claiming to
  // be staff is not the customer's: a stranger's forged one must not reach them, and a
  // member's refused reply is theirs to see in their own tools, not the customer's chat.
  if (message.senderRole === 'STAFF') return null;
  const eventIdKnown = UUID.test(message.eventId);
  const origin = eventIdKnown ? message.eventId : `${source.topic}-${source.partition}-${source.offset}`;
  return {
    eventId: derivedEventId(origin, 'notice:rejected'),
    conversationId: message.conversationId,
    chatType: message.chatType,
    userId: message.userId,
    businessId: message.businessId !== null && isWellFormedId(message.businessId) ? message.businessId : null,
    causationId: eventIdKnown ? message.eventId : null,
    producedAt,
    body: { type: 'ErrorNotice', code: rejection.code, message: noticeMessage(rejection, message, limits), field: rejection.field },
  };
}
