// Test data and helpers for the workflow tests.
import type { Logger as TemporalLogger } from '@temporalio/common';
import type pg from 'pg';
import type { Client } from '@temporalio/client';

/** Temporal's bundler reports webpack's whole output at INFO: keep warnings and errors only. */
export const quietTemporalLogger: TemporalLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message, meta) => console.warn(message, meta ?? ''),
  error: (message, meta) => console.error(message, meta ?? ''),
};

/** A restaurant that takes bookings (5-minute slots), with its owner as a member. */
export async function insertBusiness(pool: pg.Pool, id: string, ownerId: string): Promise<void> {
  await pool.query(
    `insert into businesses (id, name, category, address, city, lat, lon, timezone, price_level, capacity_per_slot, slot_minutes)
     values ($1, 'Taberna de Teste', 'restaurant', 'Rua 1', 'Lisboa', 38.71, -9.14, 'Europe/Lisbon', 2, 10, 5)`,
    [id],
  );
  await pool.query(`insert into users (id, display_name) values ($1, 'Owner')`, [ownerId]);
  await pool.query(`insert into members (business_id, user_id, role) values ($1, $2, 'owner')`, [id, ownerId]);
}

/** A pending booking, as the dedicated flow writes it before starting its workflow. */
export async function insertBooking(pool: pg.Pool, b: { businessId: string; conversationId: string; startsAt: Date; partySize?: number }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into bookings (business_id, user_id, conversation_id, party_size, starts_at) values ($1, 'u-guest', $2, $3, $4) returning id`,
    [b.businessId, b.conversationId, b.partySize ?? 2, b.startsAt],
  );
  return rows[0]!.id;
}

/** The instant as ISO-8601 in a zone `offsetMinutes` east of UTC, e.g. 2026-11-26T19:30:00.000+01:00. */
export function offsetIso(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Leaves nothing running on the shared dev server: terminates what a test's task queue still runs. */
export async function terminateRunningWorkflows(client: Client, taskQueue: string): Promise<void> {
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await client.workflow.getHandle(info.workflowId, info.runId).terminate('test cleanup').catch(() => undefined);
  }
}
