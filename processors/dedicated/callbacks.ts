// The callbacks agent: "call me back tomorrow at 5pm", "can you call me at 10am on
// Monday", "ligue-me amanhã às 17h" start the voice callback workflow; "cancel the
// callback", "não me liguem" cancel it.
//
// Multi-turn, like a booking: what is known so far (the draft) lives in the agent's
// memory and a question stays the open task until it is answered. The time is the
// business's wall clock and must be usable as said (callback-time.ts: an ambiguous
// hour, a past or skipped time, a closed hour get a question, never a guess).
//
// The number: the workflow takes an E.164 number, or none when the voice gateway
// knows it from the call (channel VOICE). Otherwise it is the one the customer writes
// (with its country code), or the one they gave earlier in this conversation, and
// the reply says which. Nothing else holds a customer's number (the users table has
// none), so without one we ask; we never make one up.
import { halfOfDay, mentionsBooking } from '../../src/understanding/index.js';
import type { Agent, AgentInput, AgentResult, BusinessContext, JsonObject, WorkflowRequest } from '../shared/agent.js';
import { callbackQuestion, mergeCallbackDraft, resolveCallbackTime, type CallbackDraft, type CallbackTime } from './callback-time.js';
import { longDate } from './slots.js';
import { hoursTool } from './tools.js';

/** The callback this conversation scheduled last, as the customer knows it. */
interface Scheduled {
  workflowId: string;
  /** UTC instant. */
  callbackAt: string;
  date: string;
  time: string;
  phone: string | null;
  cancelled: boolean;
}

interface Memory {
  draft?: CallbackDraft;
  /** The E.164 number the customer gave in this conversation. */
  phone?: string;
  last?: Scheduled;
}

const EXAMPLE_NUMBER = '+351 912 345 678';
const CANCEL_SUGGESTION = 'Cancel the callback';

function memoryOf(input: AgentInput): Memory {
  return input.memory as unknown as Memory;
}

function remember(memory: Memory): JsonObject {
  // Drop undefined fields: memory is JSON.
  return JSON.parse(JSON.stringify(memory)) as JsonObject;
}

function at(slot: { date: string; time: string }): string {
  return `${slot.time} on ${longDate(slot.date)}`;
}

/** Still ahead and not cancelled: the one a new request replaces and "cancel" takes back. */
function pending(last: Scheduled | undefined, now: Date): Scheduled | undefined {
  return last && !last.cancelled && Date.parse(last.callbackAt) > now.getTime() ? last : undefined;
}

export const callbacksAgent: Agent = {
  name: 'callbacks',
  opensTasks: true,
  chatTypes: ['DEDICATED'],
  intents: ['callback', 'cancel_callback'],
  // "cancel" while a callback question is open is about the callback (unless it names a booking).
  followUpIntents: ['provide_details', 'callback', 'cancel_callback', 'cancel_booking', 'unknown'],
  tools: [hoursTool],

  async handle(input) {
    const memory = memoryOf(input);
    const intent = input.understanding.intent;
    if (intent === 'cancel_callback') return cancel(input, memory);
    if (intent === 'cancel_booking') {
      // A bare "cancel" while we ask about a callback drops the question, not a scheduled callback.
      if (!memory.draft || mentionsBooking(input.message.text)) return null;
      return dropDraft(input, memory);
    }
    // A request that names a day or time starts afresh; anything else adds to our open question.
    const asking = input.openTask?.agent === callbacksAgent.name && memory.draft !== undefined;
    if (intent === 'callback') return schedule(input, memory, asking && !input.understanding.entities.dateTime ? memory.draft! : {});
    if (!memory.draft) return null;
    return schedule(input, memory, memory.draft);
  },
};

/** Memory without the draft: the number and the last callback stay. */
function settledMemory(memory: Memory): Memory {
  return { ...(memory.phone ? { phone: memory.phone } : {}), ...(memory.last ? { last: memory.last } : {}) };
}

function dropDraft(input: AgentInput, memory: Memory): AgentResult {
  const active = pending(memory.last, input.now);
  const text = active ? `OK, your callback stays at ${at(active)}.` : "OK, I won't arrange a callback.";
  return { text, outcome: 'ANSWERED', memory: remember(settledMemory(memory)), task: null };
}

