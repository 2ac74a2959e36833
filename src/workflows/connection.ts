// The one place the options of a connection to Temporal are made: the worker's
// NativeConnection (worker.ts; @temporalio/worker is not loaded here, so the client
// side does not pay for it), the manager's client Connection (the processor,
// `x7 workflows`) and the start-up check all take them from here.
//
// TEMPORAL_TLS* and TEMPORAL_API_KEY are read by config.ts (secure-config.ts). Both SDK
// sides take the same shapes: `tls` (true: the system's roots; or the server CA, a
// client certificate pair for mTLS and a server name) and `apiKey` (sent as
// "authorization: Bearer <key>"; Temporal Cloud needs TLS with it).
import { connect as netConnect, isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';
import { Connection, type TLSConfig } from '@temporalio/client';
import type { Config } from '../config.js';
import { accessRefusal } from '../pipeline/access-errors.js';
import { DependencyUnavailableError } from '../pipeline/errors.js';

export type TemporalConnectionConfig = Pick<Config, 'temporalAddress' | 'temporalTls' | 'temporalApiKey'>;

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | true;
  apiKey?: string;
}

/** `address`, `tls` and `apiKey` of Connection.connect and NativeConnection.connect. */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.temporalAddress };
  const tls = config.temporalTls;
  if (tls) {
    const custom: TLSConfig = {
      ...(tls.serverCa ? { serverRootCACertificate: Buffer.from(tls.serverCa) } : {}),
      ...(tls.clientCert && tls.clientKey ? { clientCertPair: { crt: Buffer.from(tls.clientCert), key: Buffer.from(tls.clientKey) } } : {}),
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    };
    options.tls = Object.keys(custom).length > 0 ? custom : true;
  }
  if (config.temporalApiKey) options.apiKey = config.temporalApiKey;
  return options;
}

/**
 * What a failed connect becomes: AccessRefusedError when Temporal refused our
 * credentials or its certificate is not trusted (nothing will change by retrying),
 * DependencyUnavailableError otherwise (not reachable: try again later).
 */
export function temporalConnectError(error: unknown, address: string): Error {
  const refused = accessRefusal(error, 'temporal');
  if (refused) return refused;
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyUnavailableError('temporal', `${address}: ${message}`, { cause: error });
}

/**
 * A client connection (grpc-js). grpc-js words every TLS failure as "Failed to connect
 * before the deadline"; when TLS is configured, such a failure is followed by a TLS
 * handshake of our own (tlsHandshakeCheck), whose error says what went wrong.
 */
export async function connectTemporalClient(config: TemporalConnectionConfig, options: { connectTimeout?: string } = {}): Promise<Connection> {
  try {
    return await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: options.connectTimeout ?? '5 seconds' });
  } catch (error) {
    throw await diagnoseConnectFailure(error, config);
  }
}

/**
 * With TLS configured, a failed connection is followed by a handshake of our own, whose
 * error says what went wrong: grpc-js and Temporal's Rust core (the worker's connection)
 * word TLS failures vaguely and differently from run to run.
 */
export async function diagnoseConnectFailure(error: unknown, config: TemporalConnectionConfig): Promise<Error> {
  if (config.temporalTls && !accessRefusal(error, 'temporal')) {
    const diagnosis = await tlsHandshakeCheck(config).then(() => null, (e: unknown) => e);
    const refused = diagnosis === null ? null : accessRefusal(diagnosis, 'temporal');
    if (refused) return refused;
  }
  return temporalConnectError(error, config.temporalAddress);
}

// HTTP/2's client preface and an empty SETTINGS frame: a gRPC server answers with its SETTINGS.
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * A TLS handshake with Temporal's settings (CA, client certificate, server name, ALPN h2)
 * and the HTTP/2 preface; resolves when the server answers in HTTP/2. Rejects with
 * Node's TLS error (its code: UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_SSL_WRONG_VERSION_NUMBER,
 * ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED …), or with "closed the connection right after
 * the TLS handshake" when the server hangs up without a word: with TLS 1.3 that is how a
 * client certificate it does not accept is refused.
 */
export function tlsHandshakeCheck(config: TemporalConnectionConfig, timeoutMs = 5_000): Promise<void> {
  const tls = config.temporalTls;
  const { host, port } = hostAndPort(config.temporalAddress);
  const serverName = tls?.serverName ?? null;
  return new Promise<void>((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(serverName ? { servername: serverName, checkServerIdentity: (_host, cert) => checkServerIdentity(serverName, cert) } : isIP(host) ? {} : { servername: host }),
      ...(tls?.serverCa ? { ca: tls.serverCa } : {}),
      ...(tls?.clientCert && tls.clientKey ? { cert: tls.clientCert, key: tls.clientKey } : {}),
    });
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(Object.assign(new Error(`no TLS answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    timer.unref();
    socket.once('secureConnect', () => socket.write(H2_PREFACE));
    socket.once('data', () => finish());
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('the server closed the connection right after the TLS handshake')));
  });
}

/** "host:port" or "[v6]:port" (TEMPORAL_ADDRESS, checked by loadConfig) as its parts. */
function hostAndPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/** Resolves once a TCP connection to host:port is made (and closes it); rejects with the socket's error. */
export function tcpReachable(address: string, timeoutMs: number): Promise<void> {
  const { host, port } = hostAndPort(address);
  return new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error(`no TCP connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
  });
}
