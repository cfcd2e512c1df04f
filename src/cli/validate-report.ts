// What `agent2389 validate` found: one problem per line, with the file, the key or JSON pointer, and the
// line where known; coded errors (some holding many problems) are flattened into such problems.
import {
  AgentError,
  ERR_CONFIG_INVALID,
  ERR_CONFIG_PARSE,
  ERR_MANIFEST_INVALID,
  ERR_MANIFEST_PARSE,
} from '../core/errors.js';
import type { ConfigSource } from '../core/config/source.js';

export interface ValidationProblem {
  readonly severity: 'error' | 'warning';
  /** The AGENT_ERR_* code; absent for warnings. */
  readonly code?: string;
  /** agent.toml, or the plugin.json the problem is in. */
  readonly file: string;
  /** Dotted key in agent.toml (`tools.x.command`). */
  readonly key?: string;
  /** JSON pointer in plugin.json (`/tools/0/executor/source`). */
  readonly pointer?: string;
  readonly line?: number;
  readonly column?: number;
  /** The text after the location and code (it starts with the key or pointer when it is about one). */
  readonly message: string;
}

type Where = Pick<ValidationProblem, 'file' | 'key' | 'pointer' | 'line'>;

/** A ConfigProblem's message repeats its line as " (line N)": the location prefix says it already. */
const withoutLine = (message: string, line: number | undefined): string =>
  line === undefined ? message : message.replace(` (line ${line})`, '');

/** The key a coded error is about, from its data (`key`, or `tool` for tools.<tool>). */
function keyOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d.key === 'string') return d.key;
  if (typeof d.tool === 'string') return `tools.${d.tool}`;
  return undefined;
}

/**
 * `err` as problems. `at` places errors that carry no file of their own: the config file and its key
 * lines, or an explicit key / manifest pointer.
 */
export function problemsOf(
  err: unknown,
  at: { file: string; lineOf?: ConfigSource['lineOf'] | undefined; key?: string; pointer?: string },
): ValidationProblem[] {
  if (!AgentError.is(err)) throw err;
  const code = err.code;
  if (AgentError.is(err, ERR_CONFIG_INVALID.code)) {
    const { file, problems } = (err as InstanceType<typeof ERR_CONFIG_INVALID>).data;
    return problems.map((p) => ({
      severity: 'error',
      code,
      file,
      ...(p.path ? { key: p.path } : {}),
      ...(p.line !== undefined ? { line: p.line } : {}),
      message: `${p.path ? `${p.path} ` : ''}${withoutLine(p.message, p.line)}`,
    }));
  }
  if (AgentError.is(err, ERR_MANIFEST_INVALID.code)) {
    const { file, problems } = (err as InstanceType<typeof ERR_MANIFEST_INVALID>).data;
    return problems.map((p) => ({
      severity: 'error',
      code,
      file,
      pointer: p.pointer,
      message: `${p.pointer || '(manifest)'}: ${p.message}`,
    }));
  }
  if (AgentError.is(err, ERR_CONFIG_PARSE.code) || AgentError.is(err, ERR_MANIFEST_PARSE.code)) {
    const d = err.data as { file: string; reason: string; line?: number; column?: number };
    const pos = {
      ...(d.line !== undefined ? { line: d.line } : {}),
      ...(d.column ? { column: d.column } : {}),
    };
    const what = code === ERR_CONFIG_PARSE.code ? 'TOML syntax error' : 'not valid JSON';
    return [{ severity: 'error', code, file: d.file, ...pos, message: `${what}: ${d.reason}` }];
  }
  const key = at.key ?? keyOf(err.data);
  const line = key === undefined ? undefined : at.lineOf?.(key.split('.'));
  const where: Where = {
    file: at.file,
    ...(key !== undefined ? { key } : {}),
    ...(at.pointer !== undefined ? { pointer: at.pointer } : {}),
    ...(line !== undefined ? { line } : {}),
  };
  const message = at.pointer === undefined ? err.message : `${at.pointer}: ${err.message}`;
  return [{ severity: 'error', code, ...where, message }];
}

/** `error: <file>:<line>:<column>: <CODE>: <message>` (warnings without a code). */
export function problemLine(p: ValidationProblem): string {
  const pos = p.line === undefined ? '' : `:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
  return `${p.severity}: ${p.file}${pos}: ${p.code ? `${p.code}: ` : ''}${p.message}`;
}

/** Drop repeats (the same error found by two stages), keeping the first. */
export function uniqueProblems(problems: readonly ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.code}\0${p.file}\0${p.key}\0${p.pointer}\0${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
