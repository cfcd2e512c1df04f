// Comments, tests and docs cite documents that are in the repository, and sections of docs/protocol.md
// that exist: a reader can look up every reference.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', 'coverage', '.git']);

/** Files under `dir` whose name matches `pattern`, skipping dependencies and build output. */
function walk(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path, pattern);
    return e.isFile() && pattern.test(e.name) ? [path] : [];
  });
}

const sources = [
  ...['src', 'tool-sdk/src', 'plugins', 'test', 'bench', 'examples', 'scripts'].flatMap((d) =>
    existsSync(join(root, d)) ? walk(join(root, d), /\.(ts|js|mjs|toml)$/) : [],
  ),
  join(root, 'eslint.config.js'),
];
const docs = [...walk(join(root, 'docs'), /\.md$/), join(root, 'README.md')];
const protocol = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');
const sections = new Set([...protocol.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)].map((m) => m[1]!));

/** The comments of a source file (a file name in a string is test data). */
function commentsOf(text: string): string {
  return text
    .split('\n')
    .map((line) => /^\s*(?:\/\/|\/?\*)(.*)$/.exec(line)?.[1] ?? /\s\/\/\s(.*)$/.exec(line)?.[1] ?? '')
    .join('\n');
}

/** A cited `.md` exists next to the citing file, from the repository root, or (a bare name) in docs/. */
function exists(cited: string, from: string): boolean {
  const file = cited.replace(/#.*$/, '');
  return [join(dirname(from), file), join(root, file), join(root, 'docs', file)].some((p) => existsSync(p));
}

describe('document references', () => {
  it('every .md file named in comments of code, tests and examples, and in docs, is in the repository', () => {
    const text = (f: string): string => {
      const content = readFileSync(f, 'utf8');
      return f.endsWith('.md') ? content : commentsOf(content);
    };
    const missing = [...sources, ...docs].flatMap((f) =>
      [...text(f).matchAll(/(?<![\w/.-])([\w./-]*[\w-]\.md)\b/g)]
        .map((m) => m[1]!)
        .filter((cited) => !/^https?:/.test(cited) && !exists(cited, f))
        .map((cited) => `${relative(root, f)}: ${cited}`),
    );
    expect(missing).toEqual([]);
  });

  it('every docs/protocol.md §N cited exists as a section', () => {
    expect(sections.size).toBeGreaterThanOrEqual(15);
    const cites = [...sources, ...docs].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/protocol\.md\)?,? (§[\d.]+(?:[–, ]+§?[\d.]+)*)/g)].flatMap((m) =>
        [...m[1]!.matchAll(/\d+(?:\.\d+)?/g)].map((s) => ({ section: s[0], where: relative(root, f) })),
      ),
    );
    expect(cites.length).toBeGreaterThan(20);
    expect(cites.filter((c) => !sections.has(c.section))).toEqual([]);
  });
});
