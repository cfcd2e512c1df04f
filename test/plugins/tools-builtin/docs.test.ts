// docs/tools.md documents every ToolError code the built-in tools can throw, and nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pluginDir = join(root, 'src/plugins/tools-builtin');
/** The HTTP codes live in the tool-sdk's URL-policy module, which http_request uses. */
const codeDirs = [pluginDir, join(root, 'tool-sdk/src/http')];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const CODE = /'((?:HTTP|FILE|SEARCH)_[A-Z_]+)'/g;
const inSource = new Set(
  codeDirs.flatMap(sourceFiles).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(CODE)].map((m) => m[1]!)),
);
const docs = readFileSync(join(root, 'docs/tools.md'), 'utf8');
const inDocs = new Set([...docs.matchAll(/^\| `((?:HTTP|FILE|SEARCH)_[A-Z_]+)`/gm)].map((m) => m[1]!));

describe('docs/tools.md', () => {
  it('has a row for every tool error code in src/plugins/tools-builtin, and no stale rows', () => {
    expect(inSource.size).toBeGreaterThan(20);
    expect([...inDocs].sort()).toEqual([...inSource].sort());
  });

  it('documents every tool and every config key of plugin.json', () => {
    const manifest = JSON.parse(readFileSync(join(pluginDir, 'plugin.json'), 'utf8')) as {
      tools: Array<{
        name: string;
        parameters: { properties: object };
        configSchema: { properties: object };
      }>;
    };
    for (const tool of manifest.tools) {
      expect(docs).toContain(
        `## ${tool.name.startsWith('file_') ? 'file_read, file_write, file_list' : tool.name}`,
      );
      for (const key of [
        ...Object.keys(tool.parameters.properties),
        ...Object.keys(tool.configSchema.properties),
      ])
        expect(docs, `${tool.name}.${key}`).toContain(`\`${key}\``);
    }
  });
});
