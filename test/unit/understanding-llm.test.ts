// The LLM client against a tiny local HTTP server started here, standing in for an
// OpenAI-compatible endpoint (no network, no real model).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isDependencyFailure } from '../../src/pipeline/errors.js';
import { understandWith } from '../../src/understanding/index.js';
import {
  createIntentClassifier, createLlmIntentClassifier, LlmBadAnswerError, type LlmSettings, llmSettingsFromConfig,
  LlmUnavailableError, ruleClassifier,
} from '../../src/understanding/llm.js';

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: any }
type Reply = (res: ServerResponse) => void;

let server: Server;
let base: string;
const seen: Seen[] = [];
let reply: Reply;

const completion = (content: string): Reply => (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  reply = completion('{"intent":"book","confidence":0.9}');
});

const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({ baseUrl: base, apiKey: 'sk-test', model: 'test-model', timeoutMs: 2_000, ...over });

describe('LLM intent classification (local stand-in for an OpenAI-compatible endpoint)', () => {
  it('POSTs a JSON-only chat completion constrained to the allowed intents', async () => {
    const result = await createLlmIntentClassifier(settings()).classify('table for 4 tomorrow', { chatType: 'DEDICATED' });
    expect(result).toEqual({ intent: 'book', confidence: 0.9, matched: ['llm:test-model'] });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe('Bearer sk-test');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toMatchObject({ model: 'test-model', temperature: 0, response_format: { type: 'json_object' } });
    const [system, user] = request!.body.messages;
    expect(user).toEqual({ role: 'user', content: 'table for 4 tomorrow' });
    expect(system.role).toBe('system');
    for (const intent of ['greeting', 'book', 'modify_booking', 'cancel_booking', 'menu_or_services', 'faq', 'hours', 'human_handoff', 'thanks', 'unknown']) {
      expect(system.content).toContain(`- ${intent}:`);
    }
    // Not allowed without pending slots / a pending action, nor from other chat types.
    for (const intent of ['provide_details', 'confirm', 'compare', 'set_hours']) expect(system.content).not.toContain(`- ${intent}:`);
    expect(system.content).toMatch(/only one JSON object/);
  });

  it('tells the model about pending slots and actions, and sends no Authorization without a key', async () => {
    reply = completion('{"intent":"provide_details","confidence":0.8}');
    const llm = createLlmIntentClassifier(settings({ apiKey: null }));
    await expect(llm.classify('7pm', { chatType: 'DEDICATED', pendingSlots: ['time'] })).resolves.toMatchObject({ intent: 'provide_details' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.body.messages[0].content).toContain('still needs: time');
    expect(seen[0]!.body.messages[0].content).toContain('- provide_details:');
  });

  it('accepts an answer wrapped in a Markdown fence', async () => {
    reply = completion('```json\n{"intent": "compare", "confidence": 0.7}\n```');
    await expect(createLlmIntentClassifier(settings()).classify('sakura vs chico', { chatType: 'GLOBAL' }))
      .resolves.toEqual({ intent: 'compare', confidence: 0.7, matched: ['llm:test-model'] });
  });

  it.each([
    ['an intent outside the list', '{"intent":"order_pizza","confidence":0.9}', /not one of/],
    ['an intent of another chat type', '{"intent":"set_hours","confidence":0.9}', /not one of/],
    ['provide_details with nothing pending', '{"intent":"provide_details","confidence":0.9}', /not one of/],
    ['prose instead of JSON', 'The intent is book.', /not JSON/],
    ['a JSON array', '["book"]', /not a JSON object/],
    ['no confidence', '{"intent":"book"}', /confidence/],
    ['a confidence above 1', '{"intent":"book","confidence":7}', /confidence/],
  ])('rejects %s as a dependency failure (LlmBadAnswerError), never falls back to the rules', async (_name, content, message) => {
    reply = completion(content);
    const error = await createLlmIntentClassifier(settings()).classify('table for 4', { chatType: 'DEDICATED' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmBadAnswerError);
    expect((error as Error).message).toMatch(message);
    expect(isDependencyFailure(error)).toBe(true);
  });

  it('rejects a response without choices and a body that is not JSON', async () => {
    reply = (res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"error":null}'); };
    await expect(createLlmIntentClassifier(settings()).classify('hi', { chatType: 'GLOBAL' })).rejects.toThrow(LlmBadAnswerError);
    reply = (res) => { res.writeHead(200); res.end('<html>gateway</html>'); };
    await expect(createLlmIntentClassifier(settings()).classify('hi', { chatType: 'GLOBAL' })).rejects.toThrow(/not JSON/);
  });

  it.each([429, 500, 401])('HTTP %i is a dependency failure (LlmUnavailableError)', async (status) => {
    reply = (res) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end('{"error":{"message":"nope"}}'); };
    const error = await createLlmIntentClassifier(settings()).classify('hi', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toContain(`HTTP ${status}`);
    expect((error as Error).message).not.toContain('sk-test');
    expect(isDependencyFailure(error)).toBe(true);
  });

  it('gives up after the timeout when the endpoint does not answer', async () => {
    reply = () => { /* never answers */ };
    const started = Date.now();
    const error = await createLlmIntentClassifier(settings({ timeoutMs: 200 })).classify('hi', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as Error).message).toMatch(/within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(isDependencyFailure(error)).toBe(true);
  });

  it('an endpoint that refuses connections is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await createLlmIntentClassifier(settings({ baseUrl: `http://127.0.0.1:${port}/v1` }))
      .classify('hi', { chatType: 'GLOBAL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(isDependencyFailure(error)).toBe(true);
  });

  it('understandWith: the LLM names the intent, the entities stay deterministic, the rules\' view is recorded', async () => {
    reply = completion('{"intent":"book","confidence":0.95}');
    const u = await understandWith(createLlmIntentClassifier(settings()), 'table for 4 tomorrow at 7pm', {
      chatType: 'DEDICATED', now: new Date('2026-11-25T15:00:00Z'), timeZone: 'Europe/Lisbon',
    });
    expect(u).toMatchObject({ intent: 'book', confidence: 0.95, source: 'llm', matched: ['llm:test-model'], entities: { partySize: 4, dateTime: { iso: '2026-11-26T19:00:00+00:00' } } });
    expect(u.reasons.at(-1)).toMatch(/^rules would say book/);
  });
});

describe('LLM configuration', () => {
  it('is off by default: the rules decide, nothing is called', async () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ llmBaseUrl: null, llmApiKey: null, llmModel: null, llmTimeoutMs: 10_000 });
    expect(llmSettingsFromConfig(config)).toBeNull();
    const classifier = createIntentClassifier(null);
    expect(classifier).toBe(ruleClassifier);
    await expect(classifier.classify('hi', { chatType: 'GLOBAL' })).resolves.toMatchObject({ intent: 'greeting' });
    expect(seen).toHaveLength(0);
  });

  it('is on with a base URL and a model', () => {
    const config = loadConfig({ X7_LLM_BASE_URL: 'http://127.0.0.1:11434/v1/', X7_LLM_MODEL: 'llama3', X7_LLM_TIMEOUT_MS: '3000' });
    expect(llmSettingsFromConfig(config)).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', apiKey: null, model: 'llama3', timeoutMs: 3000 });
    expect(createIntentClassifier(llmSettingsFromConfig(config)).kind).toBe('llm');
  });

  it('names a half-done or bad LLM configuration', () => {
    expect(() => loadConfig({ X7_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(/X7_LLM_BASE_URL and X7_LLM_MODEL go together/);
    expect(() => loadConfig({ X7_LLM_MODEL: 'llama3' })).toThrow(ConfigError);
    expect(() => loadConfig({ X7_LLM_BASE_URL: 'ftp://x', X7_LLM_MODEL: 'm' })).toThrow(/X7_LLM_BASE_URL/);
    expect(() => loadConfig({ X7_LLM_TIMEOUT_MS: '5' })).toThrow(/X7_LLM_TIMEOUT_MS/);
  });
});
