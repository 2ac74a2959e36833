// `x7 nlu compile`: DSPy's BootstrapFewShot for the LLM classifier's prompt.
//  1. bootstrap: ask the model (prompt without demos) about every train example it
//     may answer; the ones it gets right, with its own answer, are the candidate demos
//     (a demo the model produced itself is in the form and voice it can follow);
//  2. candidates: a few demo sets drawn from them, each covering as many intents per
//     chat type as it can (round-robin over intents, order from a seeded shuffle, so
//     the same dataset and answers give the same sets);
//  3. select: score each set, and no demos at all, by the LLM's accuracy on dev; keep
//     the best (ties go to the earlier, the baseline first: a demo must earn its tokens).
// Only train examples become demos; dev only chooses; test is never read.
import type { LlmClient, LlmSettings } from '../understanding/llm.js';
import { createLlmClient } from '../understanding/llm.js';
import { modelIntents } from '../understanding/llm-answer.js';
import type { Demo, PromptFile } from '../understanding/llm-prompt.js';
import { type Example, stableHash } from './dataset.js';
import { askModel, intentContextOf, mapLimited } from './evaluate.js';

export interface CompileOptions {
  /** Demos per chat type in one candidate set. */
  demosPerChatType: number;
  /** Candidate demo sets scored on dev (besides the baseline without demos). */
  candidates: number;
  /** Requests in flight at once. */
  concurrency: number;
  version: number;
  onProgress?: (line: string) => void;
}

/** A deterministic shuffle (xorshift seeded from a string): the same seed, the same order, on any machine. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  let state = stableHash(seed) || 1;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 0x100000000;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One demo set: per chat type, up to `perChatType` demos, one intent at a time so few demos cover many intents. */
export function candidateSet(pool: readonly Demo[], perChatType: number, seed: string): Demo[] {
  const set: Demo[] = [];
  for (const chatType of ['DEDICATED', 'DASHBOARD', 'GLOBAL'] as const) {
    const byIntent = new Map<string, Demo[]>();
    for (const demo of shuffled(pool.filter((d) => d.chatType === chatType), `${seed}:${chatType}`)) {
      byIntent.set(demo.answer.intent, [...(byIntent.get(demo.answer.intent) ?? []), demo]);
    }
    const queues = shuffled([...byIntent.keys()].sort(), `${seed}:${chatType}:intents`).map((k) => byIntent.get(k)!);
    let taken = 0;
    while (taken < perChatType && queues.some((q) => q.length > 0)) {
      for (const q of queues) {
        const demo = q.shift();
        if (!demo || taken >= perChatType) continue;
        set.push(demo);
        taken++;
      }
    }
  }
  return set;
}

async function devAccuracy(llm: LlmClient, dev: readonly Example[], concurrency: number): Promise<number> {
  const answers = await mapLimited(dev, concurrency, (example) => askModel(llm, example));
  return answers.filter((a, i) => a === dev[i]!.intent).length / Math.max(1, dev.length);
}

export async function compilePrompt(settings: LlmSettings, train: readonly Example[], dev: readonly Example[], options: CompileOptions): Promise<PromptFile> {
  const say = options.onProgress ?? (() => {});
  const plain = createLlmClient({ ...settings, demos: [] });
  // The model may never answer `confirm` (llm-answer.ts): those examples cannot be demos.
  const askable = train.filter((e) => modelIntents(intentContextOf(e)).includes(e.intent));
  say(`bootstrapping: asking ${settings.model} about ${askable.length} train examples`);
  const answers = await mapLimited(askable, options.concurrency, async (example) => {
    try {
      return await plain.classify(example.text, intentContextOf(example));
    } catch (error) {
      if (error instanceof Error && error.name === 'LlmBadAnswerError') return null;
      throw error;
    }
  });
  const pool: Demo[] = [];
  askable.forEach((example, i) => {
    const answer = answers[i];
    if (!answer || answer.intent !== example.intent) return;
    pool.push({
      chatType: example.chatType,
      text: example.text,
      ...(example.pendingSlots ? { pendingSlots: example.pendingSlots } : {}),
      ...(example.hasPendingAction ? { hasPendingAction: true } : {}),
      answer,
    });
  });
  say(`${pool.length} of ${askable.length} answered right: the candidate demos`);

  const baseline = await devAccuracy(plain, dev, options.concurrency);
  say(`dev accuracy without demos: ${baseline.toFixed(3)}`);
  let best = { demos: [] as Demo[], accuracy: baseline };
  for (let c = 0; c < options.candidates && pool.length > 0; c++) {
    const demos = candidateSet(pool, options.demosPerChatType, `candidate-${c}`);
    const accuracy = await devAccuracy(createLlmClient({ ...settings, demos }), dev, options.concurrency);
    say(`candidate ${c + 1}: ${demos.length} demos, dev accuracy ${accuracy.toFixed(3)}`);
    if (accuracy > best.accuracy) best = { demos, accuracy };
  }
  return {
    format: 'x7-prompt',
    version: options.version,
    model: settings.model,
    demos: best.demos,
    selection: {
      metric: 'dev accuracy (llm alone)',
      baseline,
      chosen: best.accuracy,
      candidates: options.candidates,
      trainCorrect: pool.length,
      trainAsked: askable.length,
    },
  };
}
