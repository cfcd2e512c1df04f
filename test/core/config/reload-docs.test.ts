// docs/configuration.md's hot-reload table names every config key with the way it really applies.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

import { applyModeOf } from '../../../src/core/config/diff.js';
import { configSchema } from '../../../src/core/config/schema.js';
import { objectShape } from '../../../src/core/config/shape.js';

const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** Every dotted key of the schema; `[tools]` entries are one key, `tools.NAME`. */
function schemaKeys(shape: Record<string, z.ZodType>, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([k, v]) => {
    const key = prefix + k;
    if (key === 'tools') return ['tools.NAME'];
    const sub = objectShape(v);
    return sub ? schemaKeys(sub, `${key}.`) : [key];
  });
}

/** key → mode, from the table rows `| \`a\`, \`b\` (note) | live |`. */
function documentedModes(): Map<string, string> {
  const section = doc.slice(doc.indexOf('## Hot reload'), doc.indexOf('## Environment overrides'));
  const modes = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const mode = cells[2];
    if (!mode || !['live', 'reconnect', 'restart'].includes(mode)) continue;
    for (const [, key] of cells[1]!.matchAll(/`([a-z_.A-Z]+)`/g)) modes.set(key!, mode);
  }
  return modes;
}

describe('docs/configuration.md hot reload table', () => {
  const modes = documentedModes();
  it.each(schemaKeys(objectShape(configSchema)!))('%s is listed with how it applies', (key) => {
    expect(modes.get(key)).toBe(applyModeOf(key === 'tools.NAME' ? 'tools.x' : key));
  });
});
