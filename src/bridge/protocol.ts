// The /v1/stream wire protocol: client frames parsed into types, server frames
// built. Pure functions, no I/O.
//
// Parsing is strict: an unknown frame type, a missing or mistyped field, or a
// field we do not know is refused with BAD_FRAME naming the field, rather than
// guessed at. In particular a frame that carries a `userId` is refused: the user
// is the token's subject and nothing a client writes can change that.
import { CHAT_TYPES, type ChatType, type GeoPoint } from '../events.js';
import { parseCursor, type Cursor } from './cursor.js';

export const MAX_ID_LENGTH = 200;

/** Codes of `error` frames. Each is documented in src/bridge/README.md. */
export type ErrorCode =
  | 'UNAUTHENTICATED' // no, bad or expired token
  | 'FORBIDDEN' // not your conversation (or business)
  | 'BAD_FRAME' // not JSON, unknown type, wrong or missing field
  | 'INVALID_EVENT' // the message breaks a rule of ChatMessage (validation.ts)
  | 'RATE_LIMITED' // over the user's frame budget (shared by their connections)
  | 'FRAME_TOO_LARGE' // a frame over X7_MAX_FRAME_BYTES
  | 'HISTORY_GAP' // `since` is older than the kept history: events in between are gone
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'UNAVAILABLE' // a dependency (Kafka, Redis, Postgres, registry) failed; try again
  | 'INTERNAL';

export interface SubscribeFrame {
  type: 'subscribe';
  conversationId: string;
  /** Resume after this cursor; null: send the kept history, then live events. */
  since: Cursor | null;
}

export interface UnsubscribeFrame {
  type: 'unsubscribe';
  conversationId: string;
}

export interface MessageFrame {
  type: 'message';
  clientMessageId: string;
  conversationId: string;
  chatType: ChatType;
  businessId: string | null;
  text: string;
  location: GeoPoint | null;
  /** BCP 47 tag; null: the bridge's default (en-GB). */
  locale: string | null;
}

export interface PingFrame {
  type: 'ping';
}

export type ClientFrame = SubscribeFrame | UnsubscribeFrame | MessageFrame | PingFrame;

export interface FrameProblem {
  code: 'BAD_FRAME';
  message: string;
  field: string | null;
  /** The clientMessageId or conversationId the frame was about, when it said. */
  ref: string | null;
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; problem: FrameProblem };

const ALLOWED_FIELDS: Record<ClientFrame['type'], readonly string[]> = {
  subscribe: ['type', 'conversationId', 'since'],
  unsubscribe: ['type', 'conversationId'],
  message: ['type', 'clientMessageId', 'conversationId', 'chatType', 'businessId', 'text', 'location', 'locale'],
  ping: ['type'],
};

class Problem extends Error {
  constructor(message: string, readonly field: string | null) {
    super(message);
  }
}

/** Parses one text frame. Never throws. */
export function parseClientFrame(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('frame is not JSON', null, null);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('frame must be a JSON object', null, null);
  const obj = json as Record<string, unknown>;
  const ref = refOf(obj);
  try {
    return { ok: true, frame: parseObject(obj) };
  } catch (error) {
    if (error instanceof Problem) return fail(error.message, error.field, ref);
    throw error;
  }
}

function parseObject(obj: Record<string, unknown>): ClientFrame {
  const type = obj.type;
  if (typeof type !== 'string') throw new Problem('frame needs a "type"', 'type');
  if (!Object.hasOwn(ALLOWED_FIELDS, type)) {
    throw new Problem(`unknown frame type ${JSON.stringify(type)} (expected subscribe, unsubscribe, message or ping)`, 'type');
  }
  const frameType = type as ClientFrame['type'];
  if ('userId' in obj) throw new Problem('a frame must not name a user: the bridge takes the user from the token', 'userId');
  for (const key of Object.keys(obj)) {
    if (!ALLOWED_FIELDS[frameType].includes(key)) throw new Problem(`unknown field "${key}" in a ${frameType} frame`, key);
  }
  switch (frameType) {
    case 'ping':
      return { type: 'ping' };
    case 'subscribe': {
      const conversationId = id(obj, 'conversationId');
      let since: Cursor | null = null;
      if (obj.since !== undefined && obj.since !== null) {
        if (typeof obj.since !== 'string') throw new Problem('since must be a cursor string from an event frame', 'since');
        since = parseCursor(obj.since);
        if (since === null) throw new Problem(`since ${JSON.stringify(clip(obj.since))} is not a cursor`, 'since');
      }
      return { type: 'subscribe', conversationId, since };
    }
    case 'unsubscribe':
      return { type: 'unsubscribe', conversationId: id(obj, 'conversationId') };
    case 'message': {
      const clientMessageId = id(obj, 'clientMessageId');
      const conversationId = id(obj, 'conversationId');
      const chatType = obj.chatType;
      if (typeof chatType !== 'string' || !(CHAT_TYPES as readonly string[]).includes(chatType)) {
        throw new Problem(`chatType must be one of ${CHAT_TYPES.join(', ')}`, 'chatType');
      }
      let businessId: string | null = null;
      if (obj.businessId !== undefined && obj.businessId !== null) {
        if (typeof obj.businessId !== 'string') throw new Problem('businessId must be a string or null', 'businessId');
        businessId = obj.businessId;
      }
      if (typeof obj.text !== 'string') throw new Problem('text must be a string', 'text');
      let location: GeoPoint | null = null;
      if (obj.location !== undefined && obj.location !== null) {
        const loc = obj.location as Record<string, unknown>;
        if (typeof loc !== 'object' || Array.isArray(loc)) throw new Problem('location must be {lat, lon} or null', 'location');
        for (const key of Object.keys(loc)) if (key !== 'lat' && key !== 'lon') throw new Problem(`unknown field "${key}" in location`, `location.${key}`);
        if (typeof loc.lat !== 'number') throw new Problem('location.lat must be a number', 'location.lat');
        if (typeof loc.lon !== 'number') throw new Problem('location.lon must be a number', 'location.lon');
        location = { lat: loc.lat, lon: loc.lon };
      }
      let locale: string | null = null;
      if (obj.locale !== undefined && obj.locale !== null) {
        if (typeof obj.locale !== 'string') throw new Problem('locale must be a string such as en-GB', 'locale');
        locale = obj.locale;
      }
      return { type: 'message', clientMessageId, conversationId, chatType: chatType as ChatType, businessId, text: obj.text, location, locale };
    }
  }
}

