// One copy of the tool SDK: the host imports `@agent2389/tool-sdk` by name, the production build resolves
// it to tool-sdk/dist (never compiling tool-sdk/src into the host's dist/), while the type check and
// vitest use its current source. The built output is checked in test/integration/one-sdk-copy.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';
import { parseHttpConfig } from '@agent2389/tool-sdk/http';
import { MockProvider } from '@agent2389/tool-sdk/testing';
import { ToolError as SourceToolError } from '../../tool-sdk/src/index.js';
import { parseHttpConfig as sourceParseHttpConfig } from '../../tool-sdk/src/http/index.js';
import { MockProvider as SourceMockProvider } from '../../tool-sdk/src/testing/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SDK_DIR = join(ROOT, 'tool-sdk');
const rel = (file: string): string => relative(ROOT, file);

/** A tsconfig of this repository, parsed as tsc parses it (extends followed). */
function tsconfig(name: string): ts.ParsedCommandLine {
  const file = join(ROOT, name);
  const read = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const config = read.config as object; // parsed JSON, checked by parseJsonConfigFileContent
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
}

/** Where `specifier` imported from src/index.ts resolves under `options`; tool-sdk/dist counts as built. */
function resolveFromSrc(specifier: string, options: ts.CompilerOptions): string | undefined {
  const host: ts.ModuleResolutionHost = {
    ...ts.sys,
    // The build runs after `npm run build -w @agent2389/tool-sdk`: pretend its declarations exist.
    fileExists: (f) => (f.startsWith(join(SDK_DIR, 'dist/')) && f.endsWith('.d.ts')) || ts.sys.fileExists(f),
  };
  const r = ts.resolveModuleName(specifier, join(ROOT, 'src/index.ts'), options, host);
  return r.resolvedModule && rel(r.resolvedModule.resolvedFileName);
}

/** Every file a program of `roots` reaches by relative imports, and the imports that lead into tool-sdk/. */
function relativeClosure(roots: readonly string[]): { files: Set<string>; intoSdk: string[] } {
  const files = new Set<string>();
  const intoSdk: string[] = [];
  const queue = roots.filter((f) => f.endsWith('.ts'));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (target.startsWith(`${SDK_DIR}/`)) intoSdk.push(`${rel(file)} imports ${spec}`);
      else if (existsSync(target)) queue.push(target);
    }
  }
  return { files, intoSdk };
}

describe('one copy of the tool SDK', () => {
  it('vitest runs the SDK from its source, whichever way a test imports it', () => {
    expect(ToolError).toBe(SourceToolError);
    expect(parseHttpConfig).toBe(sourceParseHttpConfig);
    expect(MockProvider).toBe(SourceMockProvider);
  });

  it('the type check resolves @agent2389/tool-sdk to its source, not a stale tool-sdk/dist', () => {
    const { options } = tsconfig('tsconfig.json');
    expect(resolveFromSrc('@agent2389/tool-sdk', options)).toBe('tool-sdk/src/index.ts');
    expect(resolveFromSrc('@agent2389/tool-sdk/http', options)).toBe('tool-sdk/src/http/index.ts');
    expect(resolveFromSrc('@agent2389/tool-sdk/testing', options)).toBe('tool-sdk/src/testing/index.ts');
  });

  it.each(['tsconfig.build.json', 'tsconfig.bench.json'])(
    '%s resolves @agent2389/tool-sdk to its built declarations and compiles none of its source',
    (name) => {
      const parsed = tsconfig(name);
      expect(resolveFromSrc('@agent2389/tool-sdk', parsed.options)).toBe('tool-sdk/dist/index.d.ts');
      expect(resolveFromSrc('@agent2389/tool-sdk/http', parsed.options)).toBe(
        'tool-sdk/dist/http/index.d.ts',
      );
      const { files, intoSdk } = relativeClosure(parsed.fileNames);
      expect(files.has(join(ROOT, 'src/cli/main.ts'))).toBe(true);
      expect(intoSdk).toEqual([]);
    },
  );

  it('the SDK does not depend on agent2389 (no cycle): no import of it, not even by a computed specifier', () => {
    const sdkFiles = ts.sys.readDirectory(join(SDK_DIR, 'src'), ['.ts']);
    expect(sdkFiles.length).toBeGreaterThan(10);
    const naming = sdkFiles.filter((f) => /['"`]agent2389(\/[^'"`]*)?['"`]/.test(readFileSync(f, 'utf8')));
    expect(naming.map(rel)).toEqual([]);
    const sdkPkg = readFileSync(join(SDK_DIR, 'package.json'), 'utf8');
    expect(JSON.parse(sdkPkg)).not.toHaveProperty(['peerDependencies', 'agent2389']);
    expect(JSON.parse(sdkPkg)).not.toHaveProperty(['dependencies', 'agent2389']);
  });

  it('the installed agent2389 package depends on the SDK it imports', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['@agent2389/tool-sdk']).toBeDefined();
  });

  it("the container image carries the SDK's build next to the agent's", () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^COPY --from=build \/app\/tool-sdk\/dist \.\/tool-sdk\/dist$/m);
    expect(runtime).toMatch(/^COPY tool-sdk\/package\.json \.\/tool-sdk\/$/m);
  });
});
