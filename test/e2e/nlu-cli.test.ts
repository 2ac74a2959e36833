// `x7 nlu eval` and `x7 nlu compile` as a user runs them: the printed figures match a
// recomputation from the dataset, and compile picks its demos from the train split
// only, talking to the deterministic LLM stand-in (test/support), not a model.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVAL_NOW, EVAL_TIME_ZONE, loadDataset } from '../../src/nlu/dataset.js';
import { understand } from '../../src/understanding/index.js';
import { projectPath } from '../../src/paths.js';
import { runX7 } from '../support/cli.js';
import { type LlmStandIn, standInAnswer, startLlmStandIn } from '../support/deterministic-llm-stand-in.js';

const NO_LLM = { X7_LLM_BASE_URL: '', X7_LLM_MODEL: '', X7_LLM_PROMPT_FILE: '' };
const dataset = loadDataset();
const catalog = JSON.parse(readFileSync(projectPath('nlu/catalog.json'), 'utf8'));

describe('x7 nlu eval', () => {
  it('prints the rules\' figures on dev, equal to a recomputation from the dataset', async () => {
    const result = await runX7(['nlu', 'eval', '--split', 'dev', '--json'], NO_LLM);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    const dev = dataset.filter((e) => e.split === 'dev');
    expect(out).toMatchObject({ split: 'dev', n: dev.length, llm: null });
    expect(out.classifiers.map((c: { classifier: string }) => c.classifier)).toEqual(['rules']);

    // The rules run here, in the test, on the same examples.
    const predicted = dev.map((e) => understand(e.text, {
      chatType: e.chatType, now: EVAL_NOW, timeZone: EVAL_TIME_ZONE, catalog,
      ...(e.pendingSlots ? { pendingSlots: e.pendingSlots } : {}),
      ...(e.hasPendingAction ? { hasPendingAction: true } : {}),
      ...(e.chatType === 'DEDICATED' ? { businessCategory: e.businessCategory ?? 'restaurant' } : {}),
    }).intent);
    const correct = predicted.filter((intent, i) => intent === dev[i]!.intent).length;
    const labels = [...new Set([...dev.map((e) => e.intent), ...predicted])];
    const f1s = labels.map((label) => {
      const tp = predicted.filter((intent, i) => intent === label && dev[i]!.intent === label).length;
      const precision = tp / Math.max(1, predicted.filter((intent) => intent === label).length);
      const recall = tp / Math.max(1, dev.filter((e) => e.intent === label).length);
      return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    });
    const rules = out.classifiers[0];
    expect(rules.scores.correct).toBe(correct);
    expect(rules.scores.accuracy).toBeCloseTo(correct / dev.length, 10);
    expect(rules.scores.macroF1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / labels.length, 10);
    expect(rules.errors).toHaveLength(dev.length - correct);
    expect(rules.latencyMs.p95).toBeGreaterThanOrEqual(rules.latencyMs.p50);
    // The confusion table accounts for every example once.
    const cells = Object.values(rules.scores.confusion as Record<string, Record<string, number>>).flatMap((row) => Object.values(row));
    expect(cells.reduce((a, b) => a + b, 0)).toBe(dev.length);
  });

  it('refuses --with-llm when no LLM is configured', async () => {
    const result = await runX7(['nlu', 'eval', '--with-llm'], NO_LLM);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no LLM configured/);
  });
});

describe('x7 nlu compile', () => {
  let llm: LlmStandIn;
  const train = dataset.filter((e) => e.split === 'train');
  // The stand-in is right about every other train example (only those can become demos), and
  // about dev examples only when the prompt carries demos: then a demo set beats none on dev.
  // (Off the table it answers "unknown", which is right for the examples labeled so.)
  const rightOnTrain = new Set(train.filter((e, i) => i % 2 === 0 || e.intent === 'unknown').map((e) => e.text));
  const devIntents = new Map(dataset.filter((e) => e.split === 'dev').map((e) => [e.text, e.intent]));
  beforeAll(async () => {
    llm = await startLlmStandIn({
      rule: ({ text, body }) => {
        const intent = devIntents.get(text);
        const hasDemos = body.messages?.some((m) => m.role === 'assistant') ?? false;
        return intent && hasDemos ? { answer: standInAnswer(intent, 0.9) } : undefined;
      },
    });
    for (const e of train) {
      if (rightOnTrain.has(e.text)) llm.answers.set(e.text, { answer: standInAnswer(e.intent, 0.9) });
    }
  });
  afterAll(async () => { await llm.stop(); });

  it('writes a prompt file whose demos are train examples the model got right, and the classifier sends them', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'x7-nlu-')), 'prompt.v1.json');
    const env = { X7_LLM_BASE_URL: llm.url, X7_LLM_MODEL: llm.model, X7_LLM_PROMPT_FILE: '' };
    const result = await runX7(['nlu', 'compile', '--out', out, '--demos', '3', '--candidates', '2'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(out);

    const prompt = JSON.parse(readFileSync(out, 'utf8'));
    expect(prompt).toMatchObject({ format: 'x7-prompt', version: 1, model: llm.model });
    expect(prompt.selection.chosen).toBeGreaterThan(prompt.selection.baseline);
    expect(prompt.demos.length).toBeGreaterThan(0);
    expect(prompt.demos.length).toBeLessThanOrEqual(9);
    const notTrain = new Set(dataset.filter((e) => e.split !== 'train').map((e) => e.text));
    for (const demo of prompt.demos) {
      expect(rightOnTrain.has(demo.text), demo.text).toBe(true);
      expect(notTrain.has(demo.text)).toBe(false);
    }
    // No test example was ever shown to the model.
    const testTexts = new Set(dataset.filter((e) => e.split === 'test').map((e) => e.text));
    expect(llm.requests.filter((r) => testTexts.has(r.text))).toEqual([]);

    // With X7_LLM_PROMPT_FILE set, the classifier puts the demos before the message it asks about.
    llm.requests.length = 0;
    const evaluated = await runX7(['nlu', 'eval', '--split', 'dev', '--json', '--with-llm'], { ...env, X7_LLM_PROMPT_FILE: out });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).classifiers.map((c: { classifier: string }) => c.classifier)).toEqual(['rules', 'llm', 'rules+llm']);
    const withDemos = llm.requests.find((r) => r.body.messages!.some((m) => m.role === 'assistant'));
    expect(withDemos).toBeDefined();
    const demoTexts = withDemos!.body.messages!.filter((m, i, all) => m.role === 'user' && i < all.length - 1).map((m) => m.content);
    expect(demoTexts.every((t) => rightOnTrain.has(t))).toBe(true);
  });
});
