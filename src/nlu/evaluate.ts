// Runs the three classifiers `x7 nlu eval` compares on labeled examples: the rules
// (`understand`), the LLM alone (every example asked, the production prompt), and the
// production path, rules then LLM when they are unsure (`understandWith`).
import { readFileSync } from 'node:fs';
import type { Catalog } from '../understanding/catalog.js';
import type { Entities } from '../understanding/entities.js';
import { understand, understandWith, type UnderstandingContext } from '../understanding/index.js';
import type { IntentContext } from '../understanding/intents.js';
import { LlmBadAnswerError, type LlmClient } from '../understanding/llm.js';
import { DEFAULT_CATALOG, EVAL_NOW, EVAL_TIME_ZONE, type Example, type ExpectedEntities } from './dataset.js';
import { percentile, type Prediction, scoreIntents, type IntentScores } from './metrics.js';

export type Classifier = 'rules' | 'llm' | 'rules+llm';

export interface EntityField { field: keyof ExpectedEntities; expected: number; correct: number; accuracy: number }

export interface ClassifierReport {
  classifier: Classifier;
  scores: IntentScores;
  /** Per example, in milliseconds; for rules+llm it includes the rules. */
  latencyMs: { p50: number | null; p95: number | null };
  /** How many examples the LLM was asked about (all for llm; the unsure ones for rules+llm). */
  llmCalls: number;
  /** Entities the dataset expects, read by this path (not scored for the LLM alone, whose entities are grounded by the rules' extractors in production). */
  entities?: EntityField[];
  /** The wrong answers, for reading: which text became which intent. */
  errors: Array<{ id: string; text: string; expected: string; predicted: string }>;
}

export function loadCatalog(path = DEFAULT_CATALOG): Catalog {
  return JSON.parse(readFileSync(path, 'utf8')) as Catalog;
}

export function contextOf(example: Example, catalog: Catalog): UnderstandingContext {
  return {
    chatType: example.chatType,
    now: EVAL_NOW,
    timeZone: EVAL_TIME_ZONE,
    catalog,
    ...(example.pendingSlots ? { pendingSlots: example.pendingSlots } : {}),
    ...(example.hasPendingAction ? { hasPendingAction: true } : {}),
    ...(example.chatType === 'DEDICATED' ? { businessCategory: example.businessCategory ?? 'restaurant' } : {}),
  };
}

export function intentContextOf(example: Example): IntentContext {
  return {
    chatType: example.chatType,
    ...(example.pendingSlots ? { pendingSlots: example.pendingSlots } : {}),
    ...(example.hasPendingAction ? { hasPendingAction: true } : {}),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Whether one expected entity was read: the same value, or the same set of names. */
export function entityMatches(field: keyof ExpectedEntities, expected: ExpectedEntities, got: Entities): boolean {
  switch (field) {
    case 'partySize': return got.partySize === expected.partySize;
    case 'date': return got.dateTime?.date === expected.date;
    case 'time': return got.dateTime?.time === expected.time;
    case 'categories': return sameSet(got.categories, expected.categories ?? []);
    case 'businessNames': return sameSet(got.businessNames, expected.businessNames ?? []);
  }
}

const FIELDS: ReadonlyArray<keyof ExpectedEntities> = ['partySize', 'date', 'time', 'categories', 'businessNames'];

function scoreEntities(rows: Array<{ example: Example; entities: Entities }>): EntityField[] {
  return FIELDS.map((field) => {
    const scored = rows.filter((r) => r.example.entities?.[field] !== undefined);
    const correct = scored.filter((r) => entityMatches(field, r.example.entities!, r.entities)).length;
    return { field, expected: scored.length, correct, accuracy: scored.length === 0 ? 0 : correct / scored.length };
  });
}

function report(classifier: Classifier, rows: Array<{ example: Example; predicted: string; ms: number; entities?: Entities }>, llmCalls: number): ClassifierReport {
  const predictions: Prediction[] = rows.map((r) => ({ expected: r.example.intent, predicted: r.predicted }));
  const withEntities = rows.filter((r): r is typeof r & { entities: Entities } => r.entities !== undefined);
  const ms = rows.map((r) => r.ms);
  return {
    classifier,
    scores: scoreIntents(predictions),
    latencyMs: { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)) },
    llmCalls,
    ...(withEntities.length === rows.length ? { entities: scoreEntities(withEntities) } : {}),
    errors: rows.filter((r) => r.predicted !== r.example.intent)
      .map((r) => ({ id: r.example.id, text: r.example.text, expected: r.example.intent, predicted: r.predicted })),
  };
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

export function evaluateRules(examples: readonly Example[], catalog: Catalog): ClassifierReport {
  const rows = examples.map((example) => {
    const start = performance.now();
    const u = understand(example.text, contextOf(example, catalog));
    return { example, predicted: u.intent, ms: performance.now() - start, entities: u.entities };
  });
  return report('rules', rows, 0);
}

/**
 * The LLM's intent for one example, as production would take it: an answer outside
 * the schema is "unknown"; an LLM that cannot be asked stops the evaluation (a
 * figure with outages counted as wrong answers would measure the network).
 */
export async function askModel(llm: LlmClient, example: Example): Promise<string> {
  try {
    return (await llm.classify(example.text, intentContextOf(example))).intent;
  } catch (error) {
    if (error instanceof LlmBadAnswerError) return 'unknown';
    throw error;
  }
}

/** Runs `task` over the items, `limit` at a time, results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// No more in flight than the client lets through: a request never waits in its
// queue, so its latency is the server's answer time, not the queue's.
export async function evaluateLlm(examples: readonly Example[], llm: LlmClient, concurrency: number): Promise<ClassifierReport> {
  const rows = await mapLimited(examples, concurrency, async (example) => {
    const start = performance.now();
    const predicted = await askModel(llm, example);
    return { example, predicted, ms: performance.now() - start };
  });
  return report('llm', rows, rows.length);
}

export async function evaluateRulesThenLlm(examples: readonly Example[], llm: LlmClient, catalog: Catalog, concurrency: number): Promise<ClassifierReport> {
  const rows = await mapLimited(examples, concurrency, async (example) => {
    const start = performance.now();
    const u = await understandWith(llm, example.text, contextOf(example, catalog));
    return { example, predicted: u.intent, ms: performance.now() - start, entities: u.entities, asked: u.source === 'llm' };
  });
  return report('rules+llm', rows, rows.filter((r) => r.asked).length);
}
