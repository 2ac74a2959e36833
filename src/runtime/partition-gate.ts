// The partition gate: pause a partition after a failure, back off, resume.
//
// An unavailable dependency is not bad data: the partition pauses, its position goes
// back to the failing record, and a timer resumes it after an exponential backoff
// with jitter. Other partitions go on. The gate also remembers why each partition is
// held back, for /readyz.
import type { Consumer } from 'kafkajs';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ProcessorMetrics } from '../observability/metrics.js';
import { classifyFailure, describeError } from '../pipeline/errors.js';
import { backoffDelayMs } from './backoff.js';

export interface PartitionGateOptions {
  topic: string;
  config: Pick<Config, 'retryInitialMs' | 'retryMaxMs'>;
  consumer: () => Pick<Consumer, 'pause' | 'resume' | 'seek'>;
  /** False while stopping: then nothing is resumed and no timer keeps the process up. */
  running: () => boolean;
  logger: Logger;
  metrics: ProcessorMetrics;
}

export class PartitionGate {
  // Per partition: consecutive failures (for the backoff), the pending resume, and why it waits.
  private readonly attempts = new Map<number, number>();
  private readonly resumeTimers = new Map<number, NodeJS.Timeout>();
  private readonly pausedFor = new Map<number, string>();

  constructor(private readonly options: PartitionGateOptions) {}

  /** Pauses `partition`, seeks it back to `offset`, and schedules its resume. */
  pauseAndRetry(partition: number, offset: string, error: unknown): void {
    const { topic, config, logger, metrics } = this.options;
    const attempt = (this.attempts.get(partition) ?? 0) + 1;
    this.attempts.set(partition, attempt);
    const delayMs = backoffDelayMs(attempt, { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs });
    const failure = classifyFailure(error);
    metrics.dependencyFailures.inc({ dependency: failure.dependency });
    this.pausedFor.set(partition, `${failure.retriable ? '' : 'unexpected error: '}${describeError(error)}`.slice(0, 300));
    const details = { topic, partition, offset, attempt, retryInMs: delayMs, error: describeError(error) };
    if (failure.retriable) logger.warn(details, 'dependency unavailable: partition paused, will retry from this offset');
    else logger.error({ ...details, err: error }, 'unexpected error in the runtime: partition paused, will retry from this offset');

    const consumer = this.options.consumer();
    consumer.pause([{ topic, partitions: [partition] }]);
    consumer.seek({ topic, partition, offset });
    // Stopping: nothing was committed past the offset; no timer may keep the process up.
    if (!this.options.running()) return;
    clearTimeout(this.resumeTimers.get(partition));
    this.resumeTimers.set(partition, setTimeout(() => {
      this.resumeTimers.delete(partition);
      if (this.options.running()) this.options.consumer().resume([{ topic, partitions: [partition] }]);
    }, delayMs));
  }

  /** A commit went through: the partition's backoff starts over and it is no longer held back. */
  succeeded(partition: number): void {
    this.attempts.delete(partition);
    this.pausedFor.delete(partition);
  }

  /** After a rebalance: partitions this member no longer owns are not its concern. */
  retain(assigned: readonly number[]): void {
    for (const partition of this.pausedFor.keys()) if (!assigned.includes(partition)) this.pausedFor.delete(partition);
  }

  /** Partitions paused right now, waiting for their resume. */
  get pausedCount(): number {
    return this.resumeTimers.size;
  }

  /** Why partitions are held back, in partition order. */
  reasons(): string[] {
    return [...this.pausedFor].sort(([a], [b]) => a - b).map(([partition, reason]) => `partition ${partition} paused: ${reason}`);
  }

  /** Stopping: no resume is pending any more. */
  clear(): void {
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
    this.pausedFor.clear();
  }
}
