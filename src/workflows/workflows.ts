// The durable workflows of x7-stream. This file runs inside Temporal's deterministic
// sandbox: it imports only @temporalio/workflow, types and pure functions (time.ts),
// reads time only through the workflow clock (Date.now() here is replay-safe), and
// leaves every side effect (database, Kafka) to activities.
//
// Every status change goes through the publishWorkflowEvent activity, which writes the
// WorkflowEvent, the client's WorkflowUpdate and the workflow_runs row; a per-run
// sequence number makes its event ids stable across activity retries.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChatType, WorkflowStatus, WorkflowType } from '../events.js';
import type { Activities } from './activities.js';
import { isValidTimeZone, localDateTime } from './time.js';
import type {
  ManagementActionInput,
  ManagementActionResult,
  ReservationInput,
  VoiceCallbackInput,
  WorkflowState,
} from './types.js';

/** Cancels a reservation (with the reason shown to the customer); the booking row follows. */
export const cancelSignal = defineSignal<[reason?: string]>('cancel');
/** The workflow's current status, for dashboards and tests. */
export const statusQuery = defineQuery<WorkflowState>('status');

/** Failures that retrying cannot fix (the activities throw these as non-retryable too). */
const NON_RETRYABLE = ['InvalidInput', 'BookingRejected', 'InvalidValue'];

// Infrastructure failures (database, broker, registry down) are retried without a limit,
// backing off to one attempt a minute: the design says work resumes when the dependency
// returns, never that it is dropped. Bad input fails at once (non-retryable).
const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
});

export interface ReservationResult {
  status: Extract<WorkflowStatus, 'COMPLETED' | 'CANCELLED'>;
  reminderSent: boolean;
}

export interface ManagementActionWorkflowResult {
  summary: string;
  auditId: string;
}

export interface VoiceCallbackResult {
  callbackAt: string;
}

interface Audience {
  conversationId: string;
  chatType: ChatType;
  userId: string;
  businessId: string | null;
  causationId: string | null;
  traceparent: string | null;
}

/** Publishes status changes in order, keeping the query's state in step. */
function publisher(workflowType: WorkflowType, audience: Audience, state: WorkflowState) {
  let sequence = 0;
  return async (status: WorkflowStatus, detail: string | null): Promise<void> => {
    const info = workflowInfo();
    sequence += 1;
    state.status = status;
    state.detail = detail;
    await activities.publishWorkflowEvent({
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType,
      status,
      sequence,
      occurredAt: new Date(Date.now()).toISOString(),
      ...audience,
      detail,
    });
  };
}

/** The message a user should see for a failed activity (the cause's, not the wrapper's). */
function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function instant(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw ApplicationFailure.nonRetryable(`${field} ${JSON.stringify(value)} is not an ISO-8601 instant`, 'InvalidInput');
  return ms;
}

/** Waits until `at` (epoch ms) or until `stop()` holds; true when stopped early. */
async function waitUntil(at: number, stop: () => boolean): Promise<boolean> {
  const remaining = at - Date.now();
  if (stop()) return true;
  if (remaining <= 0) return false;
  return condition(stop, remaining);
}

function cleanReason(reason: unknown, fallback: string): string {
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim().slice(0, 500) : fallback;
}

/**
 * A booking from confirmation to completion: confirm the pending row, remind the
 * customer `reminderLeadMinutes` before the start, complete it when the slot has passed.
 * A `cancel` signal (or a Temporal cancellation) at any point cancels the booking row.
 */
export async function reservationWorkflow(input: ReservationInput): Promise<ReservationResult> {
  const state: WorkflowState = { status: 'STARTED', detail: null, cancelReason: null };
  setHandler(cancelSignal, (reason) => {
    state.cancelReason ??= cleanReason(reason, 'cancelled on request');
  });
  setHandler(statusQuery, () => ({ ...state }));
  const publish = publisher('RESERVATION', {
    conversationId: input.conversationId,
    chatType: input.chatType ?? 'DEDICATED',
    userId: input.userId,
    businessId: input.businessId,
    causationId: input.causationId,
    traceparent: input.traceparent ?? null,
  }, state);
  const booking = { bookingId: input.bookingId, businessId: input.businessId, workflowId: workflowInfo().workflowId };
  const startsAt = instant(input.startsAt, 'startsAt');
  const leadMs = (input.reminderLeadMinutes ?? 0) * 60_000;
  let reminderSent = false;

  const cancel = async (): Promise<ReservationResult> => {
    const reason = state.cancelReason ?? 'cancelled';
    await activities.cancelBooking({ ...booking, reason });
    await publish('CANCELLED', reason);
    return { status: 'CANCELLED', reminderSent };
  };
  const cancelled = () => state.cancelReason !== null;

  try {
    await publish('STARTED', `Booking for ${input.partySize} at ${input.startsAt} requested`);
    let slotMinutes: number;
    try {
      const confirmed = await activities.confirmBooking(booking);
      slotMinutes = confirmed.slotMinutes;
      // Replaced (the customer changed it) before it was confirmed: cancelled, not failed.
      if (confirmed.cancelledBefore) state.cancelReason ??= confirmed.cancelledBefore;
    } catch (error) {
      if (isCancellation(error)) throw error;
      await publish('FAILED', failureMessage(error));
      throw error;
    }
    if (cancelled()) return await cancel();
    await publish('CONFIRMED', `Booking for ${input.partySize} confirmed`);

    // A reminder is only worth sending if its moment was still ahead when the booking was
    // confirmed (a table booked ten minutes ahead needs none), and only before the start.
    const reminderAt = startsAt - leadMs;
    if (leadMs > 0 && reminderAt > Date.now()) {
      if (await waitUntil(reminderAt, cancelled)) return await cancel();
      if (Date.now() < startsAt) {
        const reminder = await activities.sendReminder({ ...booking, partySize: input.partySize, startsAt: input.startsAt, timeZone: input.timeZone });
        // Cancelled straight in the database (not through this workflow): follow the row.
        if (reminder.bookingStatus === 'cancelled') state.cancelReason ??= 'booking was cancelled';
        if (cancelled()) return await cancel();
        if (reminder.sent) {
          reminderSent = true;
          await publish('REMINDER_SENT', reminder.detail);
        }
      }
    }

    // The booking is over once its slot (businesses.slot_minutes) has passed.
    if (await waitUntil(startsAt + slotMinutes * 60_000, cancelled)) return await cancel();
    const completion = await activities.completeBooking(booking);
    if (!completion.completed) {
      state.cancelReason ??= `booking was ${completion.bookingStatus}`;
      return await cancel();
    }
    await publish('COMPLETED', 'Booking completed');
    return { status: 'COMPLETED', reminderSent };
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled through Temporal (an operator, `handle.cancel()`): the booking must not
    // stay confirmed, so clean up outside the cancelled scope, then end as cancelled.
    state.cancelReason ??= 'cancelled by an operator';
    await CancellationScope.nonCancellable(cancel);
    throw error;
  }
}

