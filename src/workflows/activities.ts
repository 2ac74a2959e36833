// The side effects of the workflows: the database and Kafka. The worker builds the
// dependencies and hands them in (createActivities), so tests can run the same code
// against their own database, topic prefix and producer.
//
// Failure policy, matching the retry policy in workflows.ts:
//  - a dependency that is down (PostgreSQL, Kafka, the registry) throws its own error,
//    which Temporal retries with backoff until the dependency is back;
//  - bad input (a booking that does not exist, a value the schema rejects, a row a
//    constraint refuses) throws a non-retryable ApplicationFailure at once: retrying
//    cannot make it right, and the workflow reports FAILED with the reason;
//  - a management action whose confirmer no longer holds the role it needs is refused
//    the same way (type `Forbidden`), with its own audit row.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../config.js';
import { memberRole } from '../db/members.js';
import type { OutboundEvent, TopicValues, ValueTopic, WorkflowEvent } from '../events.js';
import { topicName } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { WorkerMetrics } from '../observability/metrics.js';
import { childSpan, formatTraceparent, parseTraceparent, traceLogFields, TRACEPARENT_HEADER } from '../observability/trace.js';
import { decisionRight, refusalReason } from './authority.js';
import { workflowEventIds } from './event-ids.js';
import { reminderText } from './reminders.js';
import type {
  CompleteBookingResult,
  ConfirmBookingResult,
  ManagementActionInput,
  ManagementActionResult,
  PublishInput,
  PublishResult,
  ReminderResult,
} from './types.js';
import { ANNOUNCEMENT_LIFETIME_DAYS, InvalidWorkflowInputError, validateManagementActionInput, type DayHours } from './validate.js';

export interface ActivityDependencies {
  pool: pg.Pool;
  codec: { encode<T extends ValueTopic>(topic: T, value: TopicValues[T]): Promise<Buffer> };
  /** A connected producer (the worker owns its lifecycle). */
  producer: Pick<Producer, 'sendBatch'>;
  config: Pick<Config, 'topicPrefix'>;
  logger: Logger;
  /** Workflow status changes and activity failures are counted here when given. */
  metrics?: Pick<WorkerMetrics, 'workflows' | 'activityFailures'>;
}

export interface BookingRef {
  bookingId: string;
  businessId: string;
  workflowId: string;
}

const WEEKDAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A business rule refused the request: final, reported to the user. */
function rejected(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'BookingRejected');
}

/** The person it would run as may not (any longer) do it: final, reported to the user. */
function forbidden(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'Forbidden');
}

/** Turns errors that retrying cannot fix into non-retryable failures; leaves the rest to retry. */
export function classifyActivityError(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof InvalidWorkflowInputError) return ApplicationFailure.nonRetryable(error.message, 'InvalidInput');
  if (error instanceof Error && error.name === 'InvalidValueError') return ApplicationFailure.nonRetryable(error.message, 'InvalidValue');
  const code = (error as { code?: unknown } | null)?.code;
  // SQLSTATE class 22 (data exception) and 23 (integrity constraint violation): the
  // values are wrong (unknown business, user, malformed id), not the server.
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) {
    const detail = (error as { detail?: string }).detail;
    return ApplicationFailure.nonRetryable(`${(error as Error).message}${detail ? ` (${detail})` : ''}`, 'InvalidInput');
  }
  return error;
}

async function guarded<T>(
  logger: Logger,
  activity: string,
  fields: Record<string, unknown>,
  body: () => Promise<T>,
  metrics?: ActivityDependencies['metrics'],
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const failure = classifyActivityError(error);
    let attempt: number | undefined;
    try {
      attempt = Context.current().info.attempt;
    } catch {
      // called outside an activity (unit use): no attempt number
    }
    const retrying = !(failure instanceof ApplicationFailure && failure.nonRetryable);
    metrics?.activityFailures.inc({ activity, retrying: String(retrying) });
    logger[retrying ? 'warn' : 'error']({ ...fields, activity, attempt, err: error, retrying }, `${activity} failed`);
    throw failure;
  }
}

