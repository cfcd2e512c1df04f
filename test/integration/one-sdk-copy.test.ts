// One copy of the tool SDK in the built agent: dist/src imports `@agent2389/tool-sdk` by name, which
// resolves to tool-sdk/dist, the same module a plugin in plugins/ gets; the published agent2389
// package carries no copy of the SDK's code. (The sources are checked in test/tool-sdk/one-copy.test.ts.)
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST_SRC = join(ROOT, 'dist/src');
const SDK = '@agent2389/tool-sdk';

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** The files `npm pack` would publish for the package in `dir` (no scripts run). */
async function packedFiles(dir: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
  });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return pack.files.map((f) => f.path);
}

describe('the built agent runs one copy of the tool SDK', () => {
  it('imports the SDK by name only, resolved to tool-sdk/dist: the module a plugin in plugins/ imports', () => {
    const fromPlugin = createRequire(join(ROOT, 'plugins/calculator/plugin.json'));
    const specs = new Set<string>();
    const wrong: string[] = [];
    for (const file of jsFiles(DIST_SRC)) {
      const where = relative(ROOT, file);
      for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
        .importedFiles) {
        if (spec === SDK || spec.startsWith(`${SDK}/`)) {
          specs.add(spec);
          const resolved = createRequire(file).resolve(spec);
          if (!relative(ROOT, resolved).startsWith('tool-sdk/dist/') || resolved !== fromPlugin.resolve(spec))
            wrong.push(`${where}: ${spec} -> ${resolved}`);
        } else if (spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(`${DIST_SRC}/`)) {
          wrong.push(`${where} imports ${spec}, outside dist/src`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect([...specs]).toEqual(expect.arrayContaining([SDK, `${SDK}/http`])); // the check ran on real imports
  });

  it('the published agent2389 package has its dist/src and no copy of the SDK; the SDK package has its dist', async () => {
    const host = await packedFiles(ROOT);
    expect(host).toContain('dist/src/cli/main.js');
    expect(host).toContain('tool-sdk/schema/plugin.schema.json');
    expect(host.filter((f) => /^(dist\/(?!src\/)|tool-sdk\/(src|dist)\/)/.test(f))).toEqual([]);
    const sdk = await packedFiles(join(ROOT, 'tool-sdk'));
    expect(sdk).toContain('dist/index.js');
    expect(sdk).toContain('dist/http/index.js');
    expect(sdk).toContain('schema/plugin.schema.json');
    expect(sdk.filter((f) => f.startsWith('src/'))).toEqual([]);
  });
});
