// Which database errors mean "PostgreSQL is unavailable, try again later" (a
// DependencyUnavailableError, so the pipeline pauses instead of dead-lettering: an
// outage, or a transient failure such as a deadlock) and which mean a bug, bad SQL or
// bad data (left as they are).
import { DependencyUnavailableError, isDependencyFailure } from '../pipeline/errors.js';
import { describeDatabaseUrl } from './connection.js';

// SQLSTATEs of a server that is down, starting, stopping or full of connections.
// 28P01/28000: the server refuses our login (a rotated password, a pg_hba change). That
// is the operator's to fix, never the event's: the partition waits, nothing is dead-lettered.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '28P01', '28000']);
// SQLSTATEs of a statement that failed for reasons of the moment, not of its data: the
// same statement succeeds when run again (serialization failure, deadlock, a statement
// or lock timeout, a lock not available, too many connections for the role).
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '57014', '55P03', '53400']);

// pg reports a lost or never-made connection with these messages and no code.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /^Client has encountered a connection error/i,
  /^Client was closed and is not queryable/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isDependencyFailure(error)) return true;
  const code = (error as { code?: unknown }).code;
  // Class 08: connection exceptions.
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || TRANSIENT_SQLSTATES.has(code))) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * The error to throw for a failed database call: a DependencyUnavailableError naming
 * the server (never its credentials) when the database cannot be reached, the
 * original error otherwise.
 */
export function databaseError(error: unknown, databaseUrl: string): unknown {
  if (error instanceof DependencyUnavailableError || !isDatabaseUnavailable(error)) return error;
  const message = error instanceof Error && error.message ? error.message : String(error);
  return new DependencyUnavailableError('postgres', `${describeDatabaseUrl(databaseUrl)}: ${message}`, { cause: error });
}
