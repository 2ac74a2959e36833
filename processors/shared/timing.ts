// Stage timing: one wrapper, so every stage is measured the same way and reported
// both to the analytics fact (latencies) and to the runtime's metrics.
import type { ProcessingContext, ProcessorStage } from '../../src/pipeline/processor.js';

export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** Runs a stage, recording how long it took in `latencies[stage]` and in the metrics. */
export async function timed<T>(context: ProcessingContext, latencies: Record<string, number>, stage: ProcessorStage, body: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await body();
  latencies[stage] = elapsedMs(started);
  context.observeStage?.(stage, latencies[stage]);
  return result;
}
