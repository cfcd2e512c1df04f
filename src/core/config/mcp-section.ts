// `[mcp.<name>]` tables of agent.toml: one MCP server each — a stdio command, a Streamable HTTP url, or a plugin's server.
import { resolve } from 'node:path';

import { parseHttpConfig } from '@agent2389/tool-sdk/http';
import { z } from 'zod';

import { reasonOf } from '../errors.js';
import { isPlainObject } from '../protocol/envelope.js';
import { suggestKey } from './suggest.js';

/** A server name: tool names are `<server>__<tool>`, so a name holds no `__` and does not end in `_`. */
export const MCP_SERVER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/;
export const MCP_SERVER_NAME_MAX = 32;

/** True for a valid `[mcp.<name>]` key (also the names of a manifest's `mcpServers`). */
export function isMcpServerName(name: string): boolean {
  return name.length <= MCP_SERVER_NAME_MAX && MCP_SERVER_NAME.test(name) && !name.endsWith('_');
}

/** Defaults of the keys a table (or, for a plugin's server, its manifest entry) may leave out. */
export const MCP_DEFAULTS = {
  timeout_seconds: 60,
  max_total_timeout_seconds: 600,
  startup_timeout_seconds: 30,
  lazy: false,
  sandbox: 'none',
  network: false,
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// An HTTP header field name (RFC 9110 token).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const positiveInt = z.number().int().positive();
const seconds = z.number().positive();
const paths = z.array(z.string().min(1));
const names = z.array(z.string().min(1));

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: PropertyKey[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });

/**
 * `env = ["LANG"]` or `env = { LANG = true, GH_TOKEN = { env = "GITHUB_TOKEN" } }` → `{name, from}`s.
 * A value written inline is refused at the table, so the error never repeats it.
 */
const envSchema = z.unknown().transform((raw, ctx) => {
  const out: { name: string; from: string }[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((n, i) => {
      if (typeof n === 'string' && ENV_NAME.test(n)) out.push({ name: n, from: n });
      else issue(ctx, [i], 'must be an environment variable name');
    });
  } else if (isPlainObject(raw)) {
    for (const [name, value] of Object.entries(raw)) {
      if (!ENV_NAME.test(name)) issue(ctx, [], `must name variables: ${JSON.stringify(name)} is not one`);
      else if (value === true) out.push({ name, from: name });
      else if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.env === 'string') {
        if (ENV_NAME.test(value.env)) out.push({ name, from: value.env });
        else issue(ctx, [name, 'env'], 'must be an environment variable name');
      } else
        issue(
          ctx,
          [],
          `must give ${name} as true (the same variable) or { env = "FROM" }: a value is never written in agent.toml`,
        );
    }
  } else {
    issue(ctx, [], 'must be a list of variable names or a table NAME = true | { env = "FROM" }');
  }
  const seen = new Set<string>();
  return out.filter((v) => !seen.has(v.name) && seen.add(v.name));
});

/** `headers = { Authorization = { env = "TOKEN" } }` → `{name, env}`s; an inline value (a secret) is refused. */
const headersSchema = z.unknown().transform((raw, ctx) => {
  const out: { name: string; env: string }[] = [];
  if (!isPlainObject(raw)) {
    issue(ctx, [], 'must be a table NAME = { env = "VAR" }');
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!HEADER_NAME.test(name)) issue(ctx, [], `must name HTTP headers: ${JSON.stringify(name)} is not one`);
    else if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.env === 'string') {
      if (ENV_NAME.test(value.env)) out.push({ name, env: value.env });
      else issue(ctx, [name, 'env'], 'must be an environment variable name');
    } else
      issue(
        ctx,
        [],
        `must give ${name} as { env = "VAR" }: header values are secrets, read from the environment, never written in agent.toml`,
      );
  }
  return out;
});

/** A CIDR the http_request address policy accepts (checked with the same parser). */
const cidr = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      parseHttpConfig({ allowed_private_cidrs: [value] });
    } catch (err) {
      issue(
        ctx,
        [],
        `must be a CIDR such as 10.1.0.0/16 (${reasonOf(err).replace(/^allowed_private_cidrs: /, '')})`,
      );
    }
  });

const tableShape = {
  /** stdio: the command (absolute, relative to the config file with a `/`, or a name on PATH). */
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  cwd: z.string().min(1).optional(),
  env: envSchema.optional(),
  /** Streamable HTTP. */
  url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  headers: headersSchema.optional(),
  allow_private_networks: z.boolean().optional(),
  allowed_private_cidrs: z.array(cidr).optional(),
  /** A server shipped by a plugin (its manifest's `mcpServers`); `server` defaults to the table key. */
  plugin: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a plugin name (kebab-case)')
    .optional(),
  server: z.string().min(1).optional(),
  timeout_seconds: seconds.optional(),
  max_total_timeout_seconds: seconds.optional(),
  startup_timeout_seconds: seconds.optional(),
  lazy: z.boolean().optional(),
  tools: names.optional(),
  exclude_tools: names.optional(),
  sandbox: z.enum(['none', 'bwrap']).optional(),
  network: z.boolean().optional(),
  read_only_paths: paths.optional(),
  writable_paths: paths.optional(),
  memory_mb: positiveInt.optional(),
  max_processes: positiveInt.optional(),
  max_file_size_bytes: positiveInt.optional(),
  cpu_seconds: positiveInt.optional(),
};
type Key = keyof typeof tableShape;
const KEYS = Object.keys(tableShape) as Key[];

