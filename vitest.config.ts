import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './vitest.summary-reporter.ts'],
    // Fails the run if a test left a process, lambdaspec-* temp folder, listening socket or container behind.
    // Before that, dist/ is rebuilt if stale: tests that spawn bin/lambdaspec.mjs run the compiled CLI.
    globalSetup: ['harness/testing/ensure-built.ts', 'harness/testing/leaks/global-setup.ts'],
    include: ['harness/**/*.test.ts', 'runtimes-under-test/**/*.test.ts', 'suites/**/*.test.ts'],
    // Tests spawn real runtime processes; two cores, so keep parallelism modest and timeouts generous.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
