// The bridge's plain HTTP side: the chat page, health, the dev sign-in and the
// little API the page needs. This is the public port: /readyz answers its status
// only, and /metrics and the readiness detail are on the metrics port (server.ts).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { projectPath } from '../paths.js';
import { isDependencyFailure } from '../pipeline/errors.js';
import { AuthError, AuthUnavailableError, signToken, type TokenVerifier } from './auth.js';
import type { Authorizer } from './authorization.js';
import type { Directory } from './directory.js';
import { isHostServed } from './origin.js';
import { MAX_ID_LENGTH } from './protocol.js';
import { serveObservability, type Readiness } from '../observability/http.js';
import type { BridgeMetrics } from '../observability/metrics.js';

export interface HttpDeps {
  config: Pick<Config, 'devTokens' | 'jwtSecret' | 'jwtIssuer' | 'jwtAudience'>;
  verify: TokenVerifier;
  directory: Directory;
  /** Who may read a conversation's transcript: the same rules as following it. */
  authorizer: Authorizer;
  metrics: BridgeMetrics;
  logger: Logger;
  /** Behind /readyz (the same model as every x7 process). */
  readiness: Readiness;
  /** Host names the bridge answers to besides IP literals and localhost (origin.ts, DNS rebinding). */
  servedHosts: ReadonlySet<string>;
}

const DEV_TOKEN_TTL_SECONDS = 12 * 3600;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const MAX_BODY_BYTES = 4096;

/** Files of the page: URL path → file (the HTML and CSS from web/, the script compiled to dist/web/). */
const STATIC: Record<string, string> = {
  '/': projectPath('web', 'index.html'),
  '/index.html': projectPath('web', 'index.html'),
  '/style.css': projectPath('web', 'style.css'),
  '/app.js': projectPath('dist', 'web', 'app.js'),
  '/app.js.map': projectPath('dist', 'web', 'app.js.map'),
  '/client.js': projectPath('dist', 'web', 'client.js'),
  '/client.js.map': projectPath('dist', 'web', 'client.js.map'),
  '/inbox.js': projectPath('dist', 'web', 'inbox.js'),
  '/inbox.js.map': projectPath('dist', 'web', 'inbox.js.map'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return json(res, error.status, { error: error.message });
      if (isDependencyFailure(error) || error instanceof AuthUnavailableError) {
        deps.logger.warn({ err: error, url: req.url }, 'dependency unavailable');
        return json(res, 503, { error: 'a service the bridge depends on is unavailable; try again shortly' });
      }
      deps.logger.error({ err: error, url: req.url }, 'request failed');
      json(res, 500, { error: 'internal error' });
    });
  };
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bridge.invalid');
  // Before any route: a page on a rebound name must not reach /dev/token or the API.
  if (!isHostServed(req.headers.host, deps.servedHosts)) {
    deps.metrics.countRejection('host');
    throw new HttpError(421, 'this bridge does not serve that host name (X7_ALLOWED_ORIGINS lists the names it serves)');
  }
  // /healthz and /readyz (status only) for load balancers; the detail is on the metrics port.
  if (await serveObservability({ registry: null, readiness: deps.readiness, detail: false }, req, res)) return;
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /api/businesses': {
      const identity = await authenticate(deps, req);
      return json(res, 200, { userId: identity.userId, businesses: await deps.directory.businessesFor(identity.userId) });
    }
    case 'GET /api/handoffs': {
      // The staff inbox: open hand-offs of the businesses where the caller's role may view them.
      const identity = await authenticate(deps, req);
      return json(res, 200, { userId: identity.userId, handoffs: await deps.directory.inboxFor(identity.userId) });
    }
    case 'GET /api/transcript': {
      // A conversation's latest messages (the customer's words are not in chat.outbound),
      // for whoever may follow it; staff only while its hand-off is open, and audited.
      const identity = await authenticate(deps, req);
      const conversationId = url.searchParams.get('conversationId') ?? '';
      if (conversationId.trim() === '' || conversationId.length > MAX_ID_LENGTH || CONTROL_CHARACTER.test(conversationId)) {
        throw new HttpError(400, `conversationId must be a non-empty id of at most ${MAX_ID_LENGTH} characters`);
      }
      const decision = await deps.authorizer.authorizeRead(identity.userId, conversationId);
      if (decision === null) throw new HttpError(404, `no conversation ${conversationId}`);
      if (!decision.allow) throw new HttpError(403, decision.message);
      return json(res, 200, { conversationId, messages: await deps.directory.transcript(conversationId) });
    }
    case 'GET /dev/users':
      requireDevTokens(deps);
      return json(res, 200, { users: await deps.directory.demoUsers() });
    case 'POST /dev/token': {
      requireDevTokens(deps);
      const body = await readJson(req);
      const userId = (body as { userId?: unknown }).userId;
      if (typeof userId !== 'string' || userId === '') throw new HttpError(400, 'body must be {"userId": "…"}');
      // Only the demo users: the dev sign-in is for trying the product, not for minting arbitrary identities.
      if (!(await deps.directory.userExists(userId))) throw new HttpError(404, `no user ${userId}`);
      const token = await signToken(deps.config.jwtSecret!, userId, DEV_TOKEN_TTL_SECONDS, { issuer: deps.config.jwtIssuer, audience: deps.config.jwtAudience });
      deps.logger.info({ userId }, 'dev token issued');
      return json(res, 200, { token, userId, expiresIn: DEV_TOKEN_TTL_SECONDS });
    }
  }
  const file = req.method === 'GET' || req.method === 'HEAD' ? STATIC[url.pathname] : undefined;
  if (!file) throw new HttpError(404, 'not found');
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    throw new HttpError(404, `${url.pathname} is not built (run npm run build)`);
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    // The page loads only its own files and talks only to its own origin.
    'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : content);
}

function requireDevTokens(deps: HttpDeps): void {
  if (!deps.config.devTokens) throw new HttpError(404, 'not found');
}

async function authenticate(deps: HttpDeps, req: IncomingMessage) {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new HttpError(401, 'missing bearer token');
  try {
    return await deps.verify(match[1]!);
  } catch (error) {
    if (error instanceof AuthError) throw new HttpError(401, error.message);
    throw error;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch {
    throw new HttpError(400, 'body must be a JSON object');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
