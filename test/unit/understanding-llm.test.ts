// The LLM client and understandWith against the deterministic stand-in
// (test/support/deterministic-llm-stand-in.ts): a local HTTP server that speaks the
// OpenAI chat-completions shape and answers from a table. No network, no model.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { classifyFailure, isDependencyFailure } from '../../src/pipeline/errors.js';
import { understand, understandWith } from '../../src/understanding/index.js';
import {
  createLlmClient, LlmBadAnswerError, type LlmResult, type LlmSettings, llmSettingsFromConfig, LlmUnavailableError, parseIntentAnswer,
} from '../../src/understanding/llm.js';
import { startLlmStandIn, standInAnswer, type LlmStandIn } from '../support/deterministic-llm-stand-in.js';

let standIn: LlmStandIn;

beforeAll(async () => {
  standIn = await startLlmStandIn({ model: 'test-model' });
});

afterAll(async () => {
  await standIn.stop();
});

beforeEach(async () => {
  await standIn.start();
  standIn.requests.length = 0;
  standIn.answers.clear();
});

const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({
  baseUrl: standIn.url, apiKey: 'sk-test', model: 'test-model', timeoutMs: 2_000, maxConcurrency: 4, belowConfidence: 0.5, ...over,
});
const BOOK = standInAnswer('book', 0.9, { partySize: 4 });

