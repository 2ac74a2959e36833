// TLS in front of the local stack's plain-text services, so that tests prove x7's TLS
// and authentication settings against the real registry and the real Temporal:
//
// - certificates: a CA, a server certificate for 127.0.0.1/localhost, a client
//   certificate, and a second ("rogue") CA nobody trusts, made with openssl in a
//   temporary directory at run time (no key or password lives in the repository);
// - httpsBasicAuthProxy: an HTTPS reverse proxy that wants basic auth (a managed
//   registry, Confluent Cloud's style);
// - tlsPipe: TLS with ALPN h2 and, optionally, a required client certificate (mTLS),
//   piping the bytes to a plain-text gRPC server (Temporal with mTLS);
// - h2BearerProxy: an HTTP/2 (gRPC) proxy over TLS that wants "authorization: Bearer
//   <key>" and answers gRPC UNAUTHENTICATED otherwise (Temporal Cloud's API keys).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createSecureServer, connect as h2connect, constants as h2, type IncomingHttpHeaders as H2Headers, type OutgoingHttpHeaders } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface TestCertificates {
  dir: string;
  /** Paths of PEM files. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  rogueCaFile: string;
  /** A certificate signed by the rogue CA, with its key (a client nobody trusts). */
  rogueClientCertFile: string;
  rogueClientKeyFile: string;
  read(file: string): string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, subject: string, ca: string, extensions: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

function authority(dir: string, name: string, subject: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** Fresh certificates in a temporary directory (remove() deletes it). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'x7-tls-'));
  authority(dir, 'ca', '/CN=x7 test CA');
  authority(dir, 'rogue-ca', '/CN=x7 rogue CA');
  issue(dir, 'server', '/CN=localhost', 'ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  issue(dir, 'client', '/CN=x7-client', 'ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  issue(dir, 'rogue-client', '/CN=x7-rogue-client', 'rogue-ca', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const file = (name: string) => join(dir, name);
  return {
    dir,
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
    rogueCaFile: file('rogue-ca.pem'),
    rogueClientCertFile: file('rogue-client.pem'),
    rogueClientKeyFile: file('rogue-client.key'),
    read: (path: string) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunningProxy {
  port: number;
  /** Connections or requests it refused (wrong credentials, no client certificate). */
  readonly refused: number;
  close(): Promise<void>;
}

async function listen(server: Server, closeExtra: () => void, refused: () => number): Promise<RunningProxy> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get refused() {
      return refused();
    },
    close: () => new Promise<void>((resolve) => {
      closeExtra();
      server.close(() => resolve());
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}

/** HTTPS → http://127.0.0.1:`targetPort`, for requests with "authorization: Basic user:password"; 401 otherwise. */
export function httpsBasicAuthProxy(options: { certs: TestCertificates; targetPort: number; username: string; password: string }): Promise<RunningProxy> {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let refused = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createHttpsServer({ cert: options.certs.read(options.certs.serverCertFile), key: options.certs.read(options.certs.serverKeyFile) }, (req, res) => {
    if (req.headers.authorization !== expected) {
      refused += 1;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    const headers: IncomingHttpHeaders = { ...req.headers, host: `127.0.0.1:${options.targetPort}` };
    delete headers.authorization;
    const upstream = httpRequest({ host: '127.0.0.1', port: options.targetPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return listen(server, () => { for (const s of sockets) s.destroy(); }, () => refused);
}

/** TLS (ALPN h2) → plain TCP 127.0.0.1:`targetPort`; `requireClientCert`: mTLS against the test CA. */
export function tlsPipe(options: { certs: TestCertificates; targetPort: number; requireClientCert: boolean }): Promise<RunningProxy> {
  const { certs } = options;
  let refused = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createTlsServer({
    cert: certs.read(certs.serverCertFile),
    key: certs.read(certs.serverKeyFile),
    ALPNProtocols: ['h2'],
    ...(options.requireClientCert ? { ca: certs.read(certs.caFile), requestCert: true, rejectUnauthorized: true } : {}),
  }, (socket) => {
    const upstream = netConnect(options.targetPort, '127.0.0.1');
    sockets.add(socket).add(upstream);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    socket.pipe(upstream).pipe(socket);
  });
  server.on('tlsClientError', () => (refused += 1));
  return listen(server, () => { for (const s of sockets) s.destroy(); }, () => refused);
}

/** gRPC over TLS → h2c 127.0.0.1:`targetPort`, for calls with "authorization: Bearer `apiKey`"; gRPC 16 otherwise. */
export function h2BearerProxy(options: { certs: TestCertificates; targetPort: number; apiKey: string }): Promise<RunningProxy> {
  const { certs } = options;
  let refused = 0;
  const upstream = h2connect(`http://127.0.0.1:${options.targetPort}`);
  upstream.on('error', () => undefined);
  const server = createSecureServer({ cert: certs.read(certs.serverCertFile), key: certs.read(certs.serverKeyFile), allowHTTP1: false });
  server.on('stream', (stream, headers: H2Headers) => {
    stream.on('error', () => undefined);
    if (headers.authorization !== `Bearer ${options.apiKey}`) {
      refused += 1;
      // A trailers-only gRPC answer, as Temporal Cloud gives a bad key.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'Request unauthorized.' }, { endStream: true });
      return;
    }
    const forward: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name === ':authority' || name === ':scheme' || name === 'authorization' || value === undefined) continue;
      forward[name] = value;
    }
    const call = upstream.request(forward);
    call.on('error', () => stream.close(h2.NGHTTP2_INTERNAL_ERROR));
    let trailers: OutgoingHttpHeaders = {};
    call.on('response', (answer) => {
      const { [h2.HTTP2_HEADER_STATUS]: status, ...rest } = answer;
      // Trailers-only (the status in the headers): pass it on as it is.
      if ('grpc-status' in rest) return void stream.respond({ ':status': status, ...rest }, { endStream: true });
      stream.respond({ ':status': status, ...rest }, { waitForTrailers: true });
      call.pipe(stream);
    });
    call.on('trailers', (t) => (trailers = { ...t }));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.pipe(call);
  });
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  return listen(server as unknown as Server, () => {
    for (const session of sessions) session.destroy();
    upstream.close();
  }, () => refused);
}
