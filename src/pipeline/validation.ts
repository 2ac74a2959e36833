// Layer 3 of validation: what a decoded ChatMessage must mean to be processed.
//
// Layers 1 and 2 (framing, schema) live in the codec; a message that reaches these
// rules has the right shape. The rules here are pure: they see the message, the
// limits and the current time, and name the first field that is wrong. Checks that
// need a dependency (is this business known?) are async hooks, so that the
// dependency's outage surfaces as an error to retry, not as a rejection.
import type { Role } from '../db/members.js';
import type { ChatMessage } from '../events.js';
import { mayHandle } from '../handoffs/policy.js';
import type { Rejection } from './rejection.js';

export interface ValidationLimits {
  /** Largest `text` in UTF-8 bytes. */
  maxTextBytes: number;
  /** How far ahead of our clock a `sentAt` may be. */
  maxClockSkewMs: number;
}

/** A synchronous rule: null when the message passes, the rejection otherwise. */
export type Rule = (message: ChatMessage, limits: ValidationLimits, nowMs: number) => Rejection | null;

/**
 * A rule that needs a dependency. It resolves to null or a rejection; when the
 * dependency is down it must throw (DependencyUnavailableError), never reject.
 */
export type AsyncRule = (message: ChatMessage) => Promise<Rejection | null>;

/** Where the "known business" rule looks businesses up (Postgres, in a later issue). */
export interface BusinessDirectory {
  /** Whether a business with this id exists; throws when the directory is unreachable. */
  hasBusiness(businessId: string): Promise<boolean>;
}

export const MAX_ID_LENGTH = 200;
/** Messages older than this are not chat traffic but a broken clock or a replayed fixture. */
export const EARLIEST_SENT_AT_MS = Date.UTC(2000, 0, 1);

/** An eventId's form: a UUID (RFC 9562, versions 1 to 8). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function invalid(field: string, message: string): Rejection {
  return { code: 'INVALID_EVENT', field, message };
}

const eventIdIsUuid: Rule = (m) =>
  UUID.test(m.eventId) ? null : invalid('eventId', `eventId must be a UUID, got ${JSON.stringify(clip(m.eventId))}`);

// Control characters (NUL above all: PostgreSQL's text and jsonb cannot hold it) and
// lone surrogates (not Unicode: jsonb refuses them too) would fail every write of the
// record's state, again and again. They are bad data, so they are rejected here.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isWellFormed = (value: string) => !LONE_SURROGATE.test(value);

/** Why an id is not storable, or null. */
function idProblem(field: string, value: string): string | null {
  if (CONTROL_CHARACTER.test(value)) return `${field} contains a control character (${JSON.stringify(clip(value))})`;
  if (!isWellFormed(value)) return `${field} is not well-formed Unicode (a lone surrogate)`;
  return null;
}

/** Why `value` is not a usable id (empty, too long, not storable), or null. */
function idRejection(field: string, value: string): Rejection | null {
  if (value.trim() === '') return invalid(field, `${field} must not be empty`);
  if (value.length > MAX_ID_LENGTH) return invalid(field, `${field} is ${value.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  const problem = idProblem(field, value);
  return problem ? invalid(field, problem) : null;
}

/**
 * Whether `value` passes the rules of an id such as conversationId: what may be looked
 * up in a store (PostgreSQL refuses a NUL in a query parameter outright).
 */
export function isWellFormedId(value: string): boolean {
  return idRejection('id', value) === null;
}

function boundedId(field: 'conversationId' | 'userId'): Rule {
  return (m) => idRejection(field, m[field]);
}

const businessIdPerChatType: Rule = (m) => {
  if (m.chatType === 'GLOBAL') {
    return m.businessId === null ? null : invalid('businessId', 'a GLOBAL chat message must not name a business (businessId must be null)');
  }
  if (m.businessId === null || m.businessId.trim() === '') {
    return invalid('businessId', `a ${m.chatType} chat message needs a businessId`);
  }
  if (m.businessId.length > MAX_ID_LENGTH) {
    return invalid('businessId', `businessId is ${m.businessId.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  }
  const problem = idProblem('businessId', m.businessId);
  return problem ? invalid('businessId', problem) : null;
};

const textPresentAndBounded: Rule = (m, limits) => {
  if (m.text.trim() === '') return invalid('text', 'text must not be empty or only whitespace');
  const bytes = Buffer.byteLength(m.text, 'utf8');
  if (bytes > limits.maxTextBytes) return invalid('text', `text is ${bytes} bytes (UTF-8); at most ${limits.maxTextBytes} are allowed`);
  // Line breaks and tabs are text; NUL cannot be stored and a lone surrogate is not Unicode.
  if (m.text.includes('\u0000')) return invalid('text', 'text contains a NUL character, which cannot be stored');
  if (!isWellFormed(m.text)) return invalid('text', 'text is not well-formed Unicode (a lone surrogate)');
  return null;
};

const localeIsLanguageTag: Rule = (m) =>
  isPlausibleLanguageTag(m.locale) ? null : invalid('locale', `locale must be a BCP 47 language tag such as en-GB, got ${JSON.stringify(clip(m.locale))}`);

const locationInRange: Rule = (m) => {
  if (m.location === null) return null;
  const { lat, lon } = m.location;
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return invalid('location.lat', `location.lat must be within [-90, 90], got ${lat}`);
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) return invalid('location.lon', `location.lon must be within [-180, 180], got ${lon}`);
  return null;
};

