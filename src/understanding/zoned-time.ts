// Wall-clock time in a named IANA time zone, computed with Intl (full ICU ships
// with Node), so no date library is needed.
//
// Why this exists: a customer who writes "tomorrow at 7pm" means 7pm on the
// business's wall clock, whatever zone the server runs in, and the offset of that
// wall clock changes at DST transitions (Europe/Lisbon: +00:00 in winter, +01:00
// from the last Sunday of March to the last Sunday of October).

export interface ZonedParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0–23 */
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
  weekday: number;
  /** Offset of the zone's wall clock from UTC at that instant, in minutes (+60 for +01:00). */
  offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone: a wrong zone is a data problem the
    // caller must see, never silently replaced by the server's zone or UTC.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone (e.g. "Europe/Lisbon"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `instant` in `timeZone`, with the offset in force then. */
export function instantToZonedParts(instant: Date, timeZone: string): ZonedParts {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid instant');
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year!;
  const month = fields.month!;
  const day = fields.day!;
  const hour = fields.hour!;
  const minute = fields.minute!;
  const second = fields.second!;
  // The offset is the difference between the wall clock read as if it were UTC and
  // the real instant (seconds dropped: zone offsets in use are whole minutes).
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wallAsUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday, offsetMinutes };
}

/**
 * The instant at which the wall clock of `timeZone` shows y-m-d h:min.
 *
 * Around DST transitions a wall time can be missing (spring forward: 01:30 does not
 * exist in Lisbon on 2026-03-29) or happen twice (fall back: 01:30 on 2026-10-25).
 * Like Temporal's "compatible" disambiguation, a missing time moves forward by the
 * gap (01:30 → 02:30 +01:00) and a repeated time takes the earlier instant, so a
 * booking is never placed before the moment the customer named.
 */
export function zonedDateTimeToInstant(
  year: number, month: number, day: number, hour: number, minute: number, timeZone: string,
): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force a day either side cover both sides of any transition
  // near this wall time (zones change offset at most once in a few days).
  const before = instantToZonedParts(new Date(wallAsUtc - 86_400_000), timeZone).offsetMinutes;
  const after = instantToZonedParts(new Date(wallAsUtc + 86_400_000), timeZone).offsetMinutes;
  const candidates = [...new Set([before, after])]
    .map((offset) => wallAsUtc - offset * 60_000)
    .filter((t) => {
      const p = instantToZonedParts(new Date(t), timeZone);
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wallAsUtc;
    })
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In a gap: read the wall time with the offset before the transition, which lands
  // just after the gap by exactly the gap's length.
  return new Date(wallAsUtc - before * 60_000);
}

/** "+01:00", "-05:00", "+00:00" (never "Z": the offset is part of the answer). */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** ISO-8601 with the zone's offset at that instant, e.g. 2026-11-26T19:00:00+00:00. */
export function formatZonedIso(instant: Date, timeZone: string): string {
  const p = instantToZonedParts(instant, timeZone);
  return `${formatDate(p.year, p.month, p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}${formatOffset(p.offsetMinutes)}`;
}

export function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export function formatTime(hour: number, minute: number): string {
  return `${pad2(hour)}:${pad2(minute)}`;
}

/** Calendar arithmetic on a plain date (no zone involved: days, not 24-hour blocks). */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** True when y-m-d is a real calendar date (31/02 is not). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
