// Stores a processed message in Postgres: the conversation row and both messages
// (the user's and the reply). Safe to repeat: the conversation is an upsert, and each
// message is keyed by its event id (ON CONFLICT DO NOTHING), so a retried or
// redelivered event is stored once.
import type { ChatMessage } from '../../src/events.js';
import { derivedEventId } from '../../src/pipeline/ids.js';
import type { Db } from './tools.js';

export interface StoredExchange {
  message: ChatMessage;
  intent: string | null;
  /** The reply, when there is one. */
  reply: { text: string; agent: string } | null;
  repliedAt: Date;
}

export async function persistExchange(db: Db, exchange: StoredExchange): Promise<void> {
  const { message, reply } = exchange;
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into conversations (id, chat_type, user_id, business_id, created_at, last_message_at)
       values ($1, $2, $3, $4, $5, $5)
       on conflict (id) do update set last_message_at = greatest(conversations.last_message_at, excluded.last_message_at)`,
      [message.conversationId, message.chatType, message.userId, message.businessId, message.sentAt],
    );
    await tx.query(
      `insert into messages (event_id, conversation_id, role, text, intent, agent, created_at)
       values ($1, $2, 'user', $3, $4, null, $5)
       on conflict (event_id) do nothing`,
      [message.eventId, message.conversationId, message.text, exchange.intent, message.sentAt],
    );
    if (reply) {
      await tx.query(
        `insert into messages (event_id, conversation_id, role, text, intent, agent, created_at)
         values ($1, $2, 'assistant', $3, $4, $5, $6)
         on conflict (event_id) do nothing`,
        [derivedEventId(message.eventId, 'reply'), message.conversationId, reply.text, exchange.intent, reply.agent, exchange.repliedAt],
      );
    }
  });
}
