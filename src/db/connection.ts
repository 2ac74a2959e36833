// Connection options for PostgreSQL from DATABASE_URL, with libpq's meaning of
// `sslmode`, so that a Supabase connection string (`…?sslmode=require`) and a
// plain local URL both work as written.
//
// Why not hand the URL to pg as it is: pg-connection-string treats `require`
// like `verify-full` (it checks the certificate against Node's CA store), which
// fails on Supabase, whose certificates chain to Supabase's own root. libpq's
// `require` means "encrypt, do not verify", and that is what people who copy the
// string from their Supabase dashboard expect. And pg lets settings parsed from
// the URL override the `ssl` option, so the TLS parameters are taken out of the
// URL and expressed as the `ssl` option instead.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** URL parameters about TLS that this module handles (and pg must not see). */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat'];

export interface ConnectionSettings {
  /** DATABASE_URL without its TLS parameters. */
  connectionString: string;
  /** undefined: no sslmode in the URL, pg's defaults (PGSSLMODE) apply. */
  ssl: false | ConnectionOptions | undefined;
}

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/**
 * Translates DATABASE_URL into pg options. `readFile` is there for tests.
 *
 * - disable, allow, prefer: no TLS. pg cannot try TLS and fall back the way libpq
 *   does; a server that insists on TLS says so and the URL can ask for `require`.
 * - require: TLS, certificate not verified (libpq semantics; Supabase).
 * - verify-ca: TLS, certificate chain verified, host name not.
 * - verify-full: TLS, chain and host name verified.
 * `sslrootcert=FILE` supplies the CA for the verifying modes (`system` or absent:
 * Node's CA store); `sslcert`/`sslkey` a client certificate.
 */
export function connectionSettings(databaseUrl: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ConnectionSettings {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError('DATABASE_URL is not a URL');
  }
  const params = url.searchParams;
  const rawMode = params.get('sslmode');
  const rootCert = params.get('sslrootcert');
  const clientCert = params.get('sslcert');
  const clientKey = params.get('sslkey');
  for (const name of TLS_PARAMS) params.delete(name);
  const connectionString = url.toString();

  if (rawMode === null) {
    if (rootCert || clientCert || clientKey) {
      throw new DatabaseUrlError('DATABASE_URL names TLS files but no sslmode: add sslmode=verify-full (or require, verify-ca)');
    }
    return { connectionString, ssl: undefined };
  }
  if (!(SSL_MODES as readonly string[]).includes(rawMode)) {
    throw new DatabaseUrlError(`DATABASE_URL has sslmode=${rawMode}: expected one of ${SSL_MODES.join(', ')}`);
  }
  const mode = rawMode as SslMode;
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return { connectionString, ssl: false };

  const ssl: ConnectionOptions = {};
  const read = (what: string, path: string) => {
    try {
      return readFile(path);
    } catch (error) {
      throw new DatabaseUrlError(`cannot read ${what} ${path} named in DATABASE_URL: ${(error as Error).message}`);
    }
  };
  if (clientCert) ssl.cert = read('sslcert', clientCert);
  if (clientKey) ssl.key = read('sslkey', clientKey);
  if (mode === 'require') {
    ssl.rejectUnauthorized = false;
    return { connectionString, ssl };
  }
  if (rootCert && rootCert !== 'system') ssl.ca = read('sslrootcert', rootCert);
  ssl.rejectUnauthorized = true;
  // verify-ca: the chain must be trusted, but any host name is accepted.
  if (mode === 'verify-ca') ssl.checkServerIdentity = () => undefined;
  return { connectionString, ssl };
}

/** host:port/database of a URL, without credentials: safe for messages and logs. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
