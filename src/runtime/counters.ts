// What the processor runtime counts, as plain numbers in memory; the metrics
// issue exports them. One object per runtime, so tests read their own.
import type { RejectionCode } from '../pipeline/rejection.js';

export interface RuntimeCounters {
  /** Inbound records whose outputs (or DLQ record) were committed. */
  recordsCommitted: number;
  /** Of those, records dead-lettered, by rejection code. */
  recordsRejected: Partial<Record<RejectionCode, number>>;
  /** Output records committed (outbound, analytics, workflows; not DLQ). */
  outputsCommitted: number;
  transactionsCommitted: number;
  transactionsAborted: number;
  /** Each time a dependency was found unavailable and a partition paused. */
  dependencyFailures: number;
  /** Partitions paused right now, waiting to retry. */
  partitionsPaused: number;
}

export function createCounters(): RuntimeCounters {
  return {
    recordsCommitted: 0,
    recordsRejected: {},
    outputsCommitted: 0,
    transactionsCommitted: 0,
    transactionsAborted: 0,
    dependencyFailures: 0,
    partitionsPaused: 0,
  };
}
