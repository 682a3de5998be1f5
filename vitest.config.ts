import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tests/e2e drives the UI in Chromium against `upres serve` (see tests/e2e/helpers/browser.ts).
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Inference tests saturate both cores; running files in parallel only makes each slower.
    fileParallelism: false,
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
