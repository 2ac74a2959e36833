// The pure half of asking an LLM: when to ask it, and what of its (schema-checked)
// answer to keep. No I/O here; ./index.ts (understandWith) puts it together with the
// client (./llm.ts).
import { matchBusinesses, matchPlaces } from './catalog.js';
import { type Entities, type EntityContext, extractEntitiesExplained } from './entities.js';
import type { IntentResult } from './intents.js';
import type { ModelEntities } from './llm-answer.js';
import { fold } from './text.js';

/**
 * Whether the rules are unsure enough to ask the model: no intent, or one whose
 * confidence is below `belowConfidence`. The rules are precise when they answer (on
 * the labeled examples of test/unit/understanding-intents.test.ts every wrong answer
 * is "unknown"); what they miss is paraphrase, and a low confidence means a weak
 * single cue or two intents close together.
 */
export function needsModel(rules: Pick<IntentResult, 'intent' | 'confidence'>, belowConfidence: number): boolean {
  return rules.intent === 'unknown' || rules.confidence < belowConfidence;
}

/**
 * The entities after the model's answer: what the rules found stays (they read the
 * exact words), and the model fills only what they did not, each value typed and
 * checked the way the rules' own are:
 * - a party size is already an integer from 1 to MAX_PARTY (the schema);
 * - `when` is words, resolved by the same date/time extractor, in the business's
 *   zone and relative to when the message was sent; words it cannot read are dropped;
 * - business names and places must match the catalog (the same matchers);
 * - categories are the platform's (the schema) and the catalog's;
 * - a price level is 1–4 (the schema).
 * Booking and workflow references, opening hours and announcement texts are copied
 * from the message by the rules only: a model's copy of an identifier is not trusted.
 * Each value taken or dropped gets a line in `reasons`.
 */
export function groundModelEntities(rules: Entities, model: ModelEntities, context: EntityContext): { entities: Entities; reasons: string[] } {
  const entities: Entities = { ...rules };
  const reasons: string[] = [];
  if (rules.partySize === undefined && model.partySize !== null) {
    entities.partySize = model.partySize;
    reasons.push(`partySize ${model.partySize} (llm)`);
  }
  if (rules.dateTime === undefined && model.when !== null) {
    const resolved = extractEntitiesExplained(model.when, context).entities.dateTime;
    if (resolved) {
      entities.dateTime = resolved;
      reasons.push(`dateTime ${resolved.iso} (${resolved.precision}) from the llm's "${model.when}" in ${context.timeZone}`);
    } else {
      reasons.push(`llm's when "${model.when}" is not a date or time the rules can read: dropped`);
    }
  }
  if (rules.businessIds.length === 0 && model.businessNames.length > 0) {
    const businesses = context.catalog?.businesses ?? [];
    for (const name of model.businessNames) {
      const match = matchBusinesses(fold(name), businesses)[0];
      if (!match) {
        reasons.push(`llm's business "${name}" is not in the catalog: dropped`);
      } else if (!entities.businessIds.includes(match.business.id)) {
        entities.businessIds = [...entities.businessIds, match.business.id];
        entities.businessNames = [...entities.businessNames, match.business.name];
        reasons.push(`business ${match.business.id} "${match.business.name}" from the llm's "${name}" (${match.rule})`);
      }
    }
  }
  if (rules.places.length === 0 && model.places.length > 0) {
    for (const name of model.places) {
      const place = matchPlaces(fold(name), context.catalog?.places ?? [])[0];
      if (!place) {
        reasons.push(`llm's place "${name}" is not a known place: dropped`);
      } else if (!entities.places.includes(place)) {
        entities.places = [...entities.places, place];
        reasons.push(`place ${place.name} (llm)`);
      }
    }
  }
  if (rules.categories.length === 0 && model.categories.length > 0) {
    const known = context.catalog?.categories;
    const categories = [...new Set(model.categories)].filter((c) => !known || known.includes(c));
    if (categories.length > 0) {
      entities.categories = categories;
      reasons.push(`categories ${categories.join(', ')} (llm)`);
    }
  }
  if (rules.priceLevel === undefined && model.priceLevel !== null) {
    entities.priceLevel = model.priceLevel as NonNullable<Entities['priceLevel']>;
    reasons.push(`priceLevel ${model.priceLevel} (llm)`);
  }
  return { entities, reasons };
}