function cancel(input: AgentInput, memory: Memory): AgentResult {
  const last = memory.last;
  const kept = settledMemory(memory);
  const active = pending(last, input.now);
  if (!active) {
    if (memory.draft) return dropDraft(input, memory);
    const text = last && !last.cancelled
      ? `Your callback at ${at(last)} is already due, so it can't be cancelled here any more.`
      : "There's no callback scheduled in this chat.";
    return { text, outcome: 'ANSWERED', memory: remember(kept), task: null };
  }
  return {
    text: `Your callback at ${at(active)} is being cancelled; you'll see the confirmation here.`,
    outcome: 'WORKFLOW_STARTED',
    workflows: [{ action: 'cancel', workflowId: active.workflowId, reason: 'cancelled by the customer' }],
    memory: remember({ ...kept, last: { ...active, cancelled: true } }),
    task: null,
  };
}

/** The draft kept while asking again: what the customer still has to give. */
function keptFor(time: Exclude<CallbackTime, { kind: 'ok' }>, draft: CallbackDraft): CallbackDraft {
  switch (time.kind) {
    case 'needs-time':
    case 'ambiguous':
      return draft;
    case 'closed':
      // Closed all day: another day is needed, not only another time.
      return time.time === undefined ? {} : { date: time.date };
    case 'past':
    case 'skipped':
      return { date: time.date };
  }
}

async function schedule(input: AgentInput, memory: Memory, from: CallbackDraft): Promise<AgentResult> {
  const business = input.business!;
  const entities = input.understanding.entities;
  const half = halfOfDay(input.message.text);
  const draft = mergeCallbackDraft(from, { ...(entities.dateTime ? { dateTime: entities.dateTime } : {}), ...(half ? { half } : {}) });
  const hours = await input.use(hoursTool, { businessId: business.id });
  const time = resolveCallbackTime(draft, { now: input.now, timeZone: business.timeZone, hours });
  // A number in this message is the customer's choice, whatever else is still missing.
  const given = entities.phone;
  const phone = given?.e164 ?? memory.phone;
  const base: Memory = { ...memory, ...(phone ? { phone } : {}) };

  if (time.kind !== 'ok') {
    const kept = keptFor(time, draft);
    const question = callbackQuestion(time, hours);
    return ask(base, kept, question.text, question.suggestions, kept.date ? ['time'] : ['date', 'time']);
  }

  // The time is settled: keep it as said, in case a number is still to come.
  const settled: CallbackDraft = { date: time.date, time: time.time };
  if (given && given.e164 === null) {
    return ask(base, settled, `To call ${given.text} I need its country code: please write it like ${EXAMPLE_NUMBER}.`, [], ['phone']);
  }
  // On a call, the voice gateway knows the number to call back; a number written down still wins.
  if (!phone && input.message.channel !== 'VOICE') {
    return ask(base, settled, `What number should we call you on at ${at(time)}? Please include the country code, e.g. ${EXAMPLE_NUMBER}.`, [], ['phone']);
  }
  return start(input, base, business, time, phone ?? null);
}

function ask(memory: Memory, draft: CallbackDraft, text: string, suggestions: string[], pendingSlots: string[]): AgentResult {
  return {
    text,
    outcome: 'ANSWERED',
    suggestions,
    memory: remember({ ...memory, draft }),
    task: { pendingSlots, awaitingConfirmation: false, description: 'callback request' },
  };
}

function start(input: AgentInput, memory: Memory, business: BusinessContext, time: Extract<CallbackTime, { kind: 'ok' }>, phone: string | null): AgentResult {
  const { message } = input;
  const workflowId = `voice-callback-${message.eventId}`;
  const workflows: WorkflowRequest[] = [];
  const replaced = pending(memory.last, input.now);
  if (replaced) workflows.push({ action: 'cancel', workflowId: replaced.workflowId, reason: `moved to ${at(time)}` });
  workflows.push({
    action: 'start',
    kind: 'voiceCallback',
    workflowId,
    input: {
      phone,
      businessId: business.id,
      conversationId: message.conversationId,
      userId: message.userId,
      // With the business's offset: the instant the customer named on its clock.
      callbackAt: time.iso,
      timeZone: business.timeZone,
      causationId: message.eventId,
      chatType: 'DEDICATED',
    },
  });
  const number = phone === null ? "on the number you're calling from"
    : input.understanding.entities.phone?.e164 === phone ? `on ${phone}` : `on ${phone}, the number you gave me earlier`;
  const lead = replaced ? `Done: I've moved your callback to ${at(time)}` : `Done: the team at ${business.name} will call you back at ${at(time)}`;
  const last: Scheduled = { workflowId, callbackAt: time.at.toISOString(), date: time.date, time: time.time, phone, cancelled: false };
  return {
    text: `${lead}, ${number}. You'll see updates here.`,
    suggestions: [CANCEL_SUGGESTION],
    outcome: 'WORKFLOW_STARTED',
    workflows,
    memory: remember({ ...(memory.phone ? { phone: memory.phone } : {}), last }),
    task: null,
  };
}
