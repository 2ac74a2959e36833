// How x7 reaches the schema registry over HTTP(S): the URL (never with credentials in
// it), basic auth (SCHEMA_REGISTRY_BASIC_AUTH) and, for https, the CA of
// SCHEMA_REGISTRY_CA_FILE in an https.Agent. The codec's client
// (@kafkajs/confluent-schema-registry, registry-client.ts) takes the same auth and agent;
// `x7 schemas`, the readiness probe and the start-up check use registryHttp below.
//
// Why not fetch: Node's fetch takes no CA (only NODE_EXTRA_CA_CERTS, for the whole
// process and only when set before it starts), and it refuses URLs with credentials.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Config } from '../config.js';
import type { BasicAuth } from '../secure-config.js';

export type RegistryConfig = Pick<Config, 'schemaRegistryUrl' | 'schemaRegistryAuth' | 'schemaRegistryCa'>;

/** Where the registry is and how to authenticate to it. */
export interface RegistryTarget {
  /** Base URL of the Confluent-compatible API, without credentials. */
  url: string;
  auth: BasicAuth | null;
  /** PEM of the CA the registry's certificate chains to; null: Node's CA store. */
  ca: string | null;
}

/** A target from the configuration, or from a bare URL (a local registry without auth). */
export function registryTarget(config: RegistryConfig | RegistryTarget | string): RegistryTarget {
  if (typeof config === 'string') return { url: config, auth: null, ca: null };
  if ('url' in config) return config;
  return { url: config.schemaRegistryUrl, auth: config.schemaRegistryAuth ?? null, ca: config.schemaRegistryCa ?? null };
}

// One keep-alive agent per CA: every client of the same registry shares its connections.
const agents = new Map<string, HttpsAgent>();

/** The https.Agent that trusts the target's CA; undefined when there is none to add. */
export function registryAgent(target: RegistryTarget): HttpsAgent | undefined {
  if (target.ca === null || !target.url.startsWith('https:')) return undefined;
  let agent = agents.get(target.ca);
  if (!agent) {
    agent = new HttpsAgent({ ca: target.ca, keepAlive: true });
    agents.set(target.ca, agent);
  }
  return agent;
}

export function basicAuthorization(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

export interface RegistryAnswer {
  status: number;
  text: string;
}

/**
 * One request to the registry; resolves with any HTTP answer (the caller judges the
 * status), rejects with the socket's or TLS's error (its `code`: ECONNREFUSED,
 * SELF_SIGNED_CERT_IN_CHAIN …) or a timeout (code ETIMEDOUT).
 */
export function registryHttp(
  config: RegistryConfig | RegistryTarget | string,
  method: string,
  path: string,
  options: { body?: string; contentType?: string; timeoutMs: number },
): Promise<RegistryAnswer> {
  const target = registryTarget(config);
  const url = new URL(`${target.url.replace(/\/+$/, '')}${path}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  if (target.auth) headers.authorization = basicAuthorization(target.auth);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<RegistryAnswer>((resolve, reject) => {
    const agent = registryAgent(target);
    const request = send(url, { method, headers, ...(agent ? { agent } : {}) }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeoutMs, () => {
      request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
