// Strict parsing of the instants workflows wait for.
//
// A voice callback "at 18:30" means nothing without knowing where: a naive local time
// would be read in the worker's time zone, which is exactly the bug the earlier system
// had. So an instant is accepted only as ISO-8601 with a UTC offset or Z, and every
// calendar field is checked by hand, because `Date.parse` silently rolls
// "2026-02-30" over into March. Pure (no clock, no I/O): the manager calls it before
// anything starts, and unit tests need no services.

/** The value is not a usable instant; the message names the problem. */
export class InvalidTimeError extends Error {
  override name = 'InvalidTimeError';
  constructor(readonly field: string, readonly value: unknown, problem: string) {
    super(`${field} ${JSON.stringify(value)} is not valid: ${problem}`);
  }
}

export interface ParsedInstant {
  /** The instant itself. */
  date: Date;
  /** The same instant in UTC, ISO-8601 with milliseconds (what workflows receive). */
  utc: string;
  /** The offset the caller wrote, in minutes east of UTC (0 for Z), e.g. for replies in their zone. */
  offsetMinutes: number;
}

export interface ParseTimeOptions {
  /** Name of the field in error messages (default "callbackAt"). */
  field?: string;
  /** Reject instants before this one (the caller passes "now", so this module stays pure). */
  notBefore?: Date;
}

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses an ISO-8601 date-time WITH an offset or Z, e.g. "2026-11-26T18:30:00+00:00",
 * "2026-11-26T18:30:00Z" or "2026-11-26T19:30:00.000+01:00". Throws InvalidTimeError for
 * naive times, impossible dates (2026-02-30), out-of-range fields or anything else.
 */
export function parseCallbackTime(value: unknown, options: ParseTimeOptions = {}): ParsedInstant {
  const field = options.field ?? 'callbackAt';
  if (typeof value !== 'string') throw new InvalidTimeError(field, value, 'expected an ISO-8601 date-time string with an offset, e.g. 2026-11-26T18:30:00+00:00');
  const match = ISO_WITH_ZONE.exec(value.trim());
  if (!match) {
    throw new InvalidTimeError(field, value, 'expected an ISO-8601 date-time with an offset or Z, e.g. 2026-11-26T18:30:00+00:00');
  }
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  if (zone === undefined) {
    throw new InvalidTimeError(field, value, 'it has no UTC offset, so the time zone is unknown; add "Z" or an offset such as "+01:00"');
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12) throw new InvalidTimeError(field, value, `month ${mo} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new InvalidTimeError(field, value, `day ${d} does not exist in ${y}-${mo} (it has ${daysInMonth(year, month)} days)`);
  }
  if (hour > 23) throw new InvalidTimeError(field, value, `hour ${h} is out of range 00-23`);
  if (minute > 59) throw new InvalidTimeError(field, value, `minute ${mi} is out of range 00-59`);
  if (second > 59) throw new InvalidTimeError(field, value, `second ${s} is out of range 00-59`);

  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    // Real offsets run from -12:00 to +14:00; anything else is a typo, not a place.
    if (oh > 14 || om > 59 || (oh === 14 && om > 0)) throw new InvalidTimeError(field, value, `offset ${zone} is out of range -12:00..+14:00`);
    offsetMinutes = sign * (oh * 60 + om);
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  const date = new Date(epoch);
  if (Number.isNaN(epoch)) throw new InvalidTimeError(field, value, 'it is outside the range of representable dates');
  if (options.notBefore && epoch < options.notBefore.getTime()) {
    throw new InvalidTimeError(field, value, `it lies in the past (before ${options.notBefore.toISOString()})`);
  }
  return { date, utc: date.toISOString(), offsetMinutes };
}

/** True when `timeZone` is an IANA zone this runtime knows (e.g. "Europe/London"). */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant on a zone's wall clock as people read it, e.g. "Thursday 26 November 2026
 * at 17:00": what reminders and callback updates show the customer. Pure and
 * deterministic, so workflow code may use it (Intl is part of the workflow sandbox).
 */
export function localDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso));
}
