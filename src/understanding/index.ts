// Understanding one chat message: its intent and its entities, with the reasons.
//
// `understand` is pure and deterministic (the default; every test reproducible
// offline). `understandWith` runs the same rules first and asks a configured LLM
// only when they are unsure; what the model says is checked and typed like any input.
import type { ChatType } from '../events.js';
import { type Entities, type EntityContext, extractEntitiesExplained } from './entities.js';
import { classifyIntent, type Intent, type IntentContext, type IntentResult } from './intents.js';
import { groundModelEntities, needsModel } from './llm-decision.js';
import { LlmBadAnswerError, type LlmClient } from './llm.js';

export * from './entities.js';
export * from './intents.js';
export * from './llm.js';
export { modelIntents, type ModelAnswer, type ModelEntities } from './llm-answer.js';
export { groundModelEntities, needsModel } from './llm-decision.js';
export { halfOfDay } from './meridiem.js';
export { formatZonedIso, instantToZonedParts, isValidTimeZone, zonedDateTimeToInstant } from './zoned-time.js';

export interface UnderstandingContext extends EntityContext {
  chatType: ChatType;
  pendingSlots?: readonly string[];
  hasPendingAction?: boolean;
  /**
   * The business's category (DEDICATED): at a restaurant or bar an hour without
   * am/pm ("at 8") is read as evening unless `preferEvening` says otherwise.
   */
  businessCategory?: string;
}

export interface Understanding {
  chatType: ChatType;
  intent: Intent;
  confidence: number;
  /** Intent rules that fired; empty when the LLM named the intent (the rules' view is in `reasons`). */
  matched: string[];
  /** Who named the intent: the rules, or the LLM they passed the message on to. */
  source: 'rules' | 'llm';
  entities: Entities;
  /** Why: one line for the intent, one per entity. */
  reasons: string[];
  /** The LLM answered outside the schema, so the message is understood as unknown: why, and what it said. */
  rejectedAnswer?: { reason: string; answer: string };
}

export function understand(text: string, context: UnderstandingContext): Understanding {
  const { entities, reasons, intentContext } = prepare(text, context);
  return assemble(context.chatType, classifyIntent(text, intentContext), 'rules', entities, reasons);
}

/**
 * The rules first; the LLM when they find no intent or are below its confidence
 * threshold (needsModel). Then the model's intent (one it was offered) and its
 * entities where the rules found none, typed by the rules' extractors
 * (groundModelEntities). An answer outside the schema makes the message "unknown",
 * with `rejectedAnswer` set; an LLM that cannot be asked throws LlmUnavailableError,
 * a dependency failure: the caller's partition waits for it, it never falls back to
 * the rules' unsure guess.
 */
export async function understandWith(llm: LlmClient, text: string, context: UnderstandingContext): Promise<Understanding> {
  const { entities, reasons, intentContext, entityContext } = prepare(text, context);
  const rules = classifyIntent(text, intentContext);
  if (!needsModel(rules, llm.belowConfidence)) return assemble(context.chatType, rules, 'rules', entities, reasons);
  const rulesSaid = `rules unsure (below ${llm.belowConfidence}): ${rules.intent} (${rules.confidence})${rules.matched.length ? `: ${rules.matched.join(', ')}` : ''}`;
  try {
    const answer = await llm.classify(text, intentContext);
    const grounded = groundModelEntities(entities, answer.entities, entityContext);
    const result: IntentResult = { intent: answer.intent, confidence: Math.round(answer.confidence * 100) / 100, matched: [] };
    return assemble(context.chatType, result, 'llm', grounded.entities, [...reasons, ...grounded.reasons, rulesSaid], llm.model);
  } catch (error) {
    if (!(error instanceof LlmBadAnswerError)) throw error;
    const understood = assemble(context.chatType, { intent: 'unknown', confidence: 0, matched: [] }, 'llm', entities, [...reasons, `llm ${llm.model} answer rejected: ${error.message}`, rulesSaid]);
    return { ...understood, rejectedAnswer: { reason: error.message, answer: error.answer } };
  }
}

function prepare(text: string, context: UnderstandingContext) {
  const preferEvening = context.preferEvening ?? (context.businessCategory !== undefined && /^(?:restaurant|bar)$/i.test(context.businessCategory));
  const entityContext: EntityContext = { ...context, preferEvening };
  const { entities, reasons } = extractEntitiesExplained(text, entityContext);
  const intentContext: IntentContext = {
    chatType: context.chatType,
    ...(context.pendingSlots ? { pendingSlots: context.pendingSlots } : {}),
    ...(context.hasPendingAction !== undefined ? { hasPendingAction: context.hasPendingAction } : {}),
    entities: { businessIds: entities.businessIds, places: entities.places },
  };
  return { entities, reasons, intentContext, entityContext };
}

function assemble(chatType: ChatType, result: IntentResult, source: 'rules' | 'llm', entities: Entities, entityReasons: string[], model?: string): Understanding {
  const head = source === 'llm'
    ? `intent ${result.intent} (${result.confidence}, llm ${model ?? ''})`
    : result.intent === 'unknown'
      ? `intent unknown: no rule scored high enough${result.matched.length ? ` (weak: ${result.matched.join(', ')})` : ''}`
      : `intent ${result.intent} (${result.confidence}, ${source}): ${result.matched.join(', ')}`;
  return { chatType, intent: result.intent, confidence: result.confidence, matched: result.matched, source, entities, reasons: [head, ...entityReasons] };
}
