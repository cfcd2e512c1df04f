import { defineConfig } from 'vitest/config';

import { toolSdkSource } from './test/helpers/tool-sdk-source.js';

export default defineConfig({
  // `@agent2389/tool-sdk` (a workspace link) → its TypeScript source, never a stale tool-sdk/dist. A plugin,
  // not ssr.resolve.conditions: vitest hands those to node as --conditions, where a .ts file cannot load.
  plugins: [
    { name: 'tool-sdk-source', enforce: 'pre', resolveId: (id: string) => toolSdkSource(id) ?? null },
  ],
  test: {
    // Bundles the script host (and other child-process entries) from the current source once per run.
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // `vitest run --coverage` (npm test, npm run coverage): v8 coverage of the runtime and the tool SDK over unit and
    // integration tests. Code run only in child processes (agents started from dist/, subprocess tools) is not counted.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'tool-sdk/src/**/*.ts'],
      exclude: ['**/*.d.ts', '**/*.test.ts', '**/*.test-d.ts'],
      reporter: ['text-summary', ['text', { skipFull: true }], 'html', 'json-summary'],
      // The figures are printed even when a test fails (the run fails anyway).
      reportOnFailure: true,
      thresholds: {
        'src/**': { lines: 80, branches: 80 },
        'tool-sdk/src/**': { lines: 80, branches: 80 },
      },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          // Generous for a loaded 2-core machine (real subprocesses, isolates, brokers); a test's own waits
          // stay well below it so that they, not this timeout, report what went wrong.
          testTimeout: 30_000,
          hookTimeout: 30_000,
          exclude: ['test/integration/**'],
          // Type tests (`expectTypeOf` in *.test-d.ts) are checked by tsc, not run.
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
