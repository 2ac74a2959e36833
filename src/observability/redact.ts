// Readiness lines without addresses.
//
// A dependency's error tends to name where it is ("connect ECONNREFUSED
// 10.0.3.7:5432", "getaddrinfo ENOTFOUND db.abcd.supabase.co", a registry URL).
// /readyz is read by load balancers and whoever can reach a metrics port; where
// the database lives is not theirs to learn, and the operator knows it from the
// configuration anyway. A probe's failure is described by its error code
// (describeFailure); redactAddresses is the net under every readiness line (a
// paused partition's reason, a check's exception).

import { CLIENT_CERTIFICATE_CODES, TLS_MISMATCH_CODES, UNTRUSTED_CERTIFICATE_CODES } from '../pipeline/tls-codes.js';

const PATTERNS: [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '<url>'],
  [/\b(ENOTFOUND|EAI_AGAIN)\s+[^\s,;)]+/g, '$1 <host>'],
  [/\[[0-9a-f:.]+\](?::\d{1,5})?/gi, '<address>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<address>'],
  // Bare IPv6 with or without a port (Node writes "connect ECONNREFUSED ::1:5432"):
  // a "::" or eight groups, so a time of day (12:30:45) stays.
  [/(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})(?:[0-9a-f]{0,4}:){2,8}[0-9a-f]{0,4}(?![\w:])/gi, '<address>'],
  [/\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi, '<address>'],
];

export function redactAddresses(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not resolved',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** PostgreSQL error classes (SQLSTATE's first two characters) an operator should tell apart. */
const SQLSTATE_CLASSES: Record<string, string> = {
  '08': 'connection failure',
  '28': 'authentication failed',
  '3D': 'database does not exist',
  '53': 'server out of resources',
  '57': 'server shutting down or starting',
};

/**
 * What went wrong, by error code where there is one: Node's network errors and pg's
 * carry the address in their message ("connect ECONNREFUSED 10.0.3.7:5432").
 */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE_CODES.has(code)) return `server certificate not trusted (${code})`;
  if (typeof code === 'string' && CLIENT_CERTIFICATE_CODES.has(code)) return `client certificate refused (${code})`;
  if (typeof code === 'string' && TLS_MISMATCH_CODES.has(code)) return `TLS on one side only (${code})`;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return `${SYSTEM_ERRORS[code] ?? 'network error'} (${code})`;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `${SQLSTATE_CLASSES[code.slice(0, 2)] ?? 'server error'} (SQLSTATE ${code})`;
  const message = error instanceof Error ? error.message || error.name : String(error);
  return redactAddresses(message.split('\n')[0]!).slice(0, 300);
}
