// The boundary between the runtime and the chat-type processors.
//
// The runtime owns Kafka, the codec, validation, transactions and retries; a
// processor only turns one valid ChatMessage into the events it causes. Outputs are
// plain typed values naming a logical topic: the runtime encodes and produces them
// in the same transaction as the input offset, so a processor never touches Kafka.
import type { Logger } from '../log.js';
import { CHAT_TYPES, type ChatMessage, type ChatType, type TopicValues } from '../events.js';

/** The stages a processor times itself; the runtime times decode, validate, produce and commit. */
export const PROCESSOR_STAGES = ['conversation', 'agent', 'workflow', 'respond'] as const;
export type ProcessorStage = (typeof PROCESSOR_STAGES)[number];

export type OutputTopic = 'chat.outbound' | 'chat.analytics' | 'chat.workflows';

/** One event to produce: its logical topic, its key and its value, typed per topic. */
export type ProcessorOutput = {
  [T in OutputTopic]: { topic: T; key: string; value: TopicValues[T] };
}[OutputTopic];

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Where the message came from in Kafka. */
export interface SourceCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

export interface ProcessingContext {
  /** A child logger carrying conversationId and eventId. */
  logger: Logger;
  source: SourceCoordinates;
  clock: Clock;
  /**
   * Milliseconds the runtime spent on this message before the processor got it
   * (decode, validate), so an analytics fact can report every stage.
   */
  stageLatenciesMs: Readonly<Record<string, number>>;
  /**
   * W3C traceparent of this message's processing (a child of the one the message
   * came with, or a new trace). The runtime puts it on every output record; a
   * processor passes it on to work it starts elsewhere (workflow inputs).
   */
  traceparent?: string;
  /** Reports how long one of the processor's stages took, in milliseconds (metrics). */
  observeStage?: (stage: ProcessorStage, ms: number) => void;
}

/** What a processor made of one message. */
export interface ProcessorResult {
  /** The events this message causes, in the order they must appear. */
  outputs: ProcessorOutput[];
  /** How it ended, for x7_events_total (the analytics fact's outcome: ANSWERED, DENIED …). */
  outcome: string;
}

export interface ChatProcessor {
  readonly chatType: ChatType;
  /**
   * Throw DependencyUnavailableError when something it needs is down: the runtime
   * then retries the same message later, so the work must be safe to repeat.
   */
  process(message: ChatMessage, context: ProcessingContext): Promise<ProcessorResult>;
}

/**
 * A store whose writes must be durable before the records' offsets are committed
 * (Kafka Streams flushes its state stores on commit). The runtime calls `prefetch`
 * with each fetched batch's keys, `flush` right before each Kafka transaction commits, `rollback` when the records will be
 * processed again, and `assign` after every rebalance.
 */
export interface CommitParticipant {
  /** A fetched batch's keys (conversationIds), before its records are processed: read what they need at once. */
  prefetch?(partition: number, keys: readonly string[]): Promise<void>;
  flush(partition: number): Promise<void>;
  rollback(partition: number): void;
  assign(partitions: readonly number[]): void;
}

/** Which processor handles which chat type; complete or not constructed at all. */
export class ProcessorRegistry {
  private readonly byType: ReadonlyMap<ChatType, ChatProcessor>;

  constructor(processors: readonly ChatProcessor[]) {
    const byType = new Map<ChatType, ChatProcessor>();
    const duplicated: ChatType[] = [];
    for (const processor of processors) {
      if (byType.has(processor.chatType)) duplicated.push(processor.chatType);
      byType.set(processor.chatType, processor);
    }
    const missing = CHAT_TYPES.filter((type) => !byType.has(type));
    const problems: string[] = [];
    if (missing.length > 0) problems.push(`no processor for chat type${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (duplicated.length > 0) problems.push(`more than one processor for ${[...new Set(duplicated)].join(', ')}`);
    if (problems.length > 0) throw new Error(`the processor registry is incomplete: ${problems.join('; ')}`);
    this.byType = byType;
  }

  get(chatType: ChatType): ChatProcessor {
    // The constructor proved every chat type has one.
    return this.byType.get(chatType)!;
  }
}
