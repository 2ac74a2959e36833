// Errors that are not about the event: a dependency the pipeline needs is down.
//
// The design's rule: an unavailable dependency is never bad data. The runtime
// pauses the partition, keeps the offset where it is and retries later, so an
// event is never dead-lettered or skipped because Kafka, the registry, Redis,
// Postgres or Temporal had a bad minute.
import { RegistryRequestError, RegistryUnavailableError } from '../codec/errors.js';
import { isTlsFailureCode } from './tls-codes.js';

/**
 * Thrown by a processor (or a check it runs) to ask for pause-and-retry. Retry is a
 * property of the error (as kafkajs's `retriable`): `classifyFailure` reads it.
 */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
  readonly retriable = true;
  constructor(readonly dependency: string, message: string, options?: { cause?: unknown }) {
    super(`${dependency} unavailable: ${message}`, options);
  }
}

// Node's socket-level failures: the other side is down or unreachable, which says
// nothing about the event being processed.
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

/** What a failure means to the pipeline: retry later (a dependency is down), or not. */
export interface FailureClass {
  retriable: boolean;
  /** The dependency that is down (for metrics and logs), 'unexpected' when none is. */
  dependency: string;
}

/**
 * The one classification of failures: "a dependency is unavailable, try again later"
 * rather than "this event is bad" or "this code has a bug". Walks the cause chain.
 */
export function classifyFailure(error: unknown): FailureClass {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof DependencyUnavailableError) return { retriable: true, dependency: e.dependency };
    // The registry refused a lookup the pipeline needs (an output subject that was
    // never registered, say): the registry's setup is wrong, not the event, so the
    // partition waits for an operator instead of dead-lettering every event.
    if (e instanceof RegistryUnavailableError || e instanceof RegistryRequestError) return { retriable: true, dependency: 'registry' };
    // kafkajs signals broker trouble with its own error classes (connection lost,
    // request timeout, retries exhausted, coordinator moving, producer fenced …);
    // none of them is caused by the content of an input event.
    if (e.name.startsWith('KafkaJS')) return { retriable: true, dependency: 'kafka' };
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return { retriable: true, dependency: 'network' };
    // A TLS connection that fails on certificates or protocol (not trusted, refused, TLS
    // on one side only) is an operator's to fix, never the event's fault.
    if (typeof code === 'string' && isTlsFailureCode(code)) return { retriable: true, dependency: 'network' };
    if (e.cause === e) break;
  }
  return { retriable: false, dependency: 'unexpected' };
}

/** classifyFailure(error).retriable. */
export function isDependencyFailure(error: unknown): boolean {
  return classifyFailure(error).retriable;
}

/** A one-line description for logs and DLQ headers. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
