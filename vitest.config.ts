import { defineConfig } from 'vitest/config';

// Unit tests need nothing; integration and e2e tests need the local stack, which
// the global setup brings up (the same script as `npm run stack:up`) when it is down.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: a spawned process on a loaded 2-core machine can take a while to join its group.
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // Two cores and the whole stack on them: two test files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