async function transaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export function createActivities(deps: ActivityDependencies) {
  const { pool, codec, producer, config } = deps;
  const logger = deps.logger;
  const guard = <T>(activity: string, fields: Record<string, unknown>, body: () => Promise<T>) => guarded(logger, activity, fields, body, deps.metrics);

  return {
    /**
     * Publishes one status change: WorkflowEvent on chat.workflows (key workflowId),
     * WorkflowUpdate on chat.outbound (key conversationId), and the workflow_runs row.
     * Safe to repeat: the same input yields the same event ids and row.
     */
    async publishWorkflowEvent(input: PublishInput): Promise<PublishResult> {
      // The records join the trace of the message that started the workflow, as a span of their own.
      const parent = parseTraceparent(input.traceparent);
      const span = parent ? childSpan(parent) : null;
      const fields = { workflowId: input.workflowId, status: input.status, conversationId: input.conversationId, ...(span ? traceLogFields(span) : {}) };
      const headers = span ? { [TRACEPARENT_HEADER]: formatTraceparent(span) } : undefined;
      return guard('publishWorkflowEvent', fields, async () => {
        const ids = workflowEventIds(input.workflowId, input.sequence, input.status);
        const occurredAt = new Date(input.occurredAt);
        if (Number.isNaN(occurredAt.getTime())) throw new InvalidWorkflowInputError('occurredAt', `${JSON.stringify(input.occurredAt)} is not an instant`);
        const workflowEvent: WorkflowEvent = {
          eventId: ids.workflowEventId,
          workflowId: input.workflowId,
          runId: input.runId,
          workflowType: input.workflowType,
          status: input.status,
          conversationId: input.conversationId,
          businessId: input.businessId,
          causationId: input.causationId,
          occurredAt,
          detail: input.detail,
        };
        const update: OutboundEvent = {
          eventId: ids.outboundEventId,
          conversationId: input.conversationId,
          chatType: input.chatType,
          userId: input.userId,
          businessId: input.businessId,
          // The client's update is caused by the workflow event, which in turn names the chat message.
          causationId: ids.workflowEventId,
          producedAt: occurredAt,
          body: { type: 'WorkflowUpdate', workflowId: input.workflowId, workflowType: input.workflowType, status: input.status, detail: input.detail },
        };
        // Encode first: a value the schema rejects must fail before anything is written.
        const [workflowValue, outboundValue] = await Promise.all([
          codec.encode('chat.workflows', workflowEvent),
          codec.encode('chat.outbound', update),
        ]);

        // The row keeps the latest status; an older attempt that finishes late (lower
        // sequence) must not overwrite a newer one.
        await pool.query(
          `insert into workflow_runs (workflow_id, run_id, workflow_type, status, conversation_id, business_id, started_at, detail)
           values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
           on conflict (workflow_id) do update
              set run_id = excluded.run_id, status = excluded.status, detail = excluded.detail,
                  conversation_id = excluded.conversation_id, business_id = excluded.business_id
            where workflow_runs.run_id is distinct from excluded.run_id
               or coalesce((workflow_runs.detail->>'sequence')::int, 0) <= (excluded.detail->>'sequence')::int`,
          [
            input.workflowId, input.runId, input.workflowType, input.status, input.conversationId, input.businessId, occurredAt,
            JSON.stringify({ sequence: input.sequence, detail: input.detail, eventId: ids.workflowEventId, causationId: input.causationId }),
          ],
        );
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            { topic: topicName(config, 'chat.workflows'), messages: [{ key: input.workflowId, value: workflowValue, headers }] },
            { topic: topicName(config, 'chat.outbound'), messages: [{ key: input.conversationId, value: outboundValue, headers }] },
          ],
        });
        deps.metrics?.workflows.inc({ workflow_type: input.workflowType, status: input.status });
        logger.info({ ...fields, eventId: ids.workflowEventId, sequence: input.sequence }, 'workflow status published');
        return ids;
      });
    },

    /** pending → confirmed, owned by this workflow. Confirming again is a no-op. */
    async confirmBooking(ref: BookingRef): Promise<ConfirmBookingResult> {
      return guard('confirmBooking', { ...ref }, async () => {
        const outcome = await transaction(pool, async (client) => {
          const { rows } = await client.query<{ status: string; workflow_id: string | null; notes: string | null; accepting_bookings: boolean; slot_minutes: number }>(
            `select b.status, b.workflow_id, b.notes, z.accepting_bookings, z.slot_minutes
               from bookings b join businesses z on z.id = b.business_id
              where b.id = $1 and b.business_id = $2
              for update of b`,
            [ref.bookingId, ref.businessId],
          );
          const row = rows[0];
          if (!row) return { error: `booking ${ref.bookingId} of business ${ref.businessId} does not exist` };
          if (row.workflow_id !== null && row.workflow_id !== ref.workflowId) {
            return { error: `booking ${ref.bookingId} belongs to workflow ${row.workflow_id}` };
          }
          if (row.status === 'confirmed') return { slotMinutes: row.slot_minutes };
          // Changed (replaced) or withdrawn before this workflow got to it: not a failure,
          // the reservation ends as cancelled, saying why.
          if (row.status === 'cancelled') return { slotMinutes: row.slot_minutes, cancelledBefore: cancellationReason(row.notes) };
          if (row.status !== 'pending') return { error: `booking ${ref.bookingId} is ${row.status} and cannot be confirmed` };
          if (!row.accepting_bookings) {
            // Leave no booking pending forever: it is declined, with the reason on the row.
            await client.query(
              `update bookings set status = 'cancelled', workflow_id = $2,
                      notes = concat_ws(E'\\n', notes, 'declined: the business is not accepting bookings')
                where id = $1`,
              [ref.bookingId, ref.workflowId],
            );
            return { error: `${ref.businessId} is not accepting bookings at the moment; booking ${ref.bookingId} declined` };
          }
          await client.query(`update bookings set status = 'confirmed', workflow_id = $2 where id = $1`, [ref.bookingId, ref.workflowId]);
          return { slotMinutes: row.slot_minutes };
        });
        if ('error' in outcome) throw rejected(outcome.error!);
        return { slotMinutes: outcome.slotMinutes!, ...(outcome.cancelledBefore ? { cancelledBefore: outcome.cancelledBefore } : {}) };
      });
    },

    /**
     * The reminder text, if the booking is still confirmed when it is due; the workflow
     * publishes it to the customer's conversation (REMINDER_SENT). The row records when
     * (bookings.reminder_sent_at, the first time only), for the dashboard's booking cards.
     */
    async sendReminder(input: BookingRef & { partySize: number; startsAt: string; timeZone: string }): Promise<ReminderResult> {
      return guard('sendReminder', { bookingId: input.bookingId, workflowId: input.workflowId }, async () => {
        // Only a confirmed booking is reminded, checked in the same statement that records it.
        const { rows } = await pool.query<{ name: string; category: string; service: string | null; sent_at: Date }>(
          `update bookings b set reminder_sent_at = coalesce(b.reminder_sent_at, now())
             from businesses z
            where b.id = $1 and b.business_id = $2 and b.status = 'confirmed' and z.id = b.business_id
            returning z.name, z.category, (select o.name from offerings o where o.id = b.offering_id) as service,
                      b.reminder_sent_at as sent_at`,
          [input.bookingId, input.businessId],
        );
        const row = rows[0];
        if (!row) {
          const current = await pool.query<{ status: string }>('select status from bookings where id = $1 and business_id = $2', [input.bookingId, input.businessId]);
          const status = current.rows[0]?.status ?? 'missing';
          return { sent: false, bookingStatus: status, detail: `no reminder: booking is ${status}` };
        }
        return {
          sent: true,
          bookingStatus: 'confirmed',
          detail: reminderText({
            partySize: input.partySize, businessName: row.name, category: row.category, service: row.service,
            startsAt: input.startsAt, timeZone: input.timeZone, sentAt: row.sent_at,
          }),
        };
      });
    },

    /** pending/confirmed → cancelled with the reason in notes. Cancelling again is a no-op. */
    async cancelBooking(input: BookingRef & { reason: string }): Promise<{ previousStatus: string }> {
      return guard('cancelBooking', { bookingId: input.bookingId, workflowId: input.workflowId }, async () => {
        const outcome = await transaction(pool, async (client) => {
          const { rows } = await client.query<{ status: string }>(
            'select status from bookings where id = $1 and business_id = $2 for update',
            [input.bookingId, input.businessId],
          );
          const status = rows[0]?.status;
          if (status === undefined) return { error: `booking ${input.bookingId} of business ${input.businessId} does not exist` };
          if (status === 'completed') return { error: `booking ${input.bookingId} is completed and cannot be cancelled` };
          if (status !== 'cancelled') {
            await client.query(
              `update bookings set status = 'cancelled', notes = concat_ws(E'\\n', notes, 'cancelled: ' || $2::text) where id = $1`,
              [input.bookingId, input.reason],
            );
          }
          return { previousStatus: status };
        });
        if ('error' in outcome) throw rejected(outcome.error!);
        return { previousStatus: outcome.previousStatus! };
      });
    },

    /** confirmed → completed once the slot has passed. */
    async completeBooking(ref: BookingRef): Promise<CompleteBookingResult> {
      return guard('completeBooking', { ...ref }, async () => {
        const { rows } = await pool.query<{ status: string }>(
          `update bookings set status = case when status = 'confirmed' then 'completed' else status end
            where id = $1 and business_id = $2 returning status`,
          [ref.bookingId, ref.businessId],
        );
        const status = rows[0]?.status;
        if (status === undefined) throw rejected(`booking ${ref.bookingId} of business ${ref.businessId} no longer exists`);
        return { completed: status === 'completed', bookingStatus: status };
      });
    },

    /**
     * Runs a confirmed dashboard action and its audit_log row in one transaction.
     * The audit row carries the workflowId: a retry after a commit whose reply was lost
     * finds it and returns the recorded result instead of acting twice.
     *
     * The confirmer's role is read again here, at execution time, and held (`for share`)
     * until the transaction ends: a member demoted or removed between their "yes" and
     * this moment is refused (non-retryable `Forbidden`, an allowed = false audit row),
     * and the workflow reports FAILED with the reason.
     */
    async runManagementAction(raw: ManagementActionInput & { workflowId: string }): Promise<ManagementActionResult> {
      const fields = { workflowId: raw.workflowId, action: raw.action, businessId: raw.businessId, conversationId: raw.conversationId };
      return guard('runManagementAction', fields, async () => {
        const input = validateManagementActionInput(raw);
        // Absent on workflows started before requesters were recorded (see ManagementActionInput).
        const requester = input.requestedBy ?? null;
        const base = {
          workflowId: raw.workflowId, conversationId: input.conversationId, causationId: input.causationId, params: input.params,
          requesterRole: requester?.role ?? null,
        };
        let failure: ApplicationFailure | undefined;
        const result = await transaction(pool, async (client) => {
          const audit = async (allowed: boolean, detail: Record<string, unknown>) => (await client.query<{ id: string }>(
            `insert into audit_log (business_id, user_id, action, allowed, detail, requested_by, decided_by, decision)
             values ($1, $2, $3, $4, $5::jsonb, $6, $2, 'confirmed') returning id::text`,
            [input.businessId, input.userId, input.action, allowed, JSON.stringify({ ...base, ...detail }), requester?.userId ?? null],
          )).rows[0]!.id;
          // Two attempts of the same workflow (a retry racing a slow first try) run one after the other.
          await client.query(`select pg_advisory_xact_lock(hashtext('x7-management:' || $1::text))`, [raw.workflowId]);
          const done = await client.query<{ id: string; detail: { outcome?: string; result?: ManagementActionResult; error?: string } }>(
            `select id::text, detail from audit_log where detail->>'workflowId' = $1 and action = $2 order by id limit 1`,
            [raw.workflowId, input.action],
          );
          const previous = done.rows[0];
          if (previous) {
            if (previous.detail.outcome === 'refused') {
              failure = forbidden(previous.detail.error ?? 'refused');
              return undefined;
            }
            if (previous.detail.outcome === 'failed') {
              failure = rejected(previous.detail.error ?? 'failed');
              return undefined;
            }
            return { ...previous.detail.result!, auditId: previous.id };
          }
          const business = await client.query<{ accepting_bookings: boolean }>('select accepting_bookings from businesses where id = $1 for update', [input.businessId]);
          if (!business.rows[0]) {
            failure = rejected(`business ${input.businessId} does not exist`);
            return undefined;
          }
          const role = await memberRole(async (sql, params) => (await client.query(sql, params)).rows, input.businessId, input.userId, { lock: true });
          const right = decisionRight(input.action, requester, { userId: input.userId, role });
          if (!right.allowed) {
            const reason = refusalReason(input.action, right, { userId: input.userId, role, businessId: input.businessId }, requester);
            await audit(false, { outcome: 'refused', error: reason, confirmerRole: role });
            failure = forbidden(reason);
            return undefined;
          }
          const confirmed = { confirmedAs: right.as, confirmerRole: role };
          await client.query('savepoint action');
          let outcome: { summary: string; reservationWorkflowId: string | null } | { error: string };
          try {
            outcome = await perform(client, input, business.rows[0].accepting_bookings);
          } catch (error) {
            const classified = classifyActivityError(error);
            if (!(classified instanceof ApplicationFailure) || !classified.nonRetryable) throw error;
            outcome = { error: classified.message };
          }
          if ('error' in outcome) {
            // Undo the action's partial work but keep the transaction for the audit row.
            await client.query('rollback to savepoint action');
            failure = rejected(outcome.error);
            await audit(true, { ...confirmed, outcome: 'failed', error: outcome.error });
            return undefined;
          }
          const auditId = await audit(true, { ...confirmed, outcome: 'completed', result: outcome });
          return { ...outcome, auditId };
        });
        if (failure !== undefined || !result) throw failure ?? rejected('the action failed');
        logger.info({ ...fields, auditId: result.auditId }, 'management action done');
        return result;
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Why a booking was cancelled, from the last line of its notes, in the customer's words. */
function cancellationReason(notes: string | null): string {
  const last = (notes ?? '').trim().split('\n').at(-1) ?? '';
  if (/^replaced by /.test(last)) return 'replaced by the changed booking';
  const said = /^(?:cancelled|declined): (.+)$/.exec(last)?.[1];
  return said ?? 'the booking was cancelled before it could be confirmed';
}

/** The action itself, inside the caller's transaction. A refusal is returned, not thrown. */
async function perform(
  client: pg.PoolClient,
  input: ManagementActionInput,
  acceptingBookings: boolean,
): Promise<{ summary: string; reservationWorkflowId: string | null } | { error: string }> {
  const params = input.params;
  switch (input.action) {
    case 'pause_bookings':
    case 'resume_bookings': {
      const accepting = input.action === 'resume_bookings';
      if (acceptingBookings === accepting) return { summary: `Bookings were already ${accepting ? 'open' : 'paused'}`, reservationWorkflowId: null };
      await client.query('update businesses set accepting_bookings = $2 where id = $1', [input.businessId, accepting]);
      return { summary: accepting ? 'Bookings resumed' : 'Bookings paused', reservationWorkflowId: null };
    }
    case 'cancel_booking': {
      const bookingId = params.bookingId as string;
      const reason = (params.reason as string | undefined) ?? 'cancelled by the business';
      const { rows } = await client.query<{ status: string; workflow_id: string | null }>(
        'select status, workflow_id from bookings where id = $1 and business_id = $2 for update',
        [bookingId, input.businessId],
      );
      const row = rows[0];
      if (!row) return { error: `booking ${bookingId} of business ${input.businessId} does not exist` };
      if (row.status === 'completed') return { error: `booking ${bookingId} is completed and cannot be cancelled` };
      if (row.status === 'cancelled') return { summary: `Booking ${bookingId} was already cancelled`, reservationWorkflowId: null };
      await client.query(
        `update bookings set status = 'cancelled', notes = concat_ws(E'\\n', notes, 'cancelled: ' || $2::text) where id = $1`,
        [bookingId, reason],
      );
      return { summary: `Booking ${bookingId} cancelled`, reservationWorkflowId: row.workflow_id };
    }
    case 'announcement': {
      // Shown to customers until it expires; the insert's trigger tells the processors (migration 0008).
      await client.query(
        'insert into announcements (business_id, text, created_by, expires_at) values ($1, $2, $3, now() + make_interval(days => $4))',
        [input.businessId, params.text, input.userId, ANNOUNCEMENT_LIFETIME_DAYS],
      );
      return { summary: 'Announcement published', reservationWorkflowId: null };
    }
    case 'set_hours': {
      const days = params.days as DayHours[];
      for (const day of days) {
        await client.query('delete from opening_hours where business_id = $1 and weekday = $2', [input.businessId, day.weekday]);
        for (const interval of day.intervals) {
          await client.query('insert into opening_hours (business_id, weekday, opens, closes) values ($1, $2, $3, $4)', [
            input.businessId, day.weekday, interval.opens, interval.closes,
          ]);
        }
      }
      const described = days.map((d) => `${WEEKDAYS[d.weekday]} ${d.intervals.length === 0 ? 'closed' : d.intervals.map((i) => `${i.opens}-${i.closes}`).join(', ')}`);
      return { summary: `Opening hours set: ${described.join('; ')}`, reservationWorkflowId: null };
    }
  }
}
