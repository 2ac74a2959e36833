// The conversation state kept in the checkpointer, and its pure transitions.
//
// Everything here is JSON (dates as epoch milliseconds): the checkpointer stores it
// with LangGraph's serializer, and a replayed event must get back exactly the outputs
// it produced the first time, Dates included.
import type { AnalyticsEvent, OutboundEvent } from '../../src/events.js';
import type { ProcessorOutput } from '../../src/pipeline/processor.js';
import type { JsonObject, OpenTask, Turn } from './agent.js';

/** Turns kept for agents (the messages table holds the full history). */
export const MAX_TURNS = 20;
/** EventIds whose outputs are kept, so a redelivery after a lost Kafka commit replays them. */
export const MAX_PROCESSED = 25;

/** One output as stored: the value with its Date fields as epoch milliseconds. */
export type StoredOutput = { topic: ProcessorOutput['topic']; key: string; value: Record<string, unknown> };

export interface ProcessedEntry {
  eventId: string;
  outputs: StoredOutput[];
}

/** The lasting part of the state: written only when a message has been fully processed. */
export interface ConversationSnapshot {
  turns: Turn[];
  memory: Record<string, JsonObject>;
  openTask: OpenTask | null;
  processed: ProcessedEntry[];
}

export function appendTurns(turns: readonly Turn[], added: readonly Turn[]): Turn[] {
  const kept = turns.filter((t) => !added.some((a) => a.eventId === t.eventId && a.role === t.role));
  return [...kept, ...added].slice(-MAX_TURNS);
}

export function rememberOutputs(processed: readonly ProcessedEntry[], entry: ProcessedEntry): ProcessedEntry[] {
  return [...processed.filter((p) => p.eventId !== entry.eventId), entry].slice(-MAX_PROCESSED);
}

export function findProcessed(processed: readonly ProcessedEntry[], eventId: string): ProcessedEntry | undefined {
  return processed.find((p) => p.eventId === eventId);
}

// The Date fields of the output records (events.ts): only these are revived.
const DATE_FIELDS: Record<ProcessorOutput['topic'], readonly string[]> = {
  'chat.outbound': ['producedAt'],
  'chat.analytics': ['sentAt', 'processedAt'],
  'chat.workflows': ['occurredAt'],
};

export function storeOutputs(outputs: readonly ProcessorOutput[]): StoredOutput[] {
  return outputs.map((o) => {
    // A JSON round trip also drops anything the checkpointer could not keep.
    const value = JSON.parse(JSON.stringify(o.value)) as Record<string, unknown>;
    for (const field of DATE_FIELDS[o.topic]) value[field] = ((o.value as unknown as Record<string, Date>)[field]!).getTime();
    return { topic: o.topic, key: o.key, value };
  });
}

export function restoreOutputs(stored: readonly StoredOutput[]): ProcessorOutput[] {
  return stored.map((s) => {
    const value: Record<string, unknown> = structuredClone(s.value);
    for (const field of DATE_FIELDS[s.topic]) value[field] = new Date(value[field] as number);
    return { topic: s.topic, key: s.key, value } as unknown as ProcessorOutput;
  });
}

export type { AnalyticsEvent, OutboundEvent };
