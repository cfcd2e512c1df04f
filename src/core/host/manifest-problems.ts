// Turn ajv errors for plugin.json into problems that say what was expected and what was found.
import type { ErrorObject } from 'ajv';

import type { ManifestProblem } from '../errors.js';

type Json = Record<string, unknown>;

/** Plain words for the schema's patterns; others are quoted as regular expressions. */
const PATTERN_WORDS: Record<string, string> = {
  '^[a-z0-9]+(-[a-z0-9]+)*$': 'kebab-case (a-z, 0-9, single hyphens)',
  '^[a-z0-9][a-z0-9._-]*$': 'a lowercase id (a-z, 0-9, ".", "_", "-")',
  '^[a-zA-Z0-9_-]{1,64}$': '1–64 letters, digits, "_" or "-"',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an environment variable name',
  '^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$': 'an MCP server name (letters, digits, "-", single "_")',
};

const SEMVER_PATTERN_START = '^(0|[1-9]\\d*)\\.';

function patternWords(pattern: string): string {
  if (pattern.startsWith(SEMVER_PATTERN_START)) return 'a semver version such as 1.0.0';
  return PATTERN_WORDS[pattern] ?? `a string matching ${pattern}`;
}

/** "an integer", "a string": the indefinite article a word takes (by its first letter). */
const withArticle = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

/** A short rendering of the offending value. */
export function found(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

/** "an integer ≥ 1", "a string", … from the schema node that failed. */
function expected(schema: Json): string {
  const types =
    typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : [];
  const words = [types.length > 0 ? types.map((t) => withArticle(String(t))).join(' or ') : 'a value'];
  if (typeof schema.minimum === 'number') words.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number') words.push(`≤ ${schema.maximum}`);
  return words.join(' ');
}

const child = (pointer: string, key: string): string =>
  `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

function toProblem(e: ErrorObject, executorTypes: readonly string[]): ManifestProblem | undefined {
  // An object key that breaks `propertyNames` is reported at the key itself.
  const at = e.propertyName === undefined ? e.instancePath : child(e.instancePath, e.propertyName);
  const params = e.params as Json;
  const parent = (e.parentSchema ?? {}) as Json;
  const what = found(e.data);
  switch (e.keyword) {
    case 'propertyNames':
      return undefined; // its inner error (the name's pattern) says what is wrong
    case 'required':
      return { pointer: child(at, String(params.missingProperty)), message: 'is required, found nothing' };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {}).join(', ');
      return { pointer: child(at, name), message: `unknown property "${name}" (allowed: ${allowed})` };
    }
    case 'type':
    case 'minimum':
    case 'maximum':
      return { pointer: at, message: `must be ${expected(parent)}, found ${what}` };
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}, found ${what}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { pointer: at, message: `must be one of ${allowed}, found ${what}` };
    }
    case 'pattern': {
      return { pointer: at, message: `must be ${patternWords(String(params.pattern))}, found ${what}` };
    }
    case 'minLength':
      return { pointer: at, message: `must not be empty, found ${what}` };
    case 'maxLength':
      return {
        pointer: at,
        message: `must be at most ${String(params.limit)} characters, found ${String((e.data as string).length)}`,
      };
    case 'uniqueItems':
      return {
        pointer: child(at, String(params.i)),
        message: `repeats item ${String(params.j)} (${found((e.data as unknown[])[Number(params.i)])})`,
      };
    case 'discriminator': {
      const tag = (e.data as Json)[String(params.tag)];
      if (tag === undefined) return undefined; // reported by `required`
      const allowed = executorTypes.map((t) => JSON.stringify(t)).join(', ');
      return {
        pointer: child(at, String(params.tag)),
        message: `must be one of ${allowed}, found ${found(tag)}`,
      };
    }
    default:
      return { pointer: at, message: `${e.message ?? 'is invalid'}, found ${what}` };
  }
}

/** Every ajv error as a problem (deduplicated, in ajv's order). Needs ajv's `verbose: true`. */
export function schemaProblems(
  errors: readonly ErrorObject[],
  executorTypes: readonly string[],
): ManifestProblem[] {
  const seen = new Set<string>();
  const problems: ManifestProblem[] = [];
  for (const e of errors) {
    const problem = toProblem(e, executorTypes);
    if (!problem) continue;
    const key = `${problem.pointer}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
