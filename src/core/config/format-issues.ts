// Turn zod issues into one precise problem per key: path, what was found, what was expected.
import type { z } from 'zod';

import type { ConfigProblem } from '../errors.js';

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 77) + '...' : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a table';
  return JSON.stringify(v) ?? typeof v;
}

/** "an integer", "a string": the indefinite article a word takes (by its first letter). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('must')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'object' ? 'a table' : withArticle(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must not be shorter than ${String(issue.minimum)} character(s)`
        : `must be ≥ ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must not be longer than ${String(issue.maximum)} characters`
        : `must be ≤ ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `is invalid: ${issue.message}`;
  }
}

/**
 * A union (`name = "builtin"` or a table) given a table: the table branch's own issues, at their full
 * paths (`tools.x.impl is required`), rather than the union's one-line summary.
 */
function tableBranch(issue: z.core.$ZodIssue, raw: unknown): z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const found = valueAt(raw, issue.path);
  if (typeof found !== 'object' || found === null || Array.isArray(found)) return undefined;
  // The branch that accepted a table: its issues are inside it (a non-empty path), not about its type.
  const branch = issue.errors.find((b) => b.length > 0 && b.every((i) => i.path.length > 0));
  return branch?.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

/** One ConfigProblem per zod issue; `origins` marks keys that came from environment variables. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  origins: ReadonlyMap<string, string>,
  lineOf: (path: readonly (string | number)[]) => number | undefined,
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const table = tableBranch(issue, raw);
    if (table !== undefined) return formatIssues(table, raw, origins, lineOf);
    if (issue.code === 'unrecognized_keys') {
      // Strict tables (a security policy): one problem per unknown key, at its own line.
      return issue.keys.map((key) => {
        const path = [...issue.path.map(String), key];
        const line = lineOf(path);
        return {
          path: path.join('.'),
          message: `is not a known key of this table${line !== undefined ? ` (line ${line})` : ''}`,
          ...(line !== undefined ? { line } : {}),
        };
      });
    }
    const path = issue.path.map(String);
    const dotted = path.join('.');
    const found = valueAt(raw, issue.path);
    const origin = origins.get(dotted);
    const line = origin ? undefined : lineOf(path);
    const where = origin ? ` (from ${origin})` : line !== undefined ? ` (line ${line})` : '';
    const message =
      found === undefined && issue.code === 'invalid_type'
        ? `is required${where}`
        : `${describeValue(found)} ${expectation(issue)}${where}`;
    return [{ path: dotted, message, ...(line !== undefined ? { line } : {}) }];
  });
}
