// Test data and helpers for the workflow tests.
import type { Logger as TemporalLogger } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Client } from '@temporalio/client';
import type { EventCodec } from '../../src/codec/index.js';
import type { WorkflowEvent } from '../../src/events.js';
import type { TopicReader } from './pipeline.js';

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

/** A business of the test's own (see insertBusiness) with an owner, a manager and a staff member, each a new user. */
export async function insertTeam(pool: pg.Pool, prefix = 'test-team'): Promise<{ business: string; owner: string; manager: string; staff: string }> {
  const tag = randomUUID().slice(0, 8);
  const business = `${prefix}-${tag}`;
  const [owner, manager, staff] = ['owner', 'manager', 'staff'].map((r) => `u-${r}-${tag}`) as [string, string, string];
  await insertBusiness(pool, business, owner);
  for (const [userId, role] of [[manager, 'manager'], [staff, 'staff']]) {
    await pool.query(`insert into users (id, display_name) values ($1, $2)`, [userId, `${role} ${tag}`]);
    await pool.query(`insert into members (business_id, user_id, role) values ($1, $2, $3)`, [business, userId, role]);
  }
  return { business, owner, manager, staff };
}

/** The WorkflowEvents of one workflow a reader of chat.workflows has seen, decoded, in arrival order. */
export function workflowEventsOf(reader: TopicReader, codec: EventCodec, workflowId: string): Promise<WorkflowEvent[]> {
  return Promise.all(reader.records
    .filter((r) => r.key?.toString() === workflowId)
    .map(async (r) => (await codec.decode('chat.workflows', r.value)).value as WorkflowEvent));
}

/** A pending booking, as the dedicated flow writes it before starting its workflow. */
export async function insertBooking(pool: pg.Pool, b: { businessId: string; conversationId: string; startsAt: Date; partySize?: number; userId?: string }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into bookings (business_id, user_id, conversation_id, party_size, starts_at) values ($1, $5, $2, $3, $4) returning id`,
    [b.businessId, b.conversationId, b.partySize ?? 2, b.startsAt, b.userId ?? 'u-guest'],
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