function id(obj: Record<string, unknown>, field: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Problem(`${field} must be a non-empty string`, field);
  if (value.length > MAX_ID_LENGTH) throw new Problem(`${field} is longer than ${MAX_ID_LENGTH} characters`, field);
  return value;
}

function refOf(obj: Record<string, unknown>): string | null {
  for (const key of ['clientMessageId', 'conversationId'] as const) {
    const value = obj[key];
    if (typeof value === 'string' && value.length <= MAX_ID_LENGTH) return value;
  }
  return null;
}

function fail(message: string, field: string | null, ref: string | null): ParseResult {
  return { ok: false, problem: { code: 'BAD_FRAME', message, field, ref } };
}

function clip(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

// ---------------------------------------------------------------------------
// server → client

export interface AckFrame {
  type: 'ack';
  clientMessageId: string;
  eventId: string;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The clientMessageId or conversationId the error is about. */
  ref?: string;
  /** The offending field of the frame or message, when one is to blame. */
  field?: string;
  /** RATE_LIMITED: when a frame would be accepted again. */
  retryAfterMs?: number;
}

/** Confirms a subscription; sent after the replayed events, before live ones. */
export interface SubscribedFrame {
  type: 'subscribed';
  conversationId: string;
  /** How many events were replayed from history for this subscribe. */
  replayed: number;
  /** The cursor of the latest event the client has been sent (null: none yet). */
  cursor: string | null;
}

export interface UnsubscribedFrame {
  type: 'unsubscribed';
  conversationId: string;
}

export function ackFrame(clientMessageId: string, eventId: string): string {
  return JSON.stringify({ type: 'ack', clientMessageId, eventId } satisfies AckFrame);
}

/**
 * An event frame. `eventJson` is the OutboundEvent already serialised (history
 * keeps it as text), spliced in so that a replay does not parse and re-serialise.
 */
export function eventFrame(conversationId: string, cursor: string, eventJson: string): string {
  return `{"type":"event","conversationId":${JSON.stringify(conversationId)},"cursor":${JSON.stringify(cursor)},"event":${eventJson}}`;
}

export function errorFrame(code: ErrorCode, message: string, extra: { ref?: string | null; field?: string | null; retryAfterMs?: number } = {}): string {
  const frame: ErrorFrame = { type: 'error', code, message };
  if (extra.ref != null) frame.ref = extra.ref;
  if (extra.field != null) frame.field = extra.field;
  if (extra.retryAfterMs !== undefined) frame.retryAfterMs = extra.retryAfterMs;
  return JSON.stringify(frame);
}

export function subscribedFrame(conversationId: string, replayed: number, cursor: string | null): string {
  return JSON.stringify({ type: 'subscribed', conversationId, replayed, cursor } satisfies SubscribedFrame);
}

export function unsubscribedFrame(conversationId: string): string {
  return JSON.stringify({ type: 'unsubscribed', conversationId } satisfies UnsubscribedFrame);
}

export const PONG_FRAME = '{"type":"pong"}';

/** Close codes the bridge uses, beside the standard 1001 (going away) and 1009 (too big). */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  tooBig: 1009,
  /** Token expired while connected: reconnect with a fresh one. */
  tokenExpired: 4001,
  /** Dropped as a slow consumer (its own backlog, or among the largest of the instance's): reconnect and resume by cursor. */
  slowConsumer: 4008,
} as const;
