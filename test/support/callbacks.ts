// Test data for voice callbacks from chat: a business of the test's own, open every
// day (so "tomorrow at 5pm" is open whatever day the test runs), in a zone away from
// UTC (so a time read on the server's clock instead of the business's shows).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { longDate } from '../../processors/dedicated/slots.js';
import { addDays, formatDate, instantToZonedParts, zonedDateTimeToInstant } from '../../src/understanding/zoned-time.js';

/** UTC−01:00 in winter, UTC+00:00 in summer: the Azores, where a callback is still Portuguese. */
export const AZORES = 'Atlantic/Azores';

/** Inserts a clinic open every day from `opens` to `closes` in `timeZone`; returns its id and name. */
export async function insertCallbackBusiness(
  pool: pg.Pool, { timeZone = AZORES, opens = '05:00', closes = '23:00' } = {},
): Promise<{ id: string; name: string }> {
  const id = `test-callbacks-${randomUUID().slice(0, 8)}`;
  const name = `Clínica Teste ${id.slice(-8)}`;
  await pool.query(
    `insert into businesses (id, name, category, address, city, lat, lon, timezone, price_level, capacity_per_slot, slot_minutes)
     values ($1, $2, 'clinic', 'Rua 1', 'Ponta Delgada', 37.74, -25.67, $3, 2, 4, 30)`,
    [id, name, timeZone],
  );
  await pool.query(
    `insert into opening_hours (business_id, weekday, opens, closes) select $1, d, $2::time, $3::time from generate_series(1, 7) d`,
    [id, opens, closes],
  );
  return { id, name };
}

/** The day after `at` on the zone's clock, with the instant of `time` (HH:MM) on it. */
export function nextDayAt(at: Date, timeZone: string, time: string): { date: string; instant: Date; longDate: string } {
  const today = instantToZonedParts(at, timeZone);
  const day = addDays(today.year, today.month, today.day, 1);
  const [hour, minute] = time.split(':').map(Number);
  const date = formatDate(day.year, day.month, day.day);
  return { date, instant: zonedDateTimeToInstant(day.year, day.month, day.day, hour!, minute!, timeZone), longDate: longDate(date) };
}
