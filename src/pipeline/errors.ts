// Errors that are not about the event: a dependency the pipeline needs is down.
//
// The design's rule: an unavailable dependency is never bad data. The runtime
// pauses the partition, keeps the offset where it is and retries later, so an
// event is never dead-lettered or skipped because Kafka, the registry, Redis,
// Postgres or Temporal had a bad minute.
import { RegistryRequestError, RegistryUnavailableError } from '../codec/errors.js';

/** Thrown by a processor (or a check it runs) to ask for pause-and-retry. */
export class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
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

/**
 * True when the error means "a dependency is unavailable, try again later"
 * rather than "this event is bad" or "this code has a bug".
 */
export function isDependencyFailure(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError || error instanceof RegistryUnavailableError) return true;
  // The registry refused a lookup the pipeline needs (an output subject that was
  // never registered, say): the registry's setup is wrong, not the event, so the
  // partition waits for an operator instead of dead-lettering every event.
  if (error instanceof RegistryRequestError) return true;
  if (!(error instanceof Error)) return false;
  // kafkajs signals broker trouble with its own error classes (connection lost,
  // request timeout, retries exhausted, coordinator moving, producer fenced …);
  // none of them is caused by the content of an input event.
  if (error.name.startsWith('KafkaJS')) return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  return error.cause !== undefined && error.cause !== error && isDependencyFailure(error.cause);
}

/** A one-line description for logs and DLQ headers. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
