import { describe, expect, it } from 'vitest';
import { RegistryRequestError, RegistryUnavailableError } from '../../src/codec/errors.js';
import { NO_RESPONSE_STATUS, registryFailure, registryStatus } from '../../src/codec/registry-client.js';

/** The shape of @kafkajs/confluent-schema-registry's ResponseError. */
function responseError(status: number, message: string): Error {
  return Object.assign(new Error(`x7 - ${message}`), { status });
}

describe('registry error classification', () => {
  it('tells a request that got no answer (reported by the library as a 400) from a real 400', () => {
    expect(registryStatus(responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:1'))).toBe(NO_RESPONSE_STATUS);
    expect(registryStatus(responseError(400, 'Error, status 400: Timeout (300ms)'))).toBe(NO_RESPONSE_STATUS);
    expect(registryStatus(responseError(400, 'Invalid schema'))).toBe(400);
    expect(registryStatus(new Error('no status'))).toBeUndefined();
  });

  it.each([NO_RESPONSE_STATUS, 408, 429, 500, 503])('treats status %i as the registry being unavailable', (status) => {
    const error = registryFailure(Object.assign(new Error('x7 - busy'), { status }), 'fetching schema id 3', 'http://r');
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toContain('schema registry at http://r is unavailable');
  });

  it('treats other 4xx answers as a refused request, not as unavailability', () => {
    const error = registryFailure(responseError(422, 'Invalid schema'), 'registering', 'http://r');
    expect(error).toBeInstanceOf(RegistryRequestError);
    expect(error.message).toBe('schema registry refused registering (HTTP 422): Invalid schema');
  });
});
