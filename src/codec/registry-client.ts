// The schema registry client used by the codec (@kafkajs/confluent-schema-registry),
// set up so that failures are quick and classified:
// - every request times out (a stopped registry must not hang a partition);
// - no retries here: the caller (the processor's pause-and-retry) owns retrying;
// - network errors and timeouts, which the library reports as "status 400", are
//   told apart from a real 400 (see registryStatus) and counted as unavailability.
import registryPkg from '@kafkajs/confluent-schema-registry';
import { avroOptions } from './avro.js';
import { RegistryRequestError, RegistryUnavailableError } from './errors.js';
import { registryAgent, registryTarget, type RegistryConfig } from './registry-http.js';

const { SchemaRegistry, SchemaType } = registryPkg;
export type SchemaRegistryClient = InstanceType<typeof SchemaRegistry>;

export const DEFAULT_REGISTRY_TIMEOUT_MS = 5_000;
/** Status given to requests that got no HTTP answer (connection refused, reset, timeout). */
export const NO_RESPONSE_STATUS = 599;

interface MappersmithRequest {
  enhance(extras: { timeout?: number }): MappersmithRequest;
}

const withTimeout = (timeoutMs: number) => () => ({
  request: (request: MappersmithRequest) => request.enhance({ timeout: timeoutMs }),
});

/**
 * The codec's registry client. Basic auth (SCHEMA_REGISTRY_BASIC_AUTH) goes through the
 * library's `auth`, the CA of SCHEMA_REGISTRY_CA_FILE through its `agent` (registry-http.ts).
 */
export function createSchemaRegistry(config: RegistryConfig, timeoutMs = DEFAULT_REGISTRY_TIMEOUT_MS): SchemaRegistryClient {
  const target = registryTarget(config);
  const agent = registryAgent(target);
  return new SchemaRegistry(
    {
      host: target.url,
      clientId: 'x7',
      ...(target.auth ? { auth: { username: target.auth.username, password: target.auth.password } } : {}),
      ...(agent ? { agent } : {}),
      retry: { retries: 0 },
      // The library's middleware type is mappersmith's, which it does not re-export.
      middlewares: [withTimeout(timeoutMs) as never],
    },
    // The library spreads these into a new object per schema, so one object is safe here.
    { [SchemaType.AVRO]: avroOptions() },
  );
}

/** HTTP status of a registry client error, when it has one. */
export function registryStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return undefined;
  // mappersmith turns a request that got no answer (refused, reset, timed out) into a
  // fake 400 response whose body is the error text, and the library's ResponseError
  // then says "Error, status 400: <text>". A real answer from the registry is JSON
  // with a message, which the library prints instead. The raw response is not kept,
  // so the message is the only place where the two differ.
  if (status === 400 && error instanceof Error && /^[^-]* - Error, status 400: /.test(error.message)) return NO_RESPONSE_STATUS;
  return status;
}

/** The registry's own words, without the client id prefix the library adds. */
export function registryMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^x7 - /, '');
}

export function isUnavailableStatus(status: number): boolean {
  return status === NO_RESPONSE_STATUS || status === 408 || status === 429 || status >= 500;
}

/**
 * Turns a failed registry call into RegistryUnavailableError (try again later) or
 * RegistryRequestError (the registry refused); other errors pass through.
 */
export function registryFailure(error: unknown, what: string, registryUrl: string): Error {
  const status = registryStatus(error);
  if (status === undefined) return error instanceof Error ? error : new Error(String(error));
  if (isUnavailableStatus(status)) {
    const reason = status === NO_RESPONSE_STATUS ? 'no answer' : `HTTP ${status}`;
    return new RegistryUnavailableError(`schema registry at ${registryUrl} is unavailable (${reason}) while ${what}: ${registryMessage(error)}`, status, { cause: error });
  }
  return new RegistryRequestError(`schema registry refused ${what} (HTTP ${status}): ${registryMessage(error)}`, status);
}
