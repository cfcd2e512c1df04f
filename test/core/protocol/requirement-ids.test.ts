// The requirement ids (FR-, NFR-, RULE-, OPT-) of docs/protocol.md §10: every id named in the code, tests
// and docs is defined there, and every defined id is checked by at least one test that names it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const doc = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');
const ID = /\b(?:FR|NFR|RULE|OPT)-\d{3}\b/g;

/** Files under `dir` (relative to the repository) whose name matches `pattern`, without node_modules. */
function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.includes('/node_modules/'));
}

const [body = '', idSection = ''] = doc.split(/^## 10\. Requirement ids$/m);
/** The §10 table: id → the sections it cites and its one-line statement. */
const table = new Map(
  [...idSection.matchAll(/^\|\s*((?:FR|NFR|RULE|OPT)-\d{3})\s*\|([^|]*)\|([^|]*)\|\s*$/gm)].map((m) => [
    m[1]!,
    { sections: m[2]!.trim(), statement: m[3]!.trim() },
  ]),
);
const headings = new Set([...body.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)].map((m) => m[1]!));

/** Each id named in the given files, with the file. */
function namedIn(files: readonly string[], text: (content: string) => string = (c) => c) {
  return files.flatMap((f) =>
    [...text(readFileSync(f, 'utf8')).matchAll(ID)].map((m) => ({ id: m[0], where: relative(root, f) })),
  );
}

describe('docs/protocol.md §10 requirement ids', () => {
  it('lists each id once, with a statement and sections that exist', () => {
    expect(table.size).toBeGreaterThanOrEqual(20);
    const rows = idSection.match(/^\|\s*(?:FR|NFR|RULE|OPT)-\d{3}\s*\|/gm) ?? [];
    expect(rows).toHaveLength(table.size);
    for (const [id, { sections, statement }] of table) {
      expect(statement.length, id).toBeGreaterThan(10);
      const cited = [...sections.matchAll(/§(\d+(?:\.\d+)?)/g)].map((m) => m[1]!);
      expect(cited.length, id).toBeGreaterThan(0);
      expect(
        cited.filter((s) => !headings.has(s)),
        id,
      ).toEqual([]);
    }
  });

  it('tags in the sections and rows of the table are the same ids', () => {
    const tagged = new Set(body.match(ID));
    expect([...tagged].sort()).toEqual([...table.keys()].sort());
  });

  it('every id named in src/, tool-sdk/, plugins/, docs/, bench/ and test/ is defined in the table', () => {
    const files = [
      ...['src', 'tool-sdk/src', 'plugins', 'bench', 'test'].flatMap((d) => filesUnder(d, /\.(ts|js|mjs)$/)),
      ...filesUnder('docs', /\.md$/).filter((f) => !f.endsWith('protocol.md')),
      join(root, 'README.md'),
    ];
    const named = namedIn(files);
    expect(named.length).toBeGreaterThan(100);
    expect(named.filter(({ id }) => !table.has(id))).toEqual([]);
  });

  it('every id in the table is named by at least one test', () => {
    // Named in a string (a test or suite title), not only in a comment.
    const strings = (content: string): string =>
      [...content.matchAll(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g)].map((m) => m[0]).join('\n');
    const tested = new Set(namedIn(filesUnder('test', /\.test\.ts$/), strings).map((n) => n.id));
    expect([...table.keys()].filter((id) => !tested.has(id))).toEqual([]);
  });
});
