// The four Avro records as the codec hands them out (and takes them in).
//
// Mapping from Avro: enums are string unions, timestamp-millis is a Date,
// a union with null is `T | null` (absent stays null, never an invented value),
// maps are plain objects. The only union of records, OutboundEvent.body, is a
// discriminated union: `type` holds the branch record's short name, so
// `switch (event.body.type)` narrows it in TypeScript and `x7 tail` prints
// which record a body is. The codec adds/removes `type`; it is not an Avro field.

export type ChatType = 'DEDICATED' | 'DASHBOARD' | 'GLOBAL';
export const CHAT_TYPES: readonly ChatType[] = ['DEDICATED', 'DASHBOARD', 'GLOBAL'];

export type Channel = 'WEB' | 'MOBILE' | 'VOICE' | 'SMS';
export const CHANNELS: readonly Channel[] = ['WEB', 'MOBILE', 'VOICE', 'SMS'];

/**
 * As whom a ChatMessage's user wrote: USER, the conversation's own user; STAFF, a
 * member answering a DEDICATED conversation handed off to a person (schemas/ChatMessage.avsc).
 */
export type SenderRole = 'USER' | 'STAFF';

export interface GeoPoint {
  lat: number;
  lon: number;
}

/** Value of `chat.inbound` (schemas/ChatMessage.avsc). */
export interface ChatMessage {
  eventId: string;
  conversationId: string;
  chatType: ChatType;
  userId: string;
  businessId: string | null;
  text: string;
  channel: Channel;
  locale: string;
  location: GeoPoint | null;
  sentAt: Date;
  clientMessageId: string | null;
  /** Null: a producer that predates the field (processed as USER). */
  senderRole: SenderRole | null;
}

export type ProcessingStatus = 'RECEIVED' | 'THINKING' | 'DONE' | 'FAILED' | 'UNKNOWN';
export type CardKind = 'BUSINESS' | 'BOOKING' | 'COMPARISON' | 'METRIC' | 'ACTION' | 'OTHER';
export type WorkflowType = 'RESERVATION' | 'MANAGEMENT_ACTION' | 'VOICE_CALLBACK' | 'OTHER';
export type WorkflowStatus = 'STARTED' | 'CONFIRMED' | 'REMINDER_SENT' | 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'UNKNOWN';
export type Outcome = 'ANSWERED' | 'WORKFLOW_STARTED' | 'CONFIRMATION_REQUESTED' | 'HANDED_OFF' | 'DENIED' | 'FAILED' | 'UNKNOWN';
/** AnalyticsEvent.understoodBy: who named the message's intent. */
export type UnderstoodBy = 'RULES' | 'LLM';

export interface StatusUpdate {
  type: 'StatusUpdate';
  status: ProcessingStatus;
  detail: string | null;
}

export interface Card {
  kind: CardKind;
  title: string;
  subtitle: string | null;
  businessId: string | null;
  /** Label → value, in display order. */
  fields: Record<string, string>;
}

export interface Reply {
  type: 'Reply';
  text: string;
  agent: string;
  cards: Card[];
  suggestions: string[];
}

export interface WorkflowUpdate {
  type: 'WorkflowUpdate';
  workflowId: string;
  workflowType: WorkflowType;
  status: WorkflowStatus;
  detail: string | null;
}

export interface ErrorNotice {
  type: 'ErrorNotice';
  code: string;
  message: string;
  field: string | null;
}

export type OutboundBody = StatusUpdate | Reply | WorkflowUpdate | ErrorNotice;
export type OutboundBodyType = OutboundBody['type'];

/** Value of `chat.outbound` (schemas/OutboundEvent.avsc). */
export interface OutboundEvent {
  eventId: string;
  conversationId: string;
  chatType: ChatType;
  userId: string;
  businessId: string | null;
  causationId: string | null;
  producedAt: Date;
  body: OutboundBody;
}

/** Value of `chat.workflows` (schemas/WorkflowEvent.avsc). */
export interface WorkflowEvent {
  eventId: string;
  workflowId: string;
  runId: string | null;
  workflowType: WorkflowType;
  status: WorkflowStatus;
  conversationId: string | null;
  businessId: string | null;
  causationId: string | null;
  occurredAt: Date;
  detail: string | null;
}

/** Value of `chat.analytics` (schemas/AnalyticsEvent.avsc). */
export interface AnalyticsEvent {
  eventId: string;
  inboundEventId: string;
  conversationId: string;
  chatType: ChatType;
  userId: string;
  businessId: string | null;
  channel: Channel;
  intent: string | null;
  agent: string | null;
  agentReason: string | null;
  /** Who named the intent: the rules, or an LLM they passed the message on to (default RULES). */
  understoodBy: UnderstoodBy;
  outcome: Outcome;
  /** Stage name (decode, conversation, agent, workflow, respond, …) → milliseconds. */
  stageLatenciesMs: Record<string, number>;
  sentAt: Date;
  processedAt: Date;
}

/** Logical topic names (before X7_TOPIC_PREFIX) and the value each carries. */
export interface TopicValues {
  'chat.inbound': ChatMessage;
  'chat.outbound': OutboundEvent;
  'chat.workflows': WorkflowEvent;
  'chat.analytics': AnalyticsEvent;
}
export type ValueTopic = keyof TopicValues;
export type LogicalTopic = ValueTopic | 'chat.inbound.dlq';
export const LOGICAL_TOPICS: readonly LogicalTopic[] = ['chat.inbound', 'chat.outbound', 'chat.workflows', 'chat.analytics', 'chat.inbound.dlq'];
