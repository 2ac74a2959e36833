// Client messages into chat.inbound.
//
// A `message` frame becomes a ChatMessage whose identity fields come from the
// bridge, never the client: a new eventId, the token's user, channel WEB, the
// time it arrived, and the sender role the authorization decided (STAFF for a
// member answering a handed-off conversation, USER otherwise; a frame cannot say). It then passes the same meaning rules as any producer's
// message (src/pipeline/validation.ts) before it is encoded with the registered
// schema and produced keyed by conversationId. The ack waits for Kafka's ack
// (acks=all), so an acked message is durable.
//
// Retries: a client that lost its connection before the ack sends the message
// again with the same clientMessageId. The bridge remembers clientMessageId →
// eventId per user for a day (Redis SET NX), so the retry carries the same
// eventId and the processor, which is idempotent by eventId, handles it once.
import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { EventCodec } from '../codec/index.js';
import type { ChatMessage, SenderRole } from '../events.js';
import { topicName } from '../kafka/topics.js';
import { TRACEPARENT_HEADER } from '../observability/trace.js';
import { toRedisError } from '../state/redis.js';
import type { MessageFrame } from './protocol.js';

export const DEFAULT_LOCALE = 'en-GB';
const CLIENT_ID_TTL_SECONDS = 86_400;

/** Pure: the ChatMessage a frame stands for, written by `userId` as `senderRole`. */
export function chatMessageFromFrame(frame: MessageFrame, userId: string, eventId: string, now: Date, senderRole: SenderRole = 'USER'): ChatMessage {
  return {
    eventId,
    conversationId: frame.conversationId,
    chatType: frame.chatType,
    userId,
    businessId: frame.businessId,
    text: frame.text,
    channel: 'WEB',
    locale: frame.locale ?? DEFAULT_LOCALE,
    location: frame.location,
    sentAt: now,
    clientMessageId: frame.clientMessageId,
    senderRole,
  };
}

/** The same clientMessageId was used before for a different message. */
export class ClientMessageIdReusedError extends Error {
  override name = 'ClientMessageIdReusedError';
}

export class InboundPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly codec: EventCodec,
    private readonly redis: Redis,
    private readonly options: { topicPrefix: string },
  ) {}

  /**
   * The eventId for a client message: a new one, or the one given to an earlier
   * send of the same message (same user, clientMessageId, conversation and text).
   */
  async eventIdFor(userId: string, frame: MessageFrame): Promise<string> {
    const key = `${this.options.topicPrefix}x7:bridge:cmid:{${userId}}:${frame.clientMessageId}`;
    const fingerprint = createHash('sha256').update(`${frame.conversationId}\u0000${frame.text}`).digest('base64url').slice(0, 22);
    const candidate = `${randomUUID()} ${fingerprint}`;
    let stored: string | null;
    try {
      const set = await this.redis.set(key, candidate, 'EX', CLIENT_ID_TTL_SECONDS, 'NX');
      stored = set === 'OK' ? candidate : await this.redis.get(key);
    } catch (error) {
      throw toRedisError(error, 'clientMessageId lookup');
    }
    const [eventId, seen] = (stored ?? candidate).split(' ');
    if (seen !== fingerprint) throw new ClientMessageIdReusedError(`clientMessageId ${frame.clientMessageId} was already used for another message`);
    return eventId!;
  }

  /**
   * Encodes and produces; resolves once Kafka acknowledged the record. `traceparent`
   * (W3C) goes in the record's headers, so the processor continues that trace.
   */
  async publish(message: ChatMessage, traceparent?: string): Promise<void> {
    const value = await this.codec.encode('chat.inbound', message);
    const headers: Record<string, string> = { 'x7.source': 'bridge' };
    if (traceparent) headers[TRACEPARENT_HEADER] = traceparent;
    await this.producer.send({
      topic: topicName(this.options, 'chat.inbound'),
      acks: -1,
      messages: [{ key: message.conversationId, value, headers }],
    });
  }
}
