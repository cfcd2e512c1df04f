// Entries that tests run in child processes, bundled from the current source by test/global-setup.ts.
import { inject } from 'vitest';

/** Name → source file (from the repository root). The bundle of each is `<name>.js`. */
export const SOURCE_ENTRIES = {
  'script-host': 'src/core/sandbox/script-host/main.ts',
  logger: 'src/core/observability/logger.ts',
} as const;

export type SourceEntry = keyof typeof SOURCE_ENTRIES;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Entry name → absolute path of its bundle, built by test/global-setup.ts for this run. */
    sourceBuilt: Record<SourceEntry, string>;
  }
}

/** Absolute path of `name` bundled from the current source for this run. */
export function builtFromSource(name: SourceEntry): string {
  const built = inject('sourceBuilt') as Record<SourceEntry, string> | undefined;
  const path = built?.[name];
  if (path === undefined)
    throw new Error(`${name} was not built: run the tests with vitest.config.ts (globalSetup)`);
  return path;
}
