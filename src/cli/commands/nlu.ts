// `x7 nlu eval` and `x7 nlu compile`: how well the understanding reads the labeled
// utterances of nlu/dataset.jsonl, and the LLM prompt's few-shot demos chosen on them.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../config.js';
import { compilePrompt } from '../../nlu/compile.js';
import { DEFAULT_CATALOG, DEFAULT_DATASET, EVAL_NOW, EVAL_TIME_ZONE, loadDataset, SPLITS, type Split } from '../../nlu/dataset.js';
import { type ClassifierReport, evaluateLlm, evaluateRules, evaluateRulesThenLlm, loadCatalog } from '../../nlu/evaluate.js';
import { formatReport } from '../../nlu/format.js';
import { createLlmClient, llmSettingsFromConfig, type LlmSettings } from '../../understanding/llm.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { print, progress } from '../io.js';

const EVAL_OPTIONS = {
  split: { type: 'string' },
  json: { type: 'boolean' },
  'with-llm': { type: 'boolean' },
  dataset: { type: 'string' },
  catalog: { type: 'string' },
} as const;

function splitArg(value: string | undefined): Split | 'all' {
  const split = value ?? 'test';
  if (split !== 'all' && !(SPLITS as readonly string[]).includes(split)) throw new UsageError(`--split must be train, dev, test or all (got ${JSON.stringify(split)})`);
  return split as Split | 'all';
}

function configuredLlm(required: boolean): LlmSettings | null {
  const settings = llmSettingsFromConfig(loadConfig());
  if (!settings && required) throw new UsageError('no LLM configured: set X7_LLM_BASE_URL and X7_LLM_MODEL (any OpenAI-compatible endpoint)');
  return settings;
}

export const nluEvalCommand: Command = {
  help: [
    'usage: x7 nlu eval [--split train|dev|test|all] [--json] [--with-llm] [--dataset FILE] [--catalog FILE]',
    '',
    'Classifies the labeled utterances of nlu/dataset.jsonl (split by a stable hash, 60/20/20)',
    'and prints accuracy, macro-F1, latency p50/p95 and, per intent, precision, recall, F1 and',
    'what its misses were read as. Always for the rules; when an LLM is configured',
    '(X7_LLM_BASE_URL and X7_LLM_MODEL, with X7_LLM_PROMPT_FILE if set) also for the LLM alone',
    'and for rules + LLM, the production path. Dates are relative to 2026-06-03 11:00 Lisbon.',
    '',
    'options:',
    '  --split S     which examples (default test)',
    '  --json        one JSON object instead of text',
    '  --with-llm    fail unless an LLM is configured',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof EVAL_OPTIONS; allowPositionals: false }>(args, { options: EVAL_OPTIONS, allowPositionals: false });
    const split = splitArg(values.split);
    const datasetPath = values.dataset ?? DEFAULT_DATASET;
    const all = loadDataset(datasetPath);
    const examples = split === 'all' ? all : all.filter((e) => e.split === split);
    const catalog = loadCatalog(values.catalog ?? DEFAULT_CATALOG);
    const settings = configuredLlm(values['with-llm'] === true);

    const reports: ClassifierReport[] = [evaluateRules(examples, catalog)];
    if (settings) {
      const llm = createLlmClient(settings);
      progress(`asking ${settings.model} at ${settings.baseUrl} about ${examples.length} examples${settings.demos ? ` (${settings.demos.length} demos)` : ''}`);
      reports.push(await evaluateLlm(examples, llm, settings.maxConcurrency));
      reports.push(await evaluateRulesThenLlm(examples, llm, catalog, settings.maxConcurrency));
    }
    const byChatType = Object.fromEntries(['DEDICATED', 'DASHBOARD', 'GLOBAL'].map((c) => [c, examples.filter((e) => e.chatType === c).length]));
    if (values.json) {
      print(JSON.stringify({
        dataset: datasetPath, split, n: examples.length, byChatType, now: EVAL_NOW.toISOString(), timeZone: EVAL_TIME_ZONE,
        llm: settings ? { model: settings.model, baseUrl: settings.baseUrl, demos: settings.demos?.length ?? 0, belowConfidence: settings.belowConfidence } : null,
        classifiers: reports,
      }));
      return 0;
    }
    print(`${examples.length} examples (${split}): ${Object.entries(byChatType).map(([c, n]) => `${c} ${n}`).join(', ')}`);
    if (!settings) print('no LLM configured (X7_LLM_BASE_URL, X7_LLM_MODEL): rules only');
    for (const r of reports) {
      print('');
      for (const line of formatReport(r)) print(line);
    }
    return 0;
  },
};

const COMPILE_OPTIONS = {
  out: { type: 'string' },
  demos: { type: 'string' },
  candidates: { type: 'string' },
  dataset: { type: 'string' },
} as const;

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number (got ${JSON.stringify(value)})`);
  return n;
}

/** nlu/prompt.v<N+1>.json after the highest version there: a compile never overwrites a prompt something may run. */
function nextPromptPath(dir: string): { path: string; version: number } {
  const versions = existsSync(dir) ? readdirSync(dir).map((f) => /^prompt\.v(\d+)\.json$/.exec(f)?.[1]).filter((v): v is string => v !== undefined).map(Number) : [];
  const version = Math.max(0, ...versions) + 1;
  return { path: join(dir, `prompt.v${version}.json`), version };
}

export const nluCompileCommand: Command = {
  help: [
    'usage: x7 nlu compile [--out FILE] [--demos N] [--candidates N] [--dataset FILE]',
    '',
    'Chooses few-shot demonstrations for the LLM classifier (DSPy\'s BootstrapFewShot): asks the',
    'configured model about the train split, keeps the examples it gets right as candidate demos,',
    'scores a few demo sets (and none) by the LLM\'s accuracy on the dev split, and writes the best',
    'as a versioned prompt file (default: the next nlu/prompt.vN.json beside the dataset). Point',
    'X7_LLM_PROMPT_FILE at it to use it. Needs X7_LLM_BASE_URL and X7_LLM_MODEL.',
    '',
    'options:',
    '  --demos N        demos per chat type in a set (default 6)',
    '  --candidates N   demo sets to score on dev (default 4)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof COMPILE_OPTIONS; allowPositionals: false }>(args, { options: COMPILE_OPTIONS, allowPositionals: false });
    const settings = configuredLlm(true)!;
    const datasetPath = values.dataset ?? DEFAULT_DATASET;
    const examples = loadDataset(datasetPath);
    const target = values.out
      ? { path: values.out, version: Number(/\.v(\d+)\.json$/.exec(values.out)?.[1] ?? 1) }
      : nextPromptPath(dirname(datasetPath));
    const prompt = await compilePrompt(settings, examples.filter((e) => e.split === 'train'), examples.filter((e) => e.split === 'dev'), {
      demosPerChatType: wholeNumber('demos', values.demos, 6),
      candidates: wholeNumber('candidates', values.candidates, 4),
      concurrency: settings.maxConcurrency,
      version: target.version,
      onProgress: progress,
    });
    writeFileSync(target.path, `${JSON.stringify(prompt, null, 2)}\n`);
    print(`${target.path}: ${prompt.demos.length} demos, dev accuracy ${prompt.selection.chosen.toFixed(3)} (without demos ${prompt.selection.baseline.toFixed(3)})`);
    return 0;
  },
};