/**
 * One dashboard action that staff confirmed: runs it in a database transaction that
 * also writes its audit_log row, then reports the outcome to the dashboard chat.
 */
export async function managementActionWorkflow(input: ManagementActionInput): Promise<ManagementActionWorkflowResult> {
  const state: WorkflowState = { status: 'STARTED', detail: null, cancelReason: null };
  setHandler(statusQuery, () => ({ ...state }));
  const publish = publisher('MANAGEMENT_ACTION', {
    conversationId: input.conversationId,
    chatType: input.chatType ?? 'DASHBOARD',
    userId: input.userId,
    businessId: input.businessId,
    causationId: input.causationId,
    traceparent: input.traceparent ?? null,
  }, state);

  let result: ManagementActionResult;
  try {
    await publish('STARTED', `${input.action} requested`);
    result = await activities.runManagementAction({ ...input, workflowId: workflowInfo().workflowId });
  } catch (error) {
    if (isCancellation(error)) {
      state.cancelReason = 'cancelled by an operator';
      await CancellationScope.nonCancellable(() => publish('CANCELLED', `${input.action} cancelled before it ran`));
    } else {
      await publish('FAILED', failureMessage(error));
    }
    throw error;
  }
  if (result.reservationWorkflowId) {
    // The booking row is already cancelled; tell its reservation workflow so it stops
    // its timers and tells the customer. A workflow that has ended needs nothing.
    try {
      await getExternalWorkflowHandle(result.reservationWorkflowId).signal(cancelSignal, `cancelled by ${input.businessId}`);
    } catch (error) {
      if (isCancellation(error)) throw error;
    }
  }
  await publish('COMPLETED', result.summary);
  return { summary: result.summary, auditId: result.auditId };
}

/**
 * A promised callback: STARTED when scheduled, then waits until `callbackAt` (UTC
 * instant, validated before start) and reports it due as COMPLETED: its job is done
 * once the call is due, because placing the call belongs to the voice gateway (which
 * reads chat.workflows), not to x7-stream. Cancelled before then (the customer in
 * chat, an operator), it reports CANCELLED. Each update names the time on the
 * business's clock when the input carries its zone.
 */
export async function voiceCallbackWorkflow(input: VoiceCallbackInput): Promise<VoiceCallbackResult> {
  const state: WorkflowState = { status: 'STARTED', detail: null, cancelReason: null };
  setHandler(statusQuery, () => ({ ...state }));
  const publish = publisher('VOICE_CALLBACK', {
    conversationId: input.conversationId,
    chatType: input.chatType ?? 'DEDICATED',
    userId: input.userId,
    businessId: input.businessId,
    causationId: input.causationId ?? null,
    traceparent: input.traceparent ?? null,
  }, state);
  const at = instant(input.callbackAt, 'callbackAt');
  const when = input.timeZone && isValidTimeZone(input.timeZone)
    ? `${localDateTime(input.callbackAt, input.timeZone)} (${input.timeZone})`
    : input.callbackAt;
  // No phone: the voice gateway calls back the number the customer called from.
  const to = input.phone ? ` to ${input.phone}` : '';
  try {
    await publish('STARTED', `Callback scheduled for ${when}${to}`);
    const remaining = at - Date.now();
    if (remaining > 0) await sleep(remaining);
  } catch (error) {
    if (isCancellation(error)) {
      // The customer (through the chat) or an operator: the request's reason is in the
      // history (describe shows it), not in what the workflow is handed.
      state.cancelReason = 'cancelled';
      await CancellationScope.nonCancellable(() => publish('CANCELLED', `Callback for ${when} cancelled`));
    }
    throw error;
  }
  await publish('COMPLETED', `Callback due at ${when}${to}`);
  return { callbackAt: input.callbackAt };
}