const sentAtSane: Rule = (m, limits, nowMs) => {
  const sentAt = toMillis(m.sentAt);
  if (sentAt === null) return invalid('sentAt', 'sentAt is not a valid timestamp');
  if (sentAt < EARLIEST_SENT_AT_MS) return invalid('sentAt', `sentAt ${new Date(sentAt).toISOString()} is before 2000-01-01`);
  if (sentAt > nowMs + limits.maxClockSkewMs) {
    return invalid('sentAt', `sentAt ${new Date(sentAt).toISOString()} is more than ${limits.maxClockSkewMs} ms in the future`);
  }
  return null;
};

// A person answers a customer only in a DEDICATED conversation handed off to them;
// a dashboard has no customer and GLOBAL no business.
const staffOnlyInDedicated: Rule = (m) =>
  m.senderRole === 'STAFF' && m.chatType !== 'DEDICATED'
    ? invalid('senderRole', `senderRole STAFF is a member answering a handed-off DEDICATED conversation; a ${m.chatType} message cannot be one`)
    : null;

/** The rules every chat message must pass, in the order their fields are reported. */
export const CHAT_MESSAGE_RULES: readonly Rule[] = [
  eventIdIsUuid,
  boundedId('conversationId'),
  boundedId('userId'),
  businessIdPerChatType,
  textPresentAndBounded,
  localeIsLanguageTag,
  locationInRange,
  sentAtSane,
  staffOnlyInDedicated,
];

/** Runs the synchronous rules; the first failure wins. */
export function validateChatMessage(
  message: ChatMessage,
  limits: ValidationLimits,
  nowMs: number,
  rules: readonly Rule[] = CHAT_MESSAGE_RULES,
): Rejection | null {
  for (const rule of rules) {
    const rejection = rule(message, limits, nowMs);
    if (rejection) return rejection;
  }
  return null;
}

/** The "known business" rule, for chat types that name one. */
export function knownBusinessRule(directory: BusinessDirectory): AsyncRule {
  return async (m) => {
    if (m.businessId === null) return null;
    return (await directory.hasBusiness(m.businessId))
      ? null
      : invalid('businessId', `business ${JSON.stringify(clip(m.businessId))} is not known`);
  };
}

/** Where the STAFF-sender rule looks (PostgreSQL: members and handoffs). */
export interface StaffDirectory {
  /** The user's role in the business (null: not a member), and whether the conversation has an open hand-off to it. */
  staffAccess(userId: string, businessId: string, conversationId: string): Promise<{ role: Role | null; handoffOpen: boolean }>;
}

/**
 * A STAFF message (a person answering a handed-off conversation) must come from a
 * member of the business whose role may answer hand-offs (src/handoffs/policy.ts),
 * into a conversation whose hand-off to that business is open. The bridge only lets
 * such members write as STAFF; this holds every other producer to the same rule.
 */
export function staffSenderRule(directory: StaffDirectory): AsyncRule {
  return async (m) => {
    if (m.senderRole !== 'STAFF' || m.businessId === null) return null;
    const { role, handoffOpen } = await directory.staffAccess(m.userId, m.businessId, m.conversationId);
    if (!mayHandle('answer_handoff', role)) {
      const who = role === null ? `is not a member of business ${clip(m.businessId)}` : `is ${role} of business ${clip(m.businessId)}`;
      return invalid('senderRole', `senderRole STAFF: user ${JSON.stringify(clip(m.userId))} ${who}; only its members who may answer hand-offs can write as staff`);
    }
    if (!handoffOpen) {
      return invalid('senderRole', `senderRole STAFF: conversation ${JSON.stringify(clip(m.conversationId))} has no open hand-off to business ${clip(m.businessId)}`);
    }
    return null;
  };
}

export type Validator = (message: ChatMessage) => Promise<Rejection | null>;

/** The full layer 3: pure rules first (cheap, no I/O), then the async hooks in order. */
export function createValidator(options: {
  limits: ValidationLimits;
  now?: () => number;
  rules?: readonly Rule[];
  asyncRules?: readonly AsyncRule[];
}): Validator {
  const now = options.now ?? Date.now;
  const asyncRules = options.asyncRules ?? [];
  return async (message) => {
    const rejection = validateChatMessage(message, options.limits, now(), options.rules);
    if (rejection) return rejection;
    for (const rule of asyncRules) {
      const asyncRejection = await rule(message);
      if (asyncRejection) return asyncRejection;
    }
    return null;
  };
}

/**
 * BCP 47 syntax as ICU checks it, plus a 2–3 letter primary language: the 4–8
 * letter forms are reserved or unused in practice, and accepting them would let
 * words like "english" through.
 */
export function isPlausibleLanguageTag(tag: string): boolean {
  if (tag.length === 0 || tag.length > 35) return false;
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return false;
  try {
    Intl.getCanonicalLocales(tag);
    return true;
  } catch {
    return false;
  }
}

function toMillis(value: unknown): number | null {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

function clip(value: string, max = 60): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
