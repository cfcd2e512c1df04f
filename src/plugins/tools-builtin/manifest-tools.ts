// The tools' descriptions and parameter schemas come from plugin.json, the single source of truth.
import { readFileSync } from 'node:fs';

import type { ToolDescriptionV1 } from '@agent2389/tool-sdk';

interface ManifestTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

const manifest = JSON.parse(readFileSync(new URL('./plugin.json', import.meta.url), 'utf8')) as {
  tools: ManifestTool[];
};

/** `describe()` for the named tool, exactly as plugin.json declares it. */
export function describeFromManifest(name: string): ToolDescriptionV1 {
  const tool = manifest.tools.find((t) => t.name === name);
  if (!tool) throw new Error(`tools-builtin: plugin.json declares no tool "${name}"`);
  return { name: tool.name, description: tool.description, parameters: structuredClone(tool.parameters) };
}