describe('the LLM client', () => {
  it('POSTs a chat completion constrained to a JSON schema of the intents offered here, and returns the checked answer', async () => {
    standIn.answers.set('could we squeeze in me and three mates?', { answer: BOOK });
    const answer = await createLlmClient(settings()).classify('could we squeeze in me and three mates?', { chatType: 'DEDICATED' });
    expect(answer).toEqual(BOOK);
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request!.headers.authorization).toBe('Bearer sk-test');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toMatchObject({ model: 'test-model', temperature: 0, response_format: { type: 'json_schema', json_schema: { name: 'x7_understanding', strict: true } } });
    const schema = request!.body.response_format!.json_schema!.schema as { properties: { intent: { enum: string[] } } };
    expect(schema.properties.intent.enum).toEqual(expect.arrayContaining(['greeting', 'book', 'menu_or_services', 'faq', 'hours', 'unknown']));
    // Not offered without pending slots or a pending action, nor from other chat types.
    for (const intent of ['provide_details', 'confirm', 'reject', 'compare', 'set_hours']) expect(schema.properties.intent.enum).not.toContain(intent);
    const [system, user] = request!.body.messages!;
    expect(user).toEqual({ role: 'user', content: 'could we squeeze in me and three mates?' });
    expect(system!.role).toBe('system');
    expect(system!.content).toContain('- book:');
    expect(system!.content).not.toContain('- confirm:');
  });

  it('tells the model about pending slots and actions, and sends no Authorization without a key', async () => {
    standIn.answers.set('Maria', { answer: standInAnswer('provide_details', 0.8) });
    const llm = createLlmClient(settings({ apiKey: null }));
    await expect(llm.classify('Maria', { chatType: 'DEDICATED', pendingSlots: ['name'], hasPendingAction: true })).resolves.toMatchObject({ intent: 'provide_details' });
    const [request] = standIn.requests;
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.body.messages![0]!.content).toContain('still needs: name');
    expect(request!.body.messages![0]!.content).toContain('waiting for the user to confirm or reject');
    const schema = request!.body.response_format!.json_schema!.schema as { properties: { intent: { enum: string[] } } };
    expect(schema.properties.intent.enum).toEqual(expect.arrayContaining(['provide_details', 'reject']));
    expect(schema.properties.intent.enum).not.toContain('confirm');
  });

  it.each([
    ['an intent outside the list', JSON.stringify(standInAnswer('order_pizza', 0.9)), /intent/],
    ['confirm, which the model may not say', JSON.stringify(standInAnswer('confirm', 0.99)), /intent/],
    ['prose instead of JSON', 'The intent is book.', /not JSON/],
    ['a party size in words', JSON.stringify(standInAnswer('book', 0.9, { partySize: 'four' as never })), /partySize/],
  ])('rejects %s (LlmBadAnswerError), which is not a dependency failure', async (_name, content, reason) => {
    standIn.answers.set('hmm', { content });
    const results: LlmResult[] = [];
    const llm = createLlmClient(settings(), { onResult: (r) => results.push(r) });
    const error = await llm.classify('hmm', { chatType: 'DEDICATED' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmBadAnswerError);
    expect((error as Error).message).toMatch(reason);
    expect((error as LlmBadAnswerError).answer).toBe(content);
    expect(isDependencyFailure(error)).toBe(false);
    expect(results).toEqual(['rejected']);
    // The server answered: readiness has nothing to say about it.
    expect(llm.lastFailure()).toBeNull();
  });

  it('rejects a refusal, and calls a body that is not a chat completion a failing server', () => {
    expect(() => parseIntentAnswer({ choices: [{ message: { content: null, refusal: 'I cannot help with that.' } }] }, { chatType: 'GLOBAL' }))
      .toThrow(LlmBadAnswerError);
    const error = (() => { try { parseIntentAnswer({ error: null }, { chatType: 'GLOBAL' }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(classifyFailure(error)).toEqual({ retriable: true, dependency: 'llm' });
  });

  it.each([429, 500, 503, 401])('HTTP %i is a dependency failure (LlmUnavailableError), remembered until an answer comes', async (status) => {
    standIn.answers.set('hi there', { status });
    const results: LlmResult[] = [];
    const llm = createLlmClient(settings(), { onResult: (r) => results.push(r) });
    const error = await llm.classify('hi there', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toContain(`HTTP ${status}`);
    expect((error as Error).message).not.toContain('sk-test');
    expect(classifyFailure(error)).toEqual({ retriable: true, dependency: 'llm' });
    expect(llm.lastFailure()).toMatch(`HTTP ${status}`);
    standIn.answers.set('hi there', { answer: standInAnswer('greeting', 0.9) });
    await expect(llm.classify('hi there', { chatType: 'GLOBAL' })).resolves.toMatchObject({ intent: 'greeting' });
    expect(llm.lastFailure()).toBeNull();
    expect(results).toEqual(['unavailable', 'answered']);
  });

  it('a stopped server refuses the connection: a dependency failure until it is back', async () => {
    const llm = createLlmClient(settings());
    await standIn.stop();
    const error = await llm.classify('anything', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    // ECONNREFUSED, or UND_ERR_SOCKET when fetch had a kept-alive connection the stop closed.
    expect((error as Error).message).toMatch(/request failed: (?:ECONNREFUSED|UND_ERR_SOCKET)/);
    expect(isDependencyFailure(error)).toBe(true);
    await standIn.start();
    await expect(llm.classify('anything', { chatType: 'GLOBAL' })).resolves.toMatchObject({ intent: 'unknown' });
  });

  it('X7_LLM_TIMEOUT_MS bounds one request: a late answer is a failure under a short timeout and an answer under a long one', async () => {
    standIn.answers.set('slow one', { answer: standInAnswer('search', 0.8), delayMs: 400 });
    const client = (timeout: string) => createLlmClient(llmSettingsFromConfig(loadConfig({ X7_LLM_BASE_URL: standIn.url, X7_LLM_MODEL: 'test-model', X7_LLM_TIMEOUT_MS: timeout }))!);
    const error = await client('100').classify('slow one', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toMatch(/no answer within 100 ms/);
    await expect(client('5000').classify('slow one', { chatType: 'GLOBAL' })).resolves.toMatchObject({ intent: 'search' });
  });

  it('X7_LLM_MAX_CONCURRENCY caps the requests in flight; the rest wait and are all answered', async () => {
    const inFlightWith = async (cap: string) => {
      const own = await startLlmStandIn();
      try {
        for (let i = 0; i < 6; i++) own.answers.set(`q${i}`, { answer: standInAnswer('search', 0.8), delayMs: 150 });
        const llm = createLlmClient(llmSettingsFromConfig(loadConfig({ X7_LLM_BASE_URL: own.url, X7_LLM_MODEL: 'm', X7_LLM_MAX_CONCURRENCY: cap }))!);
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => llm.classify(`q${i}`, { chatType: 'GLOBAL' })));
        expect(answers.map((a) => a.intent)).toEqual(Array(6).fill('search'));
        expect(own.requests).toHaveLength(6);
        return own.maxInFlight;
      } finally {
        await own.stop();
      }
    };
    expect(await inFlightWith('1')).toBe(1);
    expect(await inFlightWith('3')).toBe(3);
  });
});

describe('understandWith: the rules first, the LLM when they are unsure', () => {
  const context = { chatType: 'DEDICATED' as const, now: new Date('2026-11-25T15:00:00Z'), timeZone: 'Europe/Lisbon', businessCategory: 'restaurant' };

  it('leaves a message the rules are sure of to them: the model is not asked', async () => {
    const u = await understandWith(createLlmClient(settings()), "what's on the menu?", context);
    expect(u).toEqual(understand("what's on the menu?", context));
    expect(u.source).toBe('rules');
    expect(standIn.requests).toHaveLength(0);
  });

  it('uses the model\'s intent and fills the entities the rules missed, typed by the rules\' extractors', async () => {
    standIn.answers.set('could we squeeze in me and three mates tomorrow?', { answer: standInAnswer('book', 0.87, { partySize: 4, when: 'tomorrow at 8' }) });
    const u = await understandWith(createLlmClient(settings()), 'could we squeeze in me and three mates tomorrow?', context);
    expect(u).toMatchObject({ intent: 'book', confidence: 0.87, source: 'llm', matched: [], entities: { partySize: 4 } });
    // The rules read "tomorrow" themselves and keep it (a date only); the model's "at 8" does not override them.
    expect(u.entities.dateTime).toMatchObject({ iso: '2026-11-26T00:00:00+00:00', precision: 'date' });
    expect(u.reasons[0]).toBe('intent book (0.87, llm test-model)');
    expect(u.reasons).toContain('partySize 4 (llm)');
    expect(u.reasons.at(-1)).toBe('rules unsure (below 0.5): unknown (0)');
    expect(u.rejectedAnswer).toBeUndefined();
  });

  it('X7_LLM_BELOW_CONFIDENCE decides what is unsure: "availability on friday" (rules: book 0.54) goes to the model only above 0.54', async () => {
    standIn.answers.set('do you have availability on friday?', { answer: standInAnswer('hours', 0.6) });
    const withThreshold = (below: string) => createLlmClient(llmSettingsFromConfig(loadConfig({ X7_LLM_BASE_URL: standIn.url, X7_LLM_MODEL: 'm', X7_LLM_BELOW_CONFIDENCE: below }))!);
    await expect(understandWith(withThreshold('0.5'), 'do you have availability on friday?', context)).resolves.toMatchObject({ intent: 'book', source: 'rules' });
    expect(standIn.requests).toHaveLength(0);
    await expect(understandWith(withThreshold('0.6'), 'do you have availability on friday?', context)).resolves.toMatchObject({ intent: 'hours', source: 'llm' });
    expect(standIn.requests).toHaveLength(1);
  });

  it('understands an answer outside the schema as unknown, says why, and keeps only the rules\' entities', async () => {
    standIn.answers.set('is the octopus any good here at 9', { content: '{"intent":"order_food","confidence":0.9}' });
    const u = await understandWith(createLlmClient(settings()), 'is the octopus any good here at 9', context);
    expect(u).toMatchObject({ intent: 'unknown', confidence: 0, source: 'llm', rejectedAnswer: { answer: '{"intent":"order_food","confidence":0.9}' } });
    expect(u.rejectedAnswer!.reason).toMatch(/outside the schema: intent/);
    expect(u.entities).toEqual(understand('is the octopus any good here at 9', context).entities);
  });

  it('lets an unavailable model fail the message (a dependency failure), never the rules\' guess', async () => {
    standIn.answers.set('hmm, something for two maybe', { status: 502 });
    const error = await understandWith(createLlmClient(settings()), 'hmm, something for two maybe', context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(isDependencyFailure(error)).toBe(true);
  });
});

describe('LLM configuration', () => {
  it('is off by default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ llmBaseUrl: null, llmApiKey: null, llmModel: null, llmTimeoutMs: 10_000, llmMaxConcurrency: 4, llmBelowConfidence: 0.5 });
    expect(llmSettingsFromConfig(config)).toBeNull();
  });

  it('is on with a base URL and a model', () => {
    const config = loadConfig({
      X7_LLM_BASE_URL: 'http://127.0.0.1:11434/v1/', X7_LLM_MODEL: 'llama3', X7_LLM_TIMEOUT_MS: '3000', X7_LLM_MAX_CONCURRENCY: '2', X7_LLM_BELOW_CONFIDENCE: '0.75',
    });
    expect(llmSettingsFromConfig(config)).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1', apiKey: null, model: 'llama3', timeoutMs: 3000, maxConcurrency: 2, belowConfidence: 0.75,
    });
  });

  it('names a half-done or bad LLM configuration', () => {
    expect(() => loadConfig({ X7_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(/X7_LLM_BASE_URL and X7_LLM_MODEL go together/);
    expect(() => loadConfig({ X7_LLM_MODEL: 'llama3' })).toThrow(ConfigError);
    expect(() => loadConfig({ X7_LLM_BASE_URL: 'ftp://x', X7_LLM_MODEL: 'm' })).toThrow(/X7_LLM_BASE_URL/);
    expect(() => loadConfig({ X7_LLM_TIMEOUT_MS: '5' })).toThrow(/X7_LLM_TIMEOUT_MS/);
    expect(() => loadConfig({ X7_LLM_MAX_CONCURRENCY: '0' })).toThrow(/X7_LLM_MAX_CONCURRENCY="0" is not valid/);
    for (const bad of ['1.5', '-0.1', 'half', '50%']) {
      expect(() => loadConfig({ X7_LLM_BELOW_CONFIDENCE: bad })).toThrow(/X7_LLM_BELOW_CONFIDENCE=.* expected a number from 0 to 1/);
    }
    expect(loadConfig({ X7_LLM_BELOW_CONFIDENCE: '0' }).llmBelowConfidence).toBe(0);
    expect(loadConfig({ X7_LLM_BELOW_CONFIDENCE: '1' }).llmBelowConfidence).toBe(1);
  });
});
