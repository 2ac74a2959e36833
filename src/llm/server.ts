// The HTTP side of `x7 llm serve`: the part of the OpenAI API the processor uses
// (src/understanding/llm.ts), in front of one local model.
//
//   GET  /v1/models            the one model (the processor's readiness probe)
//   POST /v1/chat/completions  non-streaming; response_format json_schema (compiled to a
//                              grammar, so the answer follows the schema), json_object or text
//   GET  /healthz              200 while it serves
//
// A CPU model answers one request at a time, so requests wait in a queue of bounded
// length; beyond it the answer is 503 with Retry-After (the processor counts that as
// a dependency failure and retries), never an unbounded pile of waiting sockets.
// Bodies are bounded too. Errors have OpenAI's shape: {error: {message, type, code}}.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { toGrammarSchema, UnsupportedSchemaError } from './json-schema.js';
import type { ChatEngine, ChatMessage } from './runtime.js';

export interface LlmServerOptions {
  engine: ChatEngine;
  log: Logger;
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** Requests that may wait while one runs; more get 503. */
  maxQueue: number;
  /** Most tokens one answer may have, whatever max_tokens asks. */
  maxTokensCap: number;
}

export interface LlmServer {
  readonly server: Server;
  /** Stops taking requests, answers the waiting ones 503, and resolves when the running one is done. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly type: string, readonly code: string | null = null) {
    super(message);
  }
}

/** Grammars compiled per distinct schema; the processor sends a handful. */
const GRAMMAR_CACHE_SIZE = 32;

export function createLlmServer(options: LlmServerOptions): LlmServer {
  const { engine, log } = options;
  const grammars = new Map<string, Promise<unknown>>();
  const waiting: Array<{ start: () => void; reject: (error: HttpError) => void }> = [];
  let busy = false;
  let closing = false;
  let idle: Promise<void> = Promise.resolve();

  /** Runs `task` when the model is free; 503 when too many wait already. */
  async function exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (closing) throw new HttpError(503, 'the server is shutting down', 'server_unavailable');
    if (busy) {
      if (waiting.length >= options.maxQueue) {
        throw new HttpError(503, `the model is busy: ${waiting.length} requests already wait (--max-queue)`, 'server_busy', 'queue_full');
      }
      await new Promise<void>((start, reject) => waiting.push({ start, reject }));
    }
    busy = true;
    let done!: () => void;
    idle = new Promise((resolve) => { done = resolve; });
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next.start();
      else busy = false;
      done();
    }
  }

  function grammarFor(format: unknown): Promise<unknown> | undefined {
    if (format === undefined || format === null) return undefined;
    const f = format as { type?: unknown; json_schema?: { schema?: unknown } };
    if (f.type === 'text') return undefined;
    if (f.type === 'json_object') return cached('json', () => engine.grammarFor('json'));
    if (f.type !== 'json_schema') throw new HttpError(400, `response_format.type must be text, json_object or json_schema`, 'invalid_request_error');
    const schema = f.json_schema?.schema;
    if (typeof schema !== 'object' || schema === null) throw new HttpError(400, 'response_format.json_schema.schema must be a JSON schema object', 'invalid_request_error');
    let translated: Record<string, unknown>;
    try {
      translated = toGrammarSchema(schema);
    } catch (error) {
      if (error instanceof UnsupportedSchemaError) throw new HttpError(400, `response_format: ${error.message}`, 'invalid_request_error');
      throw error;
    }
    return cached(JSON.stringify(translated), () => engine.grammarFor(translated));
  }

  function cached(key: string, make: () => Promise<unknown>): Promise<unknown> {
    let grammar = grammars.get(key);
    if (!grammar) {
      if (grammars.size >= GRAMMAR_CACHE_SIZE) grammars.delete(grammars.keys().next().value!);
      grammar = make().catch((error: unknown) => {
        grammars.delete(key);
        throw new HttpError(400, `response_format: the schema cannot be compiled to a grammar: ${(error as Error).message}`, 'invalid_request_error');
      });
      grammars.set(key, grammar);
    }
    return grammar;
  }

  async function chatCompletion(body: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    if (body.stream === true) throw new HttpError(400, 'stream: true is not supported', 'invalid_request_error');
    if (body.n !== undefined && body.n !== 1) throw new HttpError(400, 'n must be 1', 'invalid_request_error');
    const messages = readMessages(body.messages);
    const maxTokens = readNumber(body.max_completion_tokens ?? body.max_tokens, 'max_tokens', 1, options.maxTokensCap) ?? options.maxTokensCap;
    const temperature = readNumber(body.temperature, 'temperature', 0, 2) ?? 1;
    const grammar = grammarFor(body.response_format);
    return exclusive(async () => {
      // A client that gave up while its request waited is not answered.
      if (signal.aborted) throw new HttpError(499, 'the client went away', 'client_closed');
      const started = performance.now();
      const result = await engine.complete(messages, { grammar: await grammar, maxTokens, temperature, signal });
      const ms = Math.round(performance.now() - started);
      log.info({ ms, promptTokens: result.promptTokens, completionTokens: result.completionTokens, finishReason: result.finishReason, queued: waiting.length }, 'chat completion');
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: engine.modelId,
        choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, finish_reason: result.finishReason, logprobs: null }],
        usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens },
      };
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return send(res, 200, { object: 'list', data: [{ id: engine.modelId, object: 'model', created: 0, owned_by: 'local' }] });
    }
    if (path === '/v1/chat/completions' || path === '/chat/completions') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', 'invalid_request_error');
      const body = await readJson(req, options.maxBodyBytes);
      const aborted = new AbortController();
      res.once('close', () => { if (!res.writableFinished) aborted.abort(); });
      return send(res, 200, await chatCompletion(body, aborted.signal));
    }
    throw new HttpError(404, `no route ${req.method} ${path || '/'}`, 'invalid_request_error', 'not_found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status >= 500) log.warn({ status: error.status, code: error.code }, error.message);
        if (error.status === 503) res.setHeader('retry-after', '1');
        if (error.status === 413) res.setHeader('connection', 'close');
        return send(res, error.status, { error: { message: error.message, type: error.type, code: error.code } });
      }
      log.error({ err: error }, 'request failed');
      send(res, 500, { error: { message: (error as Error).message ?? String(error), type: 'server_error', code: null } });
    });
  });
  server.requestTimeout = 120_000;

  return {
    server,
    async close() {
      closing = true;
      for (const next of waiting.splice(0)) next.reject(new HttpError(503, 'the server is shutting down', 'server_unavailable'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await idle;
      server.closeIdleConnections();
      await closed;
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(413, `the body is larger than ${limit} bytes (--max-body-bytes)`, 'invalid_request_error');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes (--max-body-bytes)`, 'invalid_request_error');
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON', 'invalid_request_error');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object', 'invalid_request_error');
  return value as Record<string, unknown>;
}

function readMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, 'messages must be a non-empty array', 'invalid_request_error');
  return value.map((item, i) => {
    const m = item as { role?: unknown; content?: unknown };
    const role = m?.role === 'developer' ? 'system' : m?.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new HttpError(400, `messages[${i}].role must be system, developer, user or assistant`, 'invalid_request_error');
    }
    // Content may be a string or an array of text parts; other parts (images) are refused.
    let content: string;
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content) && m.content.every((p) => p?.type === 'text' && typeof p.text === 'string')) {
      content = m.content.map((p: { text: string }) => p.text).join('');
    } else throw new HttpError(400, `messages[${i}].content must be a string or text parts`, 'invalid_request_error');
    return { role, content };
  });
}

function readNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new HttpError(400, `${name} must be a number of at least ${min}`, 'invalid_request_error');
  }
  return Math.min(value, max);
}
