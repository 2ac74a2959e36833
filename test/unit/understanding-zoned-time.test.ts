import { describe, expect, it } from 'vitest';
import {
  formatZonedIso, instantToZonedParts, isValidTimeZone, zonedDateTimeToInstant,
} from '../../src/understanding/zoned-time.js';

describe('zoned time (Intl, no date library)', () => {
  it.each([
    // zone, wall time, expected instant (UTC), expected ISO with offset
    ['Europe/Lisbon', [2026, 11, 26, 19, 0], '2026-11-26T19:00:00.000Z', '2026-11-26T19:00:00+00:00'],
    ['Europe/Lisbon', [2026, 3, 28, 19, 0], '2026-03-28T19:00:00.000Z', '2026-03-28T19:00:00+00:00'],
    ['Europe/Lisbon', [2026, 3, 29, 19, 0], '2026-03-29T18:00:00.000Z', '2026-03-29T19:00:00+01:00'],
    ['Europe/Lisbon', [2026, 7, 1, 9, 30], '2026-07-01T08:30:00.000Z', '2026-07-01T09:30:00+01:00'],
    ['Europe/Lisbon', [2026, 10, 25, 19, 0], '2026-10-25T19:00:00.000Z', '2026-10-25T19:00:00+00:00'],
    ['America/New_York', [2026, 11, 26, 19, 0], '2026-11-27T00:00:00.000Z', '2026-11-26T19:00:00-05:00'],
    ['America/New_York', [2026, 3, 8, 12, 0], '2026-03-08T16:00:00.000Z', '2026-03-08T12:00:00-04:00'],
    ['Asia/Kolkata', [2026, 1, 1, 0, 0], '2025-12-31T18:30:00.000Z', '2026-01-01T00:00:00+05:30'],
    ['UTC', [2026, 2, 28, 23, 59], '2026-02-28T23:59:00.000Z', '2026-02-28T23:59:00+00:00'],
  ] as const)('%s %j → %s', (zone, [y, mo, d, h, mi], utc, iso) => {
    const instant = zonedDateTimeToInstant(y, mo, d, h, mi, zone);
    expect(instant.toISOString()).toBe(utc);
    expect(formatZonedIso(instant, zone)).toBe(iso);
  });

  it('moves a wall time in the spring-forward gap forward by the gap (01:30 → 02:30 +01:00 in Lisbon)', () => {
    const instant = zonedDateTimeToInstant(2026, 3, 29, 1, 30, 'Europe/Lisbon');
    expect(formatZonedIso(instant, 'Europe/Lisbon')).toBe('2026-03-29T02:30:00+01:00');
    const ny = zonedDateTimeToInstant(2026, 3, 8, 2, 30, 'America/New_York');
    expect(formatZonedIso(ny, 'America/New_York')).toBe('2026-03-08T03:30:00-04:00');
  });

  it('takes the earlier of a repeated wall time at fall-back (01:30 happens twice in Lisbon on 2026-10-25)', () => {
    const instant = zonedDateTimeToInstant(2026, 10, 25, 1, 30, 'Europe/Lisbon');
    expect(instant.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(formatZonedIso(instant, 'Europe/Lisbon')).toBe('2026-10-25T01:30:00+01:00');
  });

  it('reads the wall clock and the offset in force at an instant', () => {
    expect(instantToZonedParts(new Date('2026-03-29T00:59:00Z'), 'Europe/Lisbon')).toMatchObject({ hour: 0, minute: 59, offsetMinutes: 0, weekday: 0 });
    expect(instantToZonedParts(new Date('2026-03-29T01:00:00Z'), 'Europe/Lisbon')).toMatchObject({ hour: 2, minute: 0, offsetMinutes: 60 });
    // Late evening in New York is already the next day in Lisbon: "today" depends on the zone.
    const instant = new Date('2026-11-26T03:00:00Z');
    expect(instantToZonedParts(instant, 'America/New_York')).toMatchObject({ year: 2026, month: 11, day: 25, hour: 22, weekday: 3, offsetMinutes: -300 });
    expect(instantToZonedParts(instant, 'Europe/Lisbon')).toMatchObject({ year: 2026, month: 11, day: 26, hour: 3, weekday: 4, offsetMinutes: 0 });
  });

  it('refuses an unknown zone instead of guessing one', () => {
    expect(isValidTimeZone('Europe/Lisbon')).toBe(true);
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
    expect(() => zonedDateTimeToInstant(2026, 1, 1, 0, 0, 'Europe/Atlantis')).toThrow(RangeError);
  });
});
