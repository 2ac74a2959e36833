// Whether an upgrade to /v1/stream is let in, cheapest checks first: the path,
// shutdown, the Host header (DNS rebinding), the Origin, the per-address and
// instance connection limits, then the token, and last every limit again while
// taking the connection's slot. A refusal is an HTTP status at the upgrade; close
// codes are only for connections that were accepted (src/bridge/README.md).
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log.js';
import { AuthError, AuthUnavailableError, tokenFromRequest, type Identity, type TokenVerifier } from './auth.js';
import { addressKey, clientAddress, type TrustedProxies } from './client-address.js';
import type { ConnectionLimits, Lease, LimitReached, LimitScope } from './connection-limits.js';
import { isHostServed, isOriginAllowed } from './origin.js';

export const STREAM_PATH = '/v1/stream';

export interface Refusal {
  status: number;
  text: string;
  /** The x7_bridge_connections_rejected_total label. */
  reason: string;
  /** Sent as JSON, for clients that read the refusal (browsers cannot). */
  body?: { error: string; message: string };
  headers?: Record<string, string>;
}

export type Decision = { ok: true; identity: Identity; lease: Lease } | { ok: false; refusal: Refusal };

export interface AdmissionDeps {
  verify: TokenVerifier;
  limits: ConnectionLimits;
  trustedProxies: TrustedProxies;
  servedHosts: ReadonlySet<string>;
  allowedOrigins: readonly string[];
  stopping: () => boolean;
  logger: Logger;
}

/** How long a client should wait before trying a full instance again (a load balancer may pick another). */
const FULL_RETRY_AFTER_SECONDS = 5;
/** A refusal for a limit is logged once per scope in this time, so a flood of them is not a flood of log lines (the metric counts each). */
const LIMIT_LOG_INTERVAL_MS = 60_000;

/** Decides the upgrades of one bridge. */
export class Admission {
  /** When each limit's refusal was last logged. */
  private readonly loggedAt = new Map<LimitScope, number>();

  constructor(private readonly deps: AdmissionDeps) {}

  async decide(req: IncomingMessage): Promise<Decision> {
    const { deps } = this;
    const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });
    const path = new URL(req.url ?? '/', 'http://bridge.invalid').pathname;
    if (path !== STREAM_PATH) return refuse({ status: 404, text: 'Not Found', reason: 'path' });
    if (deps.stopping()) return refuse({ status: 503, text: 'Service Unavailable', reason: 'stopping' });
    if (!isHostServed(req.headers.host, deps.servedHosts)) return refuse({ status: 421, text: 'Misdirected Request', reason: 'host' });
    if (!isOriginAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins)) return refuse({ status: 403, text: 'Forbidden', reason: 'origin' });
    const address = addressKey(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustedProxies));
    const early = deps.limits.precheck(address);
    if (early) return refuse(this.limitRefusal(early, address));
    const token = tokenFromRequest(req);
    if (token === null) return refuse({ status: 401, text: 'Unauthorized', reason: 'no_token', headers: { 'WWW-Authenticate': 'Bearer' } });
    let identity: Identity;
    try {
      identity = await deps.verify(token);
    } catch (error) {
      if (error instanceof AuthError) {
        deps.logger.info({ reason: error.message }, 'connection refused: bad token');
        return refuse({ status: 401, text: 'Unauthorized', reason: 'bad_token', headers: { 'WWW-Authenticate': 'Bearer' } });
      }
      if (error instanceof AuthUnavailableError) {
        deps.logger.warn({ err: error }, 'cannot verify tokens');
        return refuse({ status: 503, text: 'Service Unavailable', reason: 'jwks_unavailable' });
      }
      throw error;
    }
    // Synchronous from here to the caller's handleUpgrade: no other upgrade can take the slot in between.
    const taken = deps.limits.acquire(identity.userId, address);
    if ('reached' in taken) return refuse(this.limitRefusal(taken.reached, address, identity.userId));
    return { ok: true, identity, lease: taken.lease };
  }

  private limitRefusal(reached: LimitReached, address: string, userId?: string): Refusal {
    const now = Date.now();
    if (now - (this.loggedAt.get(reached.scope) ?? -Infinity) >= LIMIT_LOG_INTERVAL_MS) {
      this.loggedAt.set(reached.scope, now);
      // The address tells an operator behind a proxy without X7_TRUSTED_PROXIES that every client looks like the proxy.
      this.deps.logger.warn({ scope: reached.scope, limit: reached.limit, address, userId }, 'connection refused: limit reached (logged once a minute per limit)');
    }
    return refusalFor(reached);
  }
}

function refusalFor(reached: LimitReached): Refusal {
  switch (reached.scope) {
    case 'instance':
      return {
        status: 503, text: 'Service Unavailable', reason: 'limit_instance', headers: { 'Retry-After': String(FULL_RETRY_AFTER_SECONDS) },
        body: { error: 'INSTANCE_CONNECTION_LIMIT', message: `this bridge instance holds its most connections (${reached.limit}, X7_MAX_CONNECTIONS); try again shortly` },
      };
    case 'address':
      return {
        status: 429, text: 'Too Many Requests', reason: 'limit_address',
        body: { error: 'ADDRESS_CONNECTION_LIMIT', message: `at most ${reached.limit} connections from one address (X7_MAX_CONNECTIONS_PER_IP)` },
      };
    case 'user':
      return {
        status: 429, text: 'Too Many Requests', reason: 'limit_user',
        body: { error: 'USER_CONNECTION_LIMIT', message: `at most ${reached.limit} connections per user (X7_MAX_CONNECTIONS_PER_USER): close one first` },
      };
  }
}
