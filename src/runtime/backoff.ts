// How long to wait before retrying an unavailable dependency.
//
// Exponential, capped, with "equal jitter": half the delay is fixed and half
// random, so partitions that failed together do not retry together, yet no retry
// comes back almost at once and hammers a dependency that is still down.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Delay before retry number `attempt` (1 for the first retry). `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
