// A small seeded generator (mulberry32): property-style test loops and the chaos run's
// moments of kill reproduce from their seed. Plain JavaScript so bench/, chaos/ and the
// tests (through test/support/random.ts) share it.

/** @param {number} seed @returns {() => number} uniform in [0, 1) */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
