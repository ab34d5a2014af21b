import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'core/**/*.test.ts', 'workers/**/*.test.ts', 'dashboard/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Training tests are CPU-bound: two workers for a two-core machine.
    maxWorkers: 2,
  },
});
