// Where `@agent2389/tool-sdk[/sub]` is in the SDK's TypeScript source: its package.json's
// `agent2389-source` export condition (the one tsconfig.json's customConditions uses for the type check).
// Vitest and the test bundles resolve the SDK through this, never through a possibly stale tool-sdk/dist.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NAME = '@agent2389/tool-sdk';
const SDK_DIR = new URL('../../tool-sdk/', import.meta.url);

type Exports = Record<string, string | Record<string, string>>;
const { exports } = JSON.parse(readFileSync(new URL('package.json', SDK_DIR), 'utf8')) as {
  exports: Exports;
};

/** The source file for an import of the SDK by name (`@agent2389/tool-sdk`, `…/http`), else undefined. */
export function toolSdkSource(specifier: string): string | undefined {
  if (specifier !== NAME && !specifier.startsWith(`${NAME}/`)) return undefined;
  const entry = exports[`.${specifier.slice(NAME.length)}`];
  const target = typeof entry === 'object' ? entry['agent2389-source'] : undefined;
  return target === undefined ? undefined : fileURLToPath(new URL(target, SDK_DIR));
}
