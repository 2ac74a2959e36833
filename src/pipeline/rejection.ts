// Why an inbound event was rejected: the reason a DLQ record carries in its headers.
import type { BadDataError } from '../codec/errors.js';

export type RejectionCode =
  // layer 1: wire framing
  | 'WIRE_FORMAT'
  // layer 2: schema
  | 'UNKNOWN_SCHEMA'
  | 'DECODE_ERROR'
  | 'SCHEMA_MISMATCH'
  // layer 3: meaning
  | 'INVALID_EVENT'
  // the event was valid but its processor failed on it for a reason that is not a
  // dependency outage (a bug, or an output its schema refuses); dead-lettered so an
  // operator can replay it after the fix, instead of blocking the partition forever
  | 'PROCESSING_ERROR';

export interface Rejection {
  code: RejectionCode;
  /** The offending field (dotted path), or null when the problem is not one field's. */
  field: string | null;
  message: string;
}

/** Layers 1 and 2: the codec already classified the problem. */
export function rejectionFromBadData(error: BadDataError): Rejection {
  return { code: error.code, field: error.field ?? null, message: error.message };
}
