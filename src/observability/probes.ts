// Pings of the dependencies x7 processes report on /readyz. Each one either
// resolves (the dependency answered) or throws; they are run by backgroundProbe
// (./http.ts), which reports the failure without the dependency's address
// (redact.ts), never on the request path.
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { registryHttp, type RegistryConfig } from '../codec/registry-http.js';
import { accessFailure, describeAccessFailure } from '../pipeline/access-errors.js';
import type { ReadinessCheck } from './http.js';

export const PROBE_TIMEOUT_MS = 3_000;

/**
 * Connection-state check of an ioredis client: the client reconnects by itself, so its
 * status is the truth. `lastError` (state/redis.ts) adds why, when Redis refuses us.
 */
export function redisCheck(redis: Pick<Redis, 'status'>, lastError: () => unknown = () => undefined): ReadinessCheck {
  return () => {
    if (redis.status === 'ready') return null;
    const refused = accessFailure(lastError(), 'redis');
    return `not connected (${redis.status})${refused ? `: ${describeAccessFailure(refused)}` : ''}`;
  };
}

export async function pingPostgres(pool: Pick<pg.Pool, 'query'>): Promise<void> {
  await pool.query('select 1');
}

/**
 * The schema registry's (Confluent-compatible) global config: small, and answered by
 * every registry. A refused credential (401, 403) fails the probe as much as a server
 * error: the codec could not read a schema either.
 */
export async function pingRegistry(registry: RegistryConfig | string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const answer = await registryHttp(registry, 'GET', '/config', { timeoutMs });
  if (answer.status === 401 || answer.status === 403) throw Object.assign(new Error(`credentials refused (HTTP ${answer.status})`), { status: answer.status });
  if (answer.status >= 500) throw new Error(`HTTP ${answer.status}`);
}

/** A Temporal connection (client or worker side) answering GetSystemInfo before the deadline. */
export async function pingTemporal(
  connection: {
    withDeadline<T>(deadline: number | Date, fn: () => Promise<T>): Promise<T>;
    workflowService: { getSystemInfo(request: object): Promise<unknown> };
  },
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
}

/**
 * An OpenAI-compatible server's model list (GET {base}/models): served by OpenAI, vLLM,
 * Ollama and llama.cpp, and it generates no tokens, so probing every few seconds costs
 * nothing. A server without the route (404) still answers; a refused key (401, 403) or
 * a server error is a failing LLM. Used only when an LLM is configured.
 */
export async function pingLlm(settings: { baseUrl: string; apiKey: string | null }, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
  let response: Response;
  try {
    response = await fetch(`${settings.baseUrl.replace(/\/+$/, '')}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw (error as { cause?: unknown }).cause ?? error;
  }
  await response.body?.cancel();
  if (response.status >= 500 || response.status === 401 || response.status === 403) throw new Error(`HTTP ${response.status}`);
}
