// Checks of workflow inputs, done before a workflow starts (by the manager) and again
// inside the activities (which must not trust what reaches them). Pure: no clock
// unless passed in, no I/O. A bad input is rejected with the field named, never
// repaired or defaulted into something the user did not ask for.
import { isRole, ROLES } from '../db/members.js';
import type { ChatType } from '../events.js';
import { InvalidTimeError, isValidTimeZone, parseCallbackTime } from './time.js';
import type {
  ManagementActionInput,
  ManagementActionName,
  ReservationInput,
  VoiceCallbackInput,
  WorkflowInputs,
  WorkflowKind,
} from './types.js';

export class InvalidWorkflowInputError extends Error {
  override name = 'InvalidWorkflowInputError';
  constructor(readonly field: string, problem: string, options?: { cause?: unknown }) {
    super(`${field}: ${problem}`, options);
  }
}

export const WORKFLOW_KINDS: readonly WorkflowKind[] = ['reservation', 'managementAction', 'voiceCallback'];
export const MANAGEMENT_ACTIONS: readonly ManagementActionName[] = ['set_hours', 'pause_bookings', 'resume_bookings', 'cancel_booking', 'announcement'];
const CHAT_TYPES: readonly ChatType[] = ['DEDICATED', 'DASHBOARD', 'GLOBAL'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const MAX_ANNOUNCEMENT_CHARS = 2000;
/**
 * How long a DASHBOARD announcement is shown to customers (announcements.expires_at,
 * migration 0008): a week covers "fado night on Thursday" and "closed on Monday"
 * without the owner having to take it down, and a standing notice is posted again.
 */
export const ANNOUNCEMENT_LIFETIME_DAYS = 7;

function text(input: Record<string, unknown>, field: string, path = field): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidWorkflowInputError(path, 'expected a non-empty string');
  return value;
}

function nullableText(input: Record<string, unknown>, field: string): string | null {
  const value = input[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidWorkflowInputError(field, 'expected a non-empty string or null');
  return value;
}

function chatType(value: unknown): ChatType | undefined {
  if (value === undefined) return undefined;
  if (!CHAT_TYPES.includes(value as ChatType)) throw new InvalidWorkflowInputError('chatType', `expected one of ${CHAT_TYPES.join(', ')}`);
  return value as ChatType;
}

function asRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidWorkflowInputError(field, 'expected an object');
  return value as Record<string, unknown>;
}

function ianaZone(value: unknown): string {
  if (!isValidTimeZone(value)) throw new InvalidWorkflowInputError('timeZone', `${JSON.stringify(value)} is not an IANA time zone (e.g. Europe/Lisbon)`);
  return value;
}

function instant(value: unknown, field: string, now?: Date): string {
  try {
    return parseCallbackTime(value, { field, notBefore: now }).utc;
  } catch (error) {
    if (error instanceof InvalidTimeError) throw new InvalidWorkflowInputError(field, error.message, { cause: error });
    throw error;
  }
}

export function validateReservationInput(raw: unknown, options: { reminderLeadMinutes?: number } = {}): ReservationInput {
  const input = asRecord(raw, 'input');
  const bookingId = text(input, 'bookingId');
  if (!UUID.test(bookingId)) throw new InvalidWorkflowInputError('bookingId', 'expected a UUID (bookings.id)');
  const partySize = input.partySize;
  if (!Number.isInteger(partySize) || (partySize as number) < 1 || (partySize as number) > 500) {
    throw new InvalidWorkflowInputError('partySize', 'expected a whole number from 1 to 500');
  }
  const timeZone = ianaZone(input.timeZone);
  const lead = input.reminderLeadMinutes ?? options.reminderLeadMinutes;
  if (lead !== undefined && (!Number.isInteger(lead) || (lead as number) < 0 || (lead as number) > 7 * 24 * 60)) {
    throw new InvalidWorkflowInputError('reminderLeadMinutes', 'expected whole minutes from 0 to 10080');
  }
  const result: ReservationInput = {
    bookingId,
    businessId: text(input, 'businessId'),
    conversationId: text(input, 'conversationId'),
    userId: text(input, 'userId'),
    partySize: partySize as number,
    // A booking in the past is not rejected here: the dedicated flow owns that rule,
    // and a workflow restarted late must still be able to confirm and complete it.
    startsAt: instant(input.startsAt, 'startsAt'),
    timeZone,
    causationId: nullableText(input, 'causationId'),
  };
  if (lead !== undefined) result.reminderLeadMinutes = lead as number;
  const ct = chatType(input.chatType);
  if (ct) result.chatType = ct;
  return result;
}

export function validateVoiceCallbackInput(raw: unknown, now?: Date): VoiceCallbackInput {
  const input = asRecord(raw, 'input');
  const phone = input.phone;
  if (phone !== undefined && phone !== null && (typeof phone !== 'string' || !E164.test(phone))) {
    throw new InvalidWorkflowInputError('phone', 'expected an E.164 number such as +351912345678');
  }
  const result: VoiceCallbackInput = {
    phone: (phone as string | null | undefined) ?? null,
    businessId: text(input, 'businessId'),
    conversationId: text(input, 'conversationId'),
    userId: text(input, 'userId'),
    callbackAt: instant(input.callbackAt, 'callbackAt', now),
    causationId: nullableText(input, 'causationId'),
  };
  if (input.timeZone !== undefined && input.timeZone !== null) result.timeZone = ianaZone(input.timeZone);
  const ct = chatType(input.chatType);
  if (ct) result.chatType = ct;
  return result;
}

export interface HoursInterval {
  opens: string;
  closes: string;
}
export interface DayHours {
  /** ISO weekday, 1 = Monday … 7 = Sunday (opening_hours.weekday). */
  weekday: number;
  /** Empty: closed that day. */
  intervals: HoursInterval[];
}

