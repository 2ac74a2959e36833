// A DETERMINISTIC STAND-IN for an LLM server, not a model: a tiny local HTTP server
// that speaks the OpenAI chat-completions shape (POST /v1/chat/completions, GET
// /v1/models) and answers each user message from a fixed table the test gives it.
// Nothing is generated or learned: the same message always gets the same answer, so
// tests of the LLM path are reproducible offline. It stands where OpenAI, vLLM,
// Ollama or `x7 llm serve` would, and lets a test do what those do when they fail:
// stop (connection refused), answer late, answer with an HTTP error, or answer
// outside the schema it was asked for.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the stand-in answers one user message. */
export interface StandInReply {
  /** The model's answer, sent as JSON in choices[0].message.content. */
  answer?: unknown;
  /** Or the content verbatim (an answer outside the schema, prose, broken JSON). */
  content?: string;
  /** Or an HTTP error status, with an OpenAI-style error body. */
  status?: number;
  /** Wait this long before answering (timeouts, concurrency). */
  delayMs?: number;
}

export interface StandInRequest {
  /** The last user message: what the table is looked up by. */
  text: string;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: Record<string, unknown> } };
    [key: string]: unknown;
  };
  headers: IncomingHttpHeaders;
}

/** A schema-valid answer with no intent and no entities: what the stand-in says to a message not in its table. */
export const UNKNOWN_ANSWER = {
  intent: 'unknown',
  confidence: 0,
  entities: { partySize: null, when: null, businessNames: [], categories: [], places: [], priceLevel: null },
};

/** An answer naming `intent`, with the entities given and none else. */
export function standInAnswer(intent: string, confidence: number, entities: Partial<typeof UNKNOWN_ANSWER.entities> = {}) {
  return { intent, confidence, entities: { ...UNKNOWN_ANSWER.entities, ...entities } };
}

export interface LlmStandIn {
  /** The API base to configure (X7_LLM_BASE_URL), e.g. http://127.0.0.1:40123/v1. */
  readonly url: string;
  readonly model: string;
  /** The table: user message → reply. Tests may add to it. */
  readonly answers: Map<string, StandInReply>;
  /** Every chat-completions request received, in order. */
  readonly requests: StandInRequest[];
  /** Most chat-completions requests it had open at once. */
  readonly maxInFlight: number;
  /** Stops listening and drops open connections: clients get "connection refused". */
  stop(): Promise<void>;
  /** Listens again, on the same port. */
  start(): Promise<void>;
}

/**
 * Looks at the whole request before the table does: for a test whose answer depends on
 * more than the last message (few-shot demos in the prompt); undefined falls back to the table.
 */
export type StandInRule = (request: StandInRequest) => StandInReply | undefined;

export async function startLlmStandIn(options: { answers?: Record<string, StandInReply>; model?: string; rule?: StandInRule } = {}): Promise<LlmStandIn> {
  const model = options.model ?? 'deterministic-stand-in';
  const answers = new Map(Object.entries(options.answers ?? {}));
  const requests: StandInRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let port = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        json(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'x7-tests' }] });
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        json(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
        return;
      }
      let body: StandInRequest['body'];
      try {
        body = JSON.parse(raw) as StandInRequest['body'];
      } catch {
        json(res, 400, { error: { message: 'the body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      const text = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
      requests.push({ text, body, headers: req.headers });
      const reply = options.rule?.({ text, body, headers: req.headers }) ?? answers.get(text) ?? { answer: UNKNOWN_ANSWER };
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const send = () => {
        inFlight--;
        if (res.destroyed) return;
        if (reply.status !== undefined) {
          json(res, reply.status, { error: { message: `stand-in answers HTTP ${reply.status}`, type: 'server_error' } });
          return;
        }
        const content = reply.content ?? JSON.stringify(reply.answer ?? UNKNOWN_ANSWER);
        json(res, 200, {
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 0,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        });
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
  await listen();

  return {
    url: `http://127.0.0.1:${port}/v1`,
    model,
    answers,
    requests,
    get maxInFlight() { return maxInFlight; },
    async stop() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      if (!server.listening) await listen();
    },
  };
}
