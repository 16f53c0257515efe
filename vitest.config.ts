import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tensor tests are CPU-heavy; two cores means two workers at most.
    maxWorkers: 2,
    pool: 'forks',
  },
});
