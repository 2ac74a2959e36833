import { defineConfig } from 'vitest/config';

// Unit tests need nothing; integration and e2e tests need the local stack, which
// the global setup brings up (the same script as `npm run stack:up`) when it is down.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: a few files at once keeps the broker responsive.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