/** Keys of a process (a command, or a plugin's server). */
const PROCESS_KEYS: readonly Key[] = [
  'env',
  'sandbox',
  'network',
  'read_only_paths',
  'writable_paths',
  'memory_mb',
  'max_processes',
  'max_file_size_bytes',
  'cpu_seconds',
];
/** Where each transport-specific key may appear. */
const ONLY: Partial<Record<Key, { kinds: readonly Kind[]; what: string }>> = {
  args: { kinds: ['command'], what: 'command (a plugin server takes its args from the manifest)' },
  cwd: { kinds: ['command'], what: 'command (a plugin server takes its cwd from the manifest)' },
  headers: { kinds: ['url'], what: 'url (Streamable HTTP)' },
  allow_private_networks: { kinds: ['url'], what: 'url (Streamable HTTP)' },
  allowed_private_cidrs: { kinds: ['url'], what: 'url (Streamable HTTP)' },
  server: { kinds: ['plugin'], what: 'plugin' },
  ...Object.fromEntries(
    PROCESS_KEYS.map((k) => [k, { kinds: ['command', 'plugin'], what: 'command or plugin (a process)' }]),
  ),
};
type Kind = 'command' | 'url' | 'plugin';
const KINDS: readonly Kind[] = ['command', 'url', 'plugin'];

/** Rules across keys, checked on the raw table (so they are reported with the type errors, all at once). */
function tableRules(t: Record<string, unknown>, ctx: Ctx): void {
  for (const key of Object.keys(t)) {
    if (KEYS.includes(key as Key)) continue;
    const hint = suggestKey(key, KEYS);
    issue(ctx, [key], `not a known key of an [mcp] table${hint ? ` — did you mean ${hint}?` : ''}`);
  }
  const kinds = KINDS.filter((k) => t[k] !== undefined);
  if (kinds.length !== 1) {
    const found = kinds.length === 0 ? 'none' : kinds.join(' and ');
    issue(
      ctx,
      [],
      `must have exactly one of command (stdio), url (Streamable HTTP) or plugin (a plugin's server); found ${found}`,
    );
  }
  const kind = kinds.length === 1 ? kinds[0]! : undefined;
  for (const [key, only] of Object.entries(ONLY)) {
    if (only && kind !== undefined && t[key] !== undefined && !only.kinds.includes(kind))
      issue(ctx, [key], `must not be set with ${kind}: it applies to ${only.what} only`);
  }
  const { timeout_seconds: timeout, max_total_timeout_seconds: total } = t;
  if (typeof timeout === 'number' && typeof total === 'number' && total < timeout)
    issue(ctx, ['max_total_timeout_seconds'], `must be ≥ timeout_seconds (${timeout})`);
  if (typeof t.url === 'string' && /^[a-z]+:\/\/[^/?#]*@/i.test(t.url))
    issue(
      ctx,
      [],
      'must not have credentials in its url (user:password@): send them as headers = { Authorization = { env = "VAR" } }',
    );
}

/** A parsed `[mcp.<name>]` table: only known keys, each optional (defaults: MCP_DEFAULTS, server-spec.ts). */
export type McpServerTable = z.output<z.ZodObject<typeof tableShape>>;

/** One `[mcp.<name>]` table: every problem at once, unknown keys with a "did you mean". */
export const mcpServerTable = z
  .looseObject(tableShape)
  .check(
    z.superRefine((t, ctx) => tableRules(t as Record<string, unknown>, ctx), {
      when: (payload) => isPlainObject(payload.value),
    }),
  )
  .transform(
    (t) => Object.fromEntries(KEYS.filter((k) => t[k] !== undefined).map((k) => [k, t[k]])) as McpServerTable,
  );

/** `[mcp]`: server name → table. */
export const mcpSection = z.record(z.string(), mcpServerTable).check(
  z.superRefine(
    (servers, ctx) => {
      for (const name of Object.keys(servers)) {
        if (!isMcpServerName(name))
          issue(
            ctx,
            [name],
            `must have a server name of 1–${MCP_SERVER_NAME_MAX} letters, digits, "-" and single "_", not ending in "_" ("__" separates server and tool in tool names)`,
          );
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  ),
);
export type McpSection = z.output<typeof mcpSection>;

/** Paths in [mcp] tables are relative to the config file (`command` only when it holds a `/`). */
export function resolveMcpPaths(mcp: McpSection, base: string): McpSection {
  const out: McpSection = {};
  for (const [name, t] of Object.entries(mcp)) {
    out[name] = {
      ...t,
      ...(t.command?.includes('/') ? { command: resolve(base, t.command) } : {}),
      ...(t.cwd !== undefined ? { cwd: resolve(base, t.cwd) } : {}),
      ...(t.read_only_paths ? { read_only_paths: t.read_only_paths.map((p) => resolve(base, p)) } : {}),
      ...(t.writable_paths ? { writable_paths: t.writable_paths.map((p) => resolve(base, p)) } : {}),
    };
  }
  return out;
}
