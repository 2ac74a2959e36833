// The contracts between the workflow manager (client), the workflows and their
// activities. Types only: workflows.ts imports this file, and workflow code may hold
// nothing that is not deterministic, so no values live here.
import type { Role } from '../db/members.js';
import type { ChatType, WorkflowStatus, WorkflowType } from '../events.js';

export type WorkflowKind = 'reservation' | 'managementAction' | 'voiceCallback';

/** A reservation that the DEDICATED flow has written as a `pending` booking row. */
export interface ReservationInput {
  bookingId: string;
  businessId: string;
  conversationId: string;
  userId: string;
  partySize: number;
  /** ISO-8601 instant with offset or Z (normalised to UTC by the manager). */
  startsAt: string;
  /** The business's IANA zone, for the local time in reminders. */
  timeZone: string;
  /** eventId of the chat message that asked for the booking. */
  causationId: string | null;
  /** Minutes before startsAt to remind; the manager fills it from X7_REMINDER_LEAD_MINUTES. */
  reminderLeadMinutes?: number;
  /** Chat type of the conversation updates go to (default DEDICATED: bookings are made there). */
  chatType?: ChatType;
  /** W3C traceparent of the message that caused it; the records it publishes join that trace. */
  traceparent?: string | null;
}

export type ManagementActionName = 'set_hours' | 'pause_bookings' | 'resume_bookings' | 'cancel_booking' | 'announcement';

export interface ManagementActionInput {
  action: ManagementActionName;
  /** The business of the pending action (never the confirming message's). */
  businessId: string;
  /**
   * The member who confirmed the action: the requester, or a member with a higher
   * role (checked by the dashboard flow, and again by the activity before it acts).
   */
  userId: string;
  /**
   * Who asked for it, with the role they held then. Optional because workflows
   * started before requesters were recorded carry none: their activity checks the
   * confirmer's role alone and audits the requester as unknown. New starts always set it.
   */
  requestedBy?: { userId: string; role: Role } | null;
  /** Per action: see validateManagementParams in validate.ts. */
  params: Record<string, unknown>;
  conversationId: string;
  causationId: string | null;
  /** Default DASHBOARD: management actions come from the staff's dashboard chat. */
  chatType?: ChatType;
  /** W3C traceparent of the message that caused it. */
  traceparent?: string | null;
}

export interface VoiceCallbackInput {
  /** E.164 number to call back; absent when the voice gateway knows it from the call. */
  phone?: string | null;
  businessId: string;
  conversationId: string;
  userId: string;
  /** ISO-8601 with offset or Z; naive and impossible times are rejected before start. */
  callbackAt: string;
  /**
   * The business's IANA zone: the updates name the time on its clock ("Thursday 26
   * November 2026 at 17:00 (Europe/Lisbon)"). Absent (older starts): the UTC instant.
   */
  timeZone?: string | null;
  causationId?: string | null;
  /** Default DEDICATED: a customer asks a business to call back. */
  chatType?: ChatType;
  /** W3C traceparent of the message that caused it. */
  traceparent?: string | null;
}

export interface WorkflowInputs {
  reservation: ReservationInput;
  managementAction: ManagementActionInput;
  voiceCallback: VoiceCallbackInput;
}

/** One status change, as the workflow hands it to the publishWorkflowEvent activity. */
export interface PublishInput {
  workflowId: string;
  runId: string;
  workflowType: WorkflowType;
  status: WorkflowStatus;
  /**
   * 1, 2, 3 … per workflow run, in the order the workflow published: with workflowId it
   * names the record, so a retried activity writes the same event ids (and an older
   * retry cannot overwrite a newer workflow_runs status).
   */
  sequence: number;
  /** Workflow time of the change (deterministic, so a retry writes identical records). */
  occurredAt: string;
  conversationId: string;
  chatType: ChatType;
  userId: string;
  businessId: string | null;
  causationId: string | null;
  detail: string | null;
  /** The workflow input's traceparent: the published records carry a child span of it. */
  traceparent?: string | null;
}

export interface PublishResult {
  workflowEventId: string;
  outboundEventId: string;
}

/** What the `status` query of every x7 workflow answers. */
export interface WorkflowState {
  status: WorkflowStatus;
  detail: string | null;
  cancelReason: string | null;
}

export interface ConfirmBookingResult {
  /** Length of the booked slot (businesses.slot_minutes): the reservation completes after it. */
  slotMinutes: number;
  /**
   * Set when the booking was cancelled before it could be confirmed (the customer
   * changed it, so it was replaced): the reservation ends CANCELLED with this reason.
   */
  cancelledBefore?: string;
}

export interface ReminderResult {
  sent: boolean;
  /** The booking row's status when the reminder was due (not sent unless confirmed). */
  bookingStatus: string;
  /** The text the customer sees, in the business's local time. */
  detail: string;
}

export interface CompleteBookingResult {
  completed: boolean;
  /** The row's status afterwards: 'completed', or 'cancelled' when it was cancelled behind the workflow's back. */
  bookingStatus: string;
}

export interface ManagementActionResult {
  /** One line for the dashboard ("Bookings paused", …). */
  summary: string;
  /** Set by cancel_booking: the reservation workflow to tell, if any. */
  reservationWorkflowId: string | null;
  auditId: string;
}
