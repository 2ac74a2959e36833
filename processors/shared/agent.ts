// The agent interface: what every chat type's agents implement and what the
// shared graph (./graph.ts) gives them. Types only, so that agents of all three
// chat types depend on this one file and nothing else of the pipeline.
//
// An agent is a named capability: it declares which chat types, business
// categories and intents it serves and which tools (SQL queries) it uses; the
// registry (./agents.ts) picks agents from those declarations alone and records
// why. An agent answers from data through its declared tools, keeps its own
// memory across turns in the conversation state, and asks the workflow stage to
// start or cancel durable workflows instead of calling Temporal itself, so a
// retried message never starts anything twice.
import type { Card, ChatMessage, ChatType, Outcome } from '../../src/events.js';
import type { Logger } from '../../src/log.js';
import type { Intent, Understanding } from '../../src/understanding/index.js';
import type { WorkflowInputs, WorkflowKind } from '../../src/workflows/types.js';
import type { Db, Tool } from './tools.js';

/** JSON values: what agent memory may hold (it is kept in the conversation state). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The business a DEDICATED or DASHBOARD conversation is about (a row of `businesses`). */
export interface BusinessContext {
  id: string;
  name: string;
  /** businesses.category: restaurant, cafe, bakery, bar, salon, barber, spa, clinic, dentist, gym. */
  category: string;
  /** IANA zone: dates and times in messages and replies are on this clock. */
  timeZone: string;
  acceptingBookings: boolean;
  capacityPerSlot: number;
  slotMinutes: number;
  phone: string | null;
  address: string;
  /**
   * Its newest announcements not expired when the row was read, newest first; whether
   * one still runs is judged against the message's clock (./announcements.ts).
   */
  announcements: readonly Announcement[];
}

/** What the business announced from its dashboard (a row of `announcements`). */
export interface Announcement {
  text: string;
  /** Epoch milliseconds. */
  postedAt: number;
  /** Epoch milliseconds: from then on it is no longer shown. */
  expiresAt: number;
}

/** One turn of the conversation as kept in its state (the last few only). */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
  /** The user's classified intent, or the agent that answered. */
  intent: string | null;
  agent: string | null;
  eventId: string;
  /** Epoch milliseconds. */
  at: number;
}

/**
 * A multi-turn task an agent has open: follow-up messages go to its owner while
 * it is open (see selectAgents), and the understanding stage reads `pendingSlots`
 * (bare numbers become the missing slot) and `awaitingConfirmation` (a "yes" is a
 * confirm) from it.
 */
export interface OpenTask {
  /** The agent that owns the task. */
  agent: string;
  /** What it still needs, e.g. ['time'] or ['partySize']. */
  pendingSlots: string[];
  /** True when it waits for the user's yes or no. */
  awaitingConfirmation: boolean;
  /** One line for logs and the selection reason, e.g. "table booking". */
  description: string;
}

/** What an agent sees when it is asked. Read-only: changes go into its AgentResult. */
export interface AgentInput {
  message: ChatMessage;
  understanding: Understanding;
  /** Null for GLOBAL. */
  business: BusinessContext | null;
  /** The clock of this message (ProcessingContext.clock), for "now" in queries. */
  now: Date;
  /** Recent turns, oldest first, including the current user message as the last. */
  turns: readonly Turn[];
  /** This agent's memory from earlier turns ({} at first). */
  memory: Readonly<JsonObject>;
  /** The conversation's open task, whoever owns it. */
  openTask: OpenTask | null;
  /** Why this agent was chosen (the registry's reason). */
  reason: string;
  /** What agents before this one contributed to the same answer (coordination). */
  previous: readonly AgentContribution[];
  /**
   * Runs one of the agent's declared tools. Calling an undeclared tool is a bug and
   * throws; a database that is down surfaces as DependencyUnavailableError.
   */
  use<A, R>(tool: Tool<A, R>, args: A): Promise<R>;
  logger: Logger;
}

/** A workflow for the workflow stage to start; the id is derived from the event or the booking. */
export type StartWorkflowRequest = {
  [K in WorkflowKind]: { action: 'start'; kind: K; input: WorkflowInputs[K]; workflowId?: string };
}[WorkflowKind];

/** A running workflow to cancel (a booking replaced or withdrawn); a workflow already ended is fine. */
export interface CancelWorkflowRequest {
  action: 'cancel';
  workflowId: string;
  reason: string;
}

export type WorkflowRequest = StartWorkflowRequest | CancelWorkflowRequest;

/** An error the client should see as an ErrorNotice (e.g. DASHBOARD: permission denied). */
export interface Notice {
  code: string;
  message: string;
  field: string | null;
}

/** What one agent contributes to the answer. */
export interface AgentResult {
  /** The reply text; '' adds nothing (allowed when `notices` say it all). */
  text: string;
  cards?: Card[];
  suggestions?: string[];
  outcome: Outcome;
  /** Workflows to start or cancel; the workflow stage does it idempotently. */
  workflows?: WorkflowRequest[];
  notices?: Notice[];
  /** Replaces this agent's memory; undefined keeps it as it was. */
  memory?: JsonObject;
  /** Opens or updates a task owned by this agent; null closes the open task; undefined leaves it. */
  task?: Omit<OpenTask, 'agent'> | null;
}

export interface AgentContribution {
  agent: string;
  result: AgentResult;
}

/** A registered agent: its declared capabilities and how it answers. */
export interface Agent {
  /** Unique across the registry; shown in Reply.agent and the analytics fact. */
  readonly name: string;
  readonly chatTypes: readonly ChatType[];
  /** Business categories it serves (DEDICATED, DASHBOARD); absent means every category. */
  readonly categories?: readonly string[];
  /** Intents it answers as the primary agent; '*' marks the fallback when nothing else fits. */
  readonly intents: readonly (Intent | '*')[];
  /** The tools it may use (checked on every `use`). */
  readonly tools: readonly Tool<any, any>[];
  /**
   * Intents that continue its open task (default: provide_details, confirm, reject,
   * modify_booking, unknown): while it owns the open task they come to it first.
   */
  readonly followUpIntents?: readonly Intent[];
  /** It may add to another agent's answer when the message also shows one of its intents. */
  readonly canContribute?: boolean;
  /**
   * It may open a multi-turn task (slot filling, a confirmation): messages it may
   * answer run through the LangGraph graph (see routing.ts).
   */
  readonly opensTasks?: boolean;
  /** Breaks ties between equally specific agents; higher first (default 0). */
  readonly priority?: number;
  /** Its answer, or null to decline (nothing for it here): the next candidate is asked. */
  handle(input: AgentInput): Promise<AgentResult | null>;
}

export type { Db, Tool };
