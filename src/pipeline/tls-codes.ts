// Node's (OpenSSL's) error codes of a TLS connection that failed on its certificates or
// its protocol, not on the network. Shared by classifyFailure (errors.ts: retriable,
// like an outage) and access-errors.ts (which tells an operator what to fix).

/** The server's certificate is not trusted (chain, host name, dates). */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'INVALID_CA', 'HOSTNAME_MISMATCH',
]);

/** TLS alerts the server sent about our client certificate (none, or one it does not accept). */
export const CLIENT_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** TLS spoken to a plain-text server (or the other way round). */
export const TLS_MISMATCH_CODES: ReadonlySet<string> = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST']);

export function isTlsFailureCode(code: string): boolean {
  return UNTRUSTED_CERTIFICATE_CODES.has(code) || CLIENT_CERTIFICATE_CODES.has(code) || TLS_MISMATCH_CODES.has(code);
}