/** Checks one action's params; returns them in canonical form. */
export function validateManagementParams(action: ManagementActionName, raw: unknown): Record<string, unknown> {
  const params = asRecord(raw ?? {}, 'params');
  switch (action) {
    case 'pause_bookings':
    case 'resume_bookings': {
      const reason = params.reason;
      if (reason !== undefined && reason !== null && typeof reason !== 'string') throw new InvalidWorkflowInputError('params.reason', 'expected a string');
      return reason ? { reason } : {};
    }
    case 'cancel_booking': {
      const bookingId = text(params, 'bookingId', 'params.bookingId');
      if (!UUID.test(bookingId)) throw new InvalidWorkflowInputError('params.bookingId', 'expected a UUID (bookings.id)');
      const reason = params.reason;
      if (reason !== undefined && reason !== null && typeof reason !== 'string') throw new InvalidWorkflowInputError('params.reason', 'expected a string');
      return reason ? { bookingId, reason } : { bookingId };
    }
    case 'announcement': {
      const body = text(params, 'text', 'params.text').trim();
      if (body.length > MAX_ANNOUNCEMENT_CHARS) throw new InvalidWorkflowInputError('params.text', `longer than ${MAX_ANNOUNCEMENT_CHARS} characters`);
      return { text: body };
    }
    case 'set_hours': {
      const days = params.days;
      if (!Array.isArray(days) || days.length === 0) {
        throw new InvalidWorkflowInputError('params.days', 'expected a non-empty list of {weekday: 1-7, intervals: [{opens: "HH:MM", closes: "HH:MM"}]}');
      }
      const seen = new Set<number>();
      const canonical: DayHours[] = days.map((d, i) => {
        const day = asRecord(d, `params.days[${i}]`);
        const weekday = day.weekday;
        if (!Number.isInteger(weekday) || (weekday as number) < 1 || (weekday as number) > 7) {
          throw new InvalidWorkflowInputError(`params.days[${i}].weekday`, 'expected an ISO weekday, 1 (Monday) to 7 (Sunday)');
        }
        if (seen.has(weekday as number)) throw new InvalidWorkflowInputError(`params.days[${i}].weekday`, `weekday ${weekday} is listed twice`);
        seen.add(weekday as number);
        if (!Array.isArray(day.intervals)) throw new InvalidWorkflowInputError(`params.days[${i}].intervals`, 'expected a list (empty for closed)');
        const intervals = day.intervals.map((iv, j) => {
          const at = `params.days[${i}].intervals[${j}]`;
          const interval = asRecord(iv, at);
          const opens = interval.opens;
          const closes = interval.closes;
          if (typeof opens !== 'string' || !HH_MM.test(opens)) throw new InvalidWorkflowInputError(`${at}.opens`, 'expected HH:MM from 00:00 to 23:59');
          if (typeof closes !== 'string' || !(HH_MM.test(closes) || closes === '24:00')) throw new InvalidWorkflowInputError(`${at}.closes`, 'expected HH:MM from 00:00 to 24:00');
          if (opens === closes) throw new InvalidWorkflowInputError(at, 'opens and closes are the same time');
          return { opens, closes };
        });
        const opensTimes = new Set(intervals.map((iv) => iv.opens));
        if (opensTimes.size !== intervals.length) throw new InvalidWorkflowInputError(`params.days[${i}].intervals`, 'two intervals open at the same time');
        return { weekday: weekday as number, intervals };
      });
      return { days: canonical };
    }
  }
}

export function validateManagementActionInput(raw: unknown): ManagementActionInput {
  const input = asRecord(raw, 'input');
  const action = input.action;
  if (!MANAGEMENT_ACTIONS.includes(action as ManagementActionName)) {
    throw new InvalidWorkflowInputError('action', `expected one of ${MANAGEMENT_ACTIONS.join(', ')}`);
  }
  const result: ManagementActionInput = {
    action: action as ManagementActionName,
    businessId: text(input, 'businessId'),
    userId: text(input, 'userId'),
    params: validateManagementParams(action as ManagementActionName, input.params),
    conversationId: text(input, 'conversationId'),
    causationId: nullableText(input, 'causationId'),
  };
  const requestedBy = requester(input.requestedBy);
  if (requestedBy) result.requestedBy = requestedBy;
  const ct = chatType(input.chatType);
  if (ct) result.chatType = ct;
  return result;
}

/** requestedBy: absent or null (not recorded), else {userId, role}. */
function requester(raw: unknown): ManagementActionInput['requestedBy'] {
  if (raw === undefined || raw === null) return undefined;
  const value = asRecord(raw, 'requestedBy');
  const userId = text(value, 'userId', 'requestedBy.userId');
  if (!isRole(value.role)) throw new InvalidWorkflowInputError('requestedBy.role', `expected one of ${ROLES.join(', ')}`);
  return { userId, role: value.role };
}

/** Validates the input of a kind; callbacks before `now` (the caller's cut-off) are rejected. */
export function validateWorkflowInput<K extends WorkflowKind>(
  kind: K,
  input: unknown,
  options: { now?: Date; reminderLeadMinutes?: number } = {},
): WorkflowInputs[K] {
  switch (kind) {
    case 'reservation':
      return validateReservationInput(input, options) as WorkflowInputs[K];
    case 'managementAction':
      return validateManagementActionInput(input) as WorkflowInputs[K];
    case 'voiceCallback':
      return validateVoiceCallbackInput(input, options.now) as WorkflowInputs[K];
    default:
      throw new InvalidWorkflowInputError('kind', `expected one of ${WORKFLOW_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  }
}
