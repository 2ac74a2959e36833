// A compiled prompt: few-shot demonstrations chosen by `x7 nlu compile` (src/nlu/compile.ts)
// and loaded by the classifier (./llm.ts) when X7_LLM_PROMPT_FILE points at the file.
// Versioned (`nlu/prompt.v1.json`, …) so a deployment names the prompt it runs, and a
// new compile never silently changes a running one.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ChatType } from '../events.js';
import type { IntentContext } from './intents.js';
import type { ModelAnswer } from './llm-answer.js';

export interface Demo {
  chatType: ChatType;
  text: string;
  pendingSlots?: string[];
  hasPendingAction?: boolean;
  /** What the model answered for this train example, and was right. */
  answer: ModelAnswer;
}

export interface PromptFile {
  format: 'x7-prompt';
  version: number;
  /** The model the demos were bootstrapped from and scored with. */
  model: string;
  demos: Demo[];
  /** How it was chosen: accuracy of the LLM alone on the dev split, without demos and with these. */
  selection: { metric: 'dev accuracy (llm alone)'; baseline: number; chosen: number; candidates: number; trainCorrect: number; trainAsked: number };
}

const demoSchema = z.object({
  chatType: z.enum(['DEDICATED', 'DASHBOARD', 'GLOBAL']),
  text: z.string().min(1),
  pendingSlots: z.array(z.string()).optional(),
  hasPendingAction: z.boolean().optional(),
  // Checked against the request's schema when used: the answer's intent must be one offered there.
  answer: z.object({ intent: z.string(), confidence: z.number(), entities: z.record(z.string(), z.unknown()) }).passthrough(),
});
const promptSchema = z.object({ format: z.literal('x7-prompt'), version: z.number().int().min(1), model: z.string(), demos: z.array(demoSchema) }).passthrough();

/** The prompt file at `path`; a file that is not one is an error at start-up, not a prompt quietly without demos. */
export function loadPromptFile(path: string): PromptFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`X7_LLM_PROMPT_FILE ${path}: ${(error as Error).message}`);
  }
  const parsed = promptSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`X7_LLM_PROMPT_FILE ${path}: not an x7 prompt file (${parsed.error.issues[0]?.message})`);
  return parsed.data as unknown as PromptFile;
}

/**
 * The demos shown for one message: those of its chat type whose answer names an
 * intent offered here (a demo answering `provide_details` would contradict the
 * schema of a message with nothing pending).
 */
export function demosFor(demos: readonly Demo[], context: IntentContext, offered: readonly string[]): Demo[] {
  return demos.filter((d) => d.chatType === context.chatType && offered.includes(d.answer.intent));
}
