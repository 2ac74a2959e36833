// What can go wrong when encoding or decoding, split by what the caller must do:
// BadDataError — the record itself is bad; it goes to the DLQ with its code and field.
// RegistryUnavailableError — a dependency is down; pause and retry, never DLQ.
// InvalidValueError — our own code tried to encode a value its schema rejects (a bug
// or bad CLI input), reported with the field path.

export type BadDataCode = 'WIRE_FORMAT' | 'UNKNOWN_SCHEMA' | 'DECODE_ERROR' | 'SCHEMA_MISMATCH';

export class BadDataError extends Error {
  constructor(
    readonly code: BadDataCode,
    message: string,
    /** Field path (e.g. `location.lat`) when the problem is in one field. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BadDataError';
  }
}

/** Not Confluent-framed: too short or the magic byte is not 0. */
export class WireFormatError extends BadDataError {
  constructor(message: string) {
    super('WIRE_FORMAT', message);
    this.name = 'WireFormatError';
  }
}

/** The registry answered that the schema id does not exist. */
export class UnknownSchemaError extends BadDataError {
  constructor(readonly schemaId: number, detail: string) {
    super('UNKNOWN_SCHEMA', `schema id ${schemaId} is not in the registry (${detail})`);
    this.name = 'UnknownSchemaError';
  }
}

/** The body does not decode with its writer schema (truncated, trailing bytes, invalid values). */
export class DecodeError extends BadDataError {
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super('DECODE_ERROR', message, field, options);
    this.name = 'DecodeError';
  }
}

/** Written with another record's schema, or a writer schema that cannot be read as ours. */
export class SchemaMismatchError extends BadDataError {
  constructor(message: string, field?: string) {
    super('SCHEMA_MISMATCH', message, field);
    this.name = 'SchemaMismatchError';
  }
}

/** The schema registry cannot be reached or is failing (network, timeout, 5xx, 429). */
export class RegistryUnavailableError extends Error {
  constructor(message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryUnavailableError';
  }
}

/** The registry rejected a request for another reason (4xx other than "not found" on decode). */
export class RegistryRequestError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'RegistryRequestError';
  }
}

/** A value handed to `encode` does not match its schema; `field` is the first bad path. */
export class InvalidValueError extends Error {
  constructor(readonly topic: string, readonly field: string, readonly fields: string[], detail: string) {
    super(`invalid ${topic} value: ${detail}`);
    this.name = 'InvalidValueError';
  }
}
