// Understanding one chat message: its intent and its entities, with the reasons.
//
// `understand` is pure and deterministic (the default; every test reproducible
// offline). `understandWith` takes an IntentClassifier so a configured LLM can
// name the intent; entities always come from the deterministic extractors.
import type { ChatType } from '../events.js';
import { type Entities, type EntityContext, extractEntitiesExplained } from './entities.js';
import { classifyIntent, type Intent, type IntentContext, type IntentResult } from './intents.js';
import type { IntentClassifier } from './llm.js';

export * from './entities.js';
export * from './intents.js';
export * from './llm.js';
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
  /** Intent rules that fired, or "llm:<model>". */
  matched: string[];
  /** Who named the intent. */
  source: 'rules' | 'llm';
  entities: Entities;
  /** Why: one line for the intent, one per entity. */
  reasons: string[];
}

export function understand(text: string, context: UnderstandingContext): Understanding {
  const { entities, reasons, intentContext } = prepare(text, context);
  return assemble(context.chatType, classifyIntent(text, intentContext), 'rules', entities, reasons);
}

/** Like `understand`, the intent from `classifier`; an LLM failure propagates (a dependency failure). */
export async function understandWith(
  classifier: IntentClassifier, text: string, context: UnderstandingContext, signal?: AbortSignal,
): Promise<Understanding> {
  const { entities, reasons, intentContext } = prepare(text, context);
  const intent = await classifier.classify(text, intentContext, signal);
  if (classifier.kind === 'llm') {
    // The rules' opinion, for the record: disagreements are worth reading in the logs.
    const rules = classifyIntent(text, intentContext);
    reasons.push(`rules would say ${rules.intent} (${rules.confidence})${rules.matched.length ? `: ${rules.matched.join(', ')}` : ''}`);
  }
  return assemble(context.chatType, intent, classifier.kind, entities, reasons);
}

function prepare(text: string, context: UnderstandingContext) {
  const preferEvening = context.preferEvening ?? (context.businessCategory !== undefined && /^(?:restaurant|bar)$/i.test(context.businessCategory));
  const { entities, reasons } = extractEntitiesExplained(text, { ...context, preferEvening });
  const intentContext: IntentContext = {
    chatType: context.chatType,
    ...(context.pendingSlots ? { pendingSlots: context.pendingSlots } : {}),
    ...(context.hasPendingAction !== undefined ? { hasPendingAction: context.hasPendingAction } : {}),
    entities: { businessIds: entities.businessIds, places: entities.places },
  };
  return { entities, reasons, intentContext };
}

function assemble(chatType: ChatType, result: IntentResult, source: 'rules' | 'llm', entities: Entities, entityReasons: string[]): Understanding {
  const head = result.intent === 'unknown'
    ? `intent unknown: no rule scored high enough${result.matched.length ? ` (weak: ${result.matched.join(', ')})` : ''}`
    : `intent ${result.intent} (${result.confidence}, ${source}): ${result.matched.join(', ')}`;
  return { chatType, intent: result.intent, confidence: result.confidence, matched: result.matched, source, entities, reasons: [head, ...entityReasons] };
}
