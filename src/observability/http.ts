// /healthz, /readyz and /metrics for every x7 process, and the readiness model
// behind /readyz.
//
//   /healthz  the process is alive and its event loop answers: 200 while it runs.
//   /readyz   200 {ready: true, problems: []} when every check passes, else 503 with
//             one line per problem ("redis: reconnecting", "partition 2 paused: …"),
//             never with a host, port or URL (redact.ts). A public port (the bridge's)
//             answers {ready} and the status only: which dependency fails is for the
//             metrics port.
//   /metrics  the process's prom-client registry in the Prometheus text format.
//
// Checks are cheap and answer from state the process already keeps (a client's
// connection status, a paused partition) or from a background probe that pings a
// dependency every few seconds, so a scrape of /readyz never waits on an outage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { CONTENT_TYPE } from './metrics.js';
import { describeFailure, redactAddresses } from './redact.js';

/** A check answers null when fine, else what is wrong (one or more lines). */
export type ReadinessCheck = () => string | string[] | null | Promise<string | string[] | null>;

const CHECK_TIMEOUT_MS = 2_000;

export class Readiness {
  private readonly checks: { name: string; check: ReadinessCheck }[] = [];

  /** Adds a named check; its problems are reported as "name: problem". */
  add(name: string, check: ReadinessCheck): this {
    this.checks.push({ name, check });
    return this;
  }

  /** What is not ready; empty when ready. */
  async problems(): Promise<string[]> {
    const results = await Promise.all(this.checks.map(async ({ name, check }) => {
      let outcome: string | string[] | null;
      try {
        outcome = await withTimeout(Promise.resolve().then(check), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`);
      } catch (error) {
        outcome = error instanceof Error ? error.message : String(error);
      }
      if (outcome === null || (Array.isArray(outcome) && outcome.length === 0)) return [];
      return (Array.isArray(outcome) ? outcome : [outcome]).map((p) => redactAddresses(`${name}: ${p}`));
    }));
    return results.flat();
  }

  async ready(): Promise<boolean> {
    return (await this.problems()).length === 0;
  }
}

export interface Probe {
  /** The last result: null when the dependency answered. */
  readonly check: ReadinessCheck;
  /** Runs the probe now and on every interval (unref'd: it never keeps a process alive). */
  start(): Promise<void>;
  stop(): void;
}

/**
 * A dependency pinged in the background; its check answers the last result at once.
 * Before the first ping it reports "not checked yet".
 */
export function backgroundProbe(ping: () => Promise<unknown>, options: { intervalMs?: number; timeoutMs?: number } = {}): Probe {
  const intervalMs = options.intervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  let problem: string | null = 'not checked yet';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= withTimeout(ping(), timeoutMs, `no answer within ${timeoutMs} ms`)
      .then(() => { problem = null; }, (error: unknown) => { problem = describeFailure(error); })
      .finally(() => { running = undefined; });
    return running;
  };
  return {
    check: () => problem,
    async start() {
      if (timer) return;
      timer = setInterval(() => void run(), intervalMs);
      timer.unref();
      await run();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export interface ObservabilityRoutes {
  /** Served at /metrics; null: no /metrics here (a public port). */
  registry: Registry | null;
  readiness: Readiness;
  /** false: /readyz answers the status and {ready} only, without the problems (a public port). Default true. */
  detail?: boolean;
}

/**
 * Answers GET /healthz, /readyz and /metrics; false for any other request, which the
 * caller then handles (the bridge serves /healthz and a bare /readyz next to its own routes).
 */
export async function serveObservability(routes: ObservabilityRoutes, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = new URL(req.url ?? '/', 'http://x7.invalid').pathname;
  switch (path) {
    case '/healthz':
      json(res, 200, { status: 'ok' });
      return true;
    case '/readyz': {
      const problems = await routes.readiness.problems();
      const ready = problems.length === 0;
      json(res, ready ? 200 : 503, routes.detail === false ? { ready } : { ready, problems });
      return true;
    }
    case '/metrics': {
      if (routes.registry === null) return false;
      const text = await routes.registry.metrics();
      res.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    }
    default:
      return false;
  }
}

export interface ObservabilityServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An HTTP server with only the three routes: the metrics port of the processor, the worker and the bridge. */
export async function startObservabilityServer(options: ObservabilityRoutes & { host: string; port: number; logger: Logger }): Promise<ObservabilityServer> {
  const { logger } = options;
  const server: Server = createServer((req, res) => {
    serveObservability(options, req, res)
      .then((handled) => {
        if (!handled) json(res, 404, { error: 'not found: try /healthz, /readyz or /metrics' });
      })
      .catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, 'observability request failed');
        json(res, 500, { error: 'internal error' });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    host: options.host,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** `promise`, or a rejection with `timeoutError` (a message, or the error itself) after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, timeoutError: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof timeoutError === 'string' ? new Error(timeoutError) : timeoutError()), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
