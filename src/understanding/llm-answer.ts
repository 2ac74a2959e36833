// What an LLM may answer when asked to understand one chat message: one zod schema
// per context, which is both the JSON schema the request constrains the output to
// (`response_format: {type: 'json_schema'}`) and the check of what comes back, so the
// two cannot drift apart. Servers honour the constraint to different degrees
// (OpenAI's strict mode does; a server without grammar support may only hint it to
// the model), so every answer is checked here as untrusted input, whatever the server.
//
// The model only names things: an intent from a closed list and entities as plain
// values or words. Entities are then typed by the same deterministic extractors the
// rules use (./llm-decision.ts); the model never computes a date, never decides a
// permission, and may not say "yes" for the user (see modelIntents).
import { z } from 'zod';
import { allowedIntents, type Intent, type IntentContext } from './intents.js';
import { CATEGORIES } from './lexicon.js';
import { MAX_PARTY } from './party.js';

/** Longest text the model may put in one entity: names and time phrases, not prose. */
export const MAX_ENTITY_TEXT = 80;

/**
 * The intents the model may answer in this context: those the rules may, except
 * `confirm`. A confirmation lets a pending action run (a management action, a
 * booking), and the design asks for an explicit "yes" from the user; reading consent
 * into an ambiguous message is not the model's to do, so only the rules'
 * unambiguous yes-words confirm. `reject` stays: declining runs nothing.
 */
export function modelIntents(context: Pick<IntentContext, 'chatType' | 'pendingSlots' | 'hasPendingAction'>): Intent[] {
  return allowedIntents(context).filter((intent) => intent !== 'confirm');
}

function buildAnswerSchema(intents: readonly Intent[]) {
  const text = z.string().min(1).max(MAX_ENTITY_TEXT);
  return z.strictObject({
    intent: z.enum(intents as [Intent, ...Intent[]]),
    confidence: z.number().min(0).max(1),
    entities: z.strictObject({
      partySize: z.number().int().min(1).max(MAX_PARTY).nullable()
        .describe('how many people, when the message says or implies it ("me and three friends": 4); else null'),
      when: text.nullable()
        .describe('the day and/or time the message means, as short plain words ("tomorrow at 7pm", "friday 20:30", "next monday"), not a computed date; else null'),
      businessNames: z.array(text).max(4).describe('names of businesses the message mentions, as written'),
      categories: z.array(z.enum(CATEGORIES)).max(3).describe('kinds of business the message asks about'),
      places: z.array(text).max(3).describe('neighbourhoods or places in Lisbon the message names, as written'),
      priceLevel: z.number().int().min(1).max(4).nullable()
        .describe('1 cheap, 2 moderate, 3 upscale, 4 luxury, when the message asks for a price range; else null'),
    }),
  });
}

export type AnswerSchema = ReturnType<typeof buildAnswerSchema>;
export type ModelAnswer = z.infer<AnswerSchema>;
export type ModelEntities = ModelAnswer['entities'];

// One schema per list of intents (a handful: chat type × pending slots × pending action).
const schemas = new Map<string, { schema: AnswerSchema; json: Record<string, unknown> }>();

/** The answer's schema for these intents, as zod and as JSON Schema (for response_format). */
export function answerSchema(intents: readonly Intent[]): { schema: AnswerSchema; json: Record<string, unknown> } {
  const key = intents.join(',');
  let cached = schemas.get(key);
  if (!cached) {
    const schema = buildAnswerSchema(intents);
    // draft-07 is what OpenAI, vLLM, Ollama and llama.cpp read; "$schema" is dropped, as
    // OpenAI's strict mode accepts only the keywords it knows.
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
    cached = { schema, json };
    schemas.set(key, cached);
  }
  return cached;
}

export type CheckedAnswer = { ok: true; answer: ModelAnswer } | { ok: false; reason: string };

/** The model's message content checked against the schema: the answer, or why it is not one. */
export function checkAnswer(content: string, schema: AnswerSchema): CheckedAnswer {
  // Some servers wrap the JSON in a Markdown fence even when the output is constrained.
  const raw = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`);
  return { ok: false, reason: `the answer is outside the schema: ${issues.join('; ')}` };
}
