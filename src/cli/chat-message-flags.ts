// Pure: the flags of `x7 produce` → a ChatMessage, or a UsageError naming the bad flag.
// Only the documented defaults are applied (channel, locale, eventId, sentAt); anything
// else missing is an error here or, for --file input, in the codec.
import { CHANNELS, CHAT_TYPES, type Channel, type ChatMessage, type ChatType, type SenderRole } from '../events.js';
import { UsageError } from './command.js';

export interface ChatMessageFlags {
  'chat-type'?: string;
  conversation?: string;
  user?: string;
  business?: string;
  text?: string;
  channel?: string;
  locale?: string;
  lat?: string;
  lon?: string;
  'event-id'?: string;
  'sent-at'?: string;
  'client-message-id'?: string;
  'sender-role'?: string;
}

export const CHAT_MESSAGE_FLAG_NAMES = [
  'chat-type', 'conversation', 'user', 'business', 'text', 'channel', 'locale', 'lat', 'lon', 'event-id', 'sent-at', 'client-message-id', 'sender-role',
] as const;

const SENDER_ROLES: readonly SenderRole[] = ['USER', 'STAFF'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function chatMessageFromFlags(flags: ChatMessageFlags, now: () => Date, newId: () => string): ChatMessage {
  const required = (name: keyof ChatMessageFlags): string => {
    const value = flags[name];
    if (value === undefined) throw new UsageError(`--${name} is required (or give the whole event with --file)`);
    return value;
  };
  const chatType = required('chat-type').toUpperCase();
  if (!(CHAT_TYPES as readonly string[]).includes(chatType)) {
    throw new UsageError(`--chat-type must be one of ${CHAT_TYPES.join(', ')} (got ${JSON.stringify(flags['chat-type'])})`);
  }
  const channel = (flags.channel ?? 'WEB').toUpperCase();
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')} (got ${JSON.stringify(flags.channel)})`);
  }
  const eventId = flags['event-id'] ?? newId();
  if (!UUID.test(eventId)) throw new UsageError(`--event-id must be a UUID (got ${JSON.stringify(eventId)})`);
  let sentAt = now();
  if (flags['sent-at'] !== undefined) {
    sentAt = parseTime(flags['sent-at']);
  }
  // Absent stays absent (null): only a producer that says so writes as STAFF.
  const senderRole = flags['sender-role'] === undefined ? null : flags['sender-role'].toUpperCase();
  if (senderRole !== null && !(SENDER_ROLES as readonly string[]).includes(senderRole)) {
    throw new UsageError(`--sender-role must be one of ${SENDER_ROLES.join(', ')} (got ${JSON.stringify(flags['sender-role'])})`);
  }
  let location: ChatMessage['location'] = null;
  if (flags.lat !== undefined || flags.lon !== undefined) {
    if (flags.lat === undefined || flags.lon === undefined) throw new UsageError('--lat and --lon go together');
    location = { lat: coordinate('lat', flags.lat, 90), lon: coordinate('lon', flags.lon, 180) };
  }
  return {
    eventId,
    conversationId: required('conversation'),
    chatType: chatType as ChatType,
    userId: required('user'),
    businessId: flags.business ?? null,
    text: required('text'),
    channel: channel as Channel,
    locale: flags.locale ?? 'en-GB',
    location,
    sentAt,
    clientMessageId: flags['client-message-id'] ?? null,
    senderRole: senderRole as SenderRole | null,
  };
}

/** An ISO-8601 time or epoch milliseconds. */
export function parseTime(text: string): Date {
  const date = /^-?\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  if (Number.isNaN(date.getTime()) || (!/^-?\d+$/.test(text) && !/^\d{4}-\d{2}-\d{2}/.test(text))) {
    throw new UsageError(`--sent-at must be an ISO-8601 time or epoch milliseconds (got ${JSON.stringify(text)})`);
  }
  return date;
}

function coordinate(name: 'lat' | 'lon', text: string, limit: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw new UsageError(`--${name} must be a number from -${limit} to ${limit} (got ${JSON.stringify(text)})`);
  }
  return value;
}

/** Timestamp fields of the x7 records: JSON has no dates, so --file gives them as ISO text or epoch ms. */
const TIME_FIELDS = ['sentAt', 'producedAt', 'occurredAt', 'processedAt'];

/**
 * Pure: a JSON event (from --file) with its time fields made Dates. Nothing is filled
 * in: a missing field stays missing, so the codec rejects it by name.
 */
export function eventFromJson(json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError('--file must hold one JSON object (the event)');
  const event: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  for (const field of TIME_FIELDS) {
    const value = event[field];
    if (typeof value === 'string' || typeof value === 'number') {
      const date = typeof value === 'number' ? new Date(value) : new Date(value);
      if (Number.isNaN(date.getTime())) throw new UsageError(`${field} in --file must be an ISO-8601 time or epoch milliseconds (got ${JSON.stringify(value)})`);
      event[field] = date;
    }
  }
  return event;
}
