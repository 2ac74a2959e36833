// The conversation state and its pure transitions.
//
// The state is small and bounded on purpose: it is read and written on every
// message (./turn.ts and the graph's checkpointer both go through the conversation
// store), so it holds only what the next turns need. The full history is in the
// messages table; what a processed event produced is in processed_events, not here.
import type { ProcessorOutput } from '../../src/pipeline/processor.js';
import { clipText } from '../../src/understanding/text.js';
import type { JsonObject, OpenTask, Turn } from './agent.js';

/** Turns kept for agents (the messages table holds the full history). */
export const MAX_TURNS = 12;
/** Longest text of a turn kept in the state; agents need the gist, not whole menus. */
export const MAX_TURN_TEXT = 500;

export interface ConversationState {
  turns: Turn[];
  memory: Record<string, JsonObject>;
  openTask: OpenTask | null;
}

export const EMPTY_STATE: ConversationState = Object.freeze({ turns: [], memory: {}, openTask: null }) as ConversationState;

export function appendTurns(turns: readonly Turn[], added: readonly Turn[]): Turn[] {
  const kept = turns.filter((t) => !added.some((a) => a.eventId === t.eventId && a.role === t.role));
  const bounded = added.map((t) => (t.text.length > MAX_TURN_TEXT ? { ...t, text: clipText(t.text, MAX_TURN_TEXT) } : t));
  return [...kept, ...bounded].slice(-MAX_TURNS);
}

// The Date fields of the output records (events.ts): stored as JSON (ISO strings) and revived.
const DATE_FIELDS: Record<ProcessorOutput['topic'], readonly string[]> = {
  'chat.outbound': ['producedAt'],
  'chat.analytics': ['sentAt', 'processedAt'],
  'chat.workflows': ['occurredAt'],
};

/** Outputs as read back from the store's JSON: the same records, Dates revived. */
export function restoreOutputs(stored: readonly { topic: ProcessorOutput['topic']; key: string; value: Record<string, unknown> }[]): ProcessorOutput[] {
  return stored.map((s) => {
    const value: Record<string, unknown> = { ...s.value };
    for (const field of DATE_FIELDS[s.topic]) value[field] = new Date(value[field] as string | number);
    return { topic: s.topic, key: s.key, value } as unknown as ProcessorOutput;
  });
}
