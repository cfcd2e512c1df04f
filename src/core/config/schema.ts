// The agent.toml schema (zod): every key of the Rust version's examples (test/fixtures/config/seed-*.toml) plus the runtime's own settings.
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import { AGENT_ID_PATTERN } from '../protocol/topics.js';
import { parseSandboxUser } from '../sandbox/sandbox-user.js';
import { fetchPolicySchema } from './fetch-policy.js';
import { mcpSection } from './mcp-section.js';

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const positiveInt = z.number().int().positive();

export const agentSection = z.object({
  id: z.string().regex(AGENT_ID_PATTERN, 'must match [a-zA-Z0-9._-]+'),
  description: z.string().optional(),
  capabilities: z.array(z.string()).default([]),
  /**
   * This process's name among the replicas of one agent id ([mqtt] shared_group); its client id is
   * `agent2389-{id}-{replica_id}`. Default `{hostname}-{pid}-{4 random hex digits}` (in Kubernetes the hostname is the pod name).
   */
  replica_id: z.string().regex(AGENT_ID_PATTERN, 'must match [a-zA-Z0-9._-]+').max(128).optional(),
});

export const embeddedBrokerSection = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(1883),
});

// `heartbeat_interval_secs` (the Rust implementation's key) is read as [lifecycle] heartbeat_seconds (key-aliases.ts).
export const mqttSection = z.object({
  broker_url: z
    .string()
    .refine(
      (u) => u === 'embedded' || /^mqtts?:\/\/[^\s/]+/.test(u),
      'must be mqtt://host:port, mqtts://host:port or "embedded"',
    ),
  username_env: envVarName.optional(),
  password_env: envVarName.optional(),
  qos: z.literal(1, 'must be 1 (the protocol uses QoS 1 everywhere)').default(1),
  keep_alive: z.number().int().min(0).max(65535).default(60),
  client_id: z.string().min(1).max(256).optional(),
  protocol_version: z.union([z.literal(4), z.literal(5)], 'must be 4 (MQTT 3.1.1) or 5 (MQTT 5)').optional(),
  session_expiry: z.number().int().min(0).default(3600),
  ca_cert_path: z.string().min(1).optional(),
  client_cert_path: z.string().min(1).optional(),
  client_key_path: z.string().min(1).optional(),
  embedded: embeddedBrokerSection.default({ host: '127.0.0.1', port: 1883 }),
  /**
   * Serve the agent id as one of N replicas: subscribe to `$share/{group}//control/agents/{id}/input`
   * (MQTT 5 shared subscription; needs [dedupe] store = "redis"). See docs/scaling.md.
   */
  shared_group: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 of A-Z a-z 0-9 . _ : - (a topic level)')
    .optional(),
});

export const llmSection = z.object({
  provider: z.string().min(1),
  model: z.string().default(''),
  api_key_env: envVarName.optional(),
  base_url: z.url('must be a URL such as http://localhost:11434/v1').optional(),
  system_prompt: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: positiveInt.optional(),
  timeout: z.number().positive().optional(),
  max_retries: z.number().int().min(0).optional(),
});

export const budgetSection = z.object({
  max_tool_calls: z.number().int().min(0).default(15),
  max_iterations: positiveInt.default(8),
});

/** The table form of a `[tools]` entry; executor-specific keys are read by the executor that owns them. */
export const toolTableSchema = z.object({
  impl: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  source: z.string().min(1).optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  timeout_seconds: z.number().positive().optional(),
  max_output_bytes: positiveInt.optional(),
  env: z.array(envVarName).optional(),
  working_dir: z.string().min(1).optional(),
  sandbox: z.enum(['none', 'bwrap']).optional(),
  /** With sandbox = "bwrap": allow network access (default false). */
  network: z.boolean().optional(),
  /** With sandbox = "bwrap": files and folders the tool may read, beyond its command (and plugin folder). */
  read_only_paths: z.array(z.string().min(1)).optional(),
  timeout_ms: positiveInt.optional(),
  memory_limit_mb: positiveInt.optional(),
  /** impl = "script": the host functions the script may call (default ["log"]). */
  host_functions: z.array(z.enum(['log', 'fetch'])).optional(),
  /** Script tools that use host.fetch: its URL policy (default: public hosts only). */
  fetch: fetchPolicySchema.optional(),
  /** impl = "script": enable WebAssembly (default false); a plugin tool's manifest decides, false denies it. */
  wasm: z.boolean().optional(),
});

/** `name = "builtin"` is shorthand for `name = { impl = "builtin" }`. */
export const toolEntrySchema = z
  .union(
    [z.string().min(1), toolTableSchema],
    'must be an impl string such as "builtin" or a table with impl = …',
  )
  .transform((v) => (typeof v === 'string' ? toolTableSchema.parse({ impl: v }) : v));

/** Operator ceilings for sandboxed tools: a manifest or a [tools.x] table may lower them, never raise them. */
export const sandboxSection = z.object({
  timeout_seconds: z.number().positive().default(30),
  force_kill_after_seconds: z.number().min(0).default(2),
  max_output_bytes: positiveInt.default(1024 * 1024),
  cpu_seconds: positiveInt.default(30),
  memory_mb: positiveInt.default(1024),
  max_processes: positiveInt.default(64),
  max_file_size_bytes: positiveInt.default(16 * 1024 * 1024),
  script_timeout_ms: positiveInt.default(1000),
  script_memory_limit_mb: z.number().int().min(8).default(64),
  /** RLIMIT_DATA of each script-host child process (all its isolates, ICU and wasm memory), in MiB. */
  script_host_memory_mb: z.number().int().min(256).default(2048),
  /** Base folder for each subprocess call's private work dir (default: the system temp dir). */
  work_dir: z.string().min(1).optional(),
  /**
   * A non-root agent's tools run as its own user: isolate each in its own PID namespace with a read-only
   * view of the host (bubblewrap), so it cannot read the agent's environment or memory, nor signal it.
   * false accepts that risk (the tool then runs unconfined); without bwrap such tools fail to load.
   */
  isolate_same_user_tools: z.boolean().default(true),
  /**
   * Who subprocess tools run as when the agent is root: a user name (looked up in /etc/passwd) or
   * "uid:gid". Default nobody (65534:65534); root is refused. A non-root agent's tools run as itself.
   */
  user: z
    .string()
    .transform((value, ctx) => {
      const user = parseSandboxUser(value, () => readFileSync('/etc/passwd', 'utf8'));
      if ('error' in user) {
        ctx.addIssue({ code: 'custom', message: user.error });
        return z.NEVER;
      }
      return user;
    })
    .optional(),
});

export const healthSection = z.object({
  port: z.number().int().min(0).max(65535).default(8080),
  host: z.string().default('0.0.0.0'),
  enabled: z.boolean().default(true),
});

export const pluginsSection = z.object({
  /** Extra plugin folders (relative to the config file); each holds plugins or is one. */
  dirs: z.array(z.string().min(1)).default([]),
  /** Also discover npm packages with an "agent2389" field in ./node_modules. */
  npm: z.boolean().default(true),
  setup_timeout_ms: positiveInt.default(10_000),
});

/** The duplicate record: which task ids were answered (docs/scaling.md). Formerly [idempotency]. */
export const dedupeSection = z.object({
  /** `file` (SQLite in the data dir, survives restarts), `memory` (lost on exit), `redis` (shared by replicas). */
  store: z.enum(['memory', 'file', 'redis'], 'must be "memory", "file" or "redis"').default('file'),
  /** Answered task ids kept (the oldest are dropped beyond it; Redis keys expire by TTL only). */
  cache_size: positiveInt.default(10_000),
  /** How long an answered task id counts as a duplicate. */
  ttl_seconds: z.number().positive().default(86_400),
  /** The file store's journal file, relative to the data dir. */
  file: z.string().min(1).default('dedupe.journal'),
  /** The redis store: the environment variable holding `redis://[:password@]host:port[/db]`. */
  redis_url_env: envVarName.optional(),
  /** The redis store's key prefix: keys are `{key_prefix}:{agent_id}:…`. */
  key_prefix: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 of A-Z a-z 0-9 . _ : -')
    .default('agent2389'),
});

export const lifecycleSection = z.object({
  heartbeat_seconds: z.number().positive().default(30),
  shutdown_grace_seconds: z.number().min(0).default(30),
});

export const reloadSection = z.object({
  /** Watch the config file and the plugin folders in use; reload on change (SIGHUP reloads either way). */
  enabled: z.boolean().default(true),
  /** A burst of changes within this many ms becomes one reload. */
  debounce_ms: z.number().int().min(0).max(60_000).default(200),
});

export const progressSection = z.object({
  /** Publish progress events on /control/agents/{id}/progress (docs/protocol.md §7). */
  enabled: z.boolean().default(true),
  /**
   * `normal`: task lifecycle, tool and budget events (names, durations, counts, codes); `verbose` adds
   * llm_request / llm_response; `debug` adds tool parameters and the instruction, which may hold secrets.
   */
  verbosity: z.enum(['normal', 'verbose', 'debug']).default('normal'),
  /**
   * Progress is best-effort telemetry: beyond this many events per second (bursts up to twice as
   * many) events are dropped and counted, so a flood of fast tasks keeps its capacity. 0 = no limit.
   */
  max_events_per_second: z.number().int().min(0).default(200),
});

export const logSection = z.object({
  level: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .default('info'),
  format: z.enum(['json', 'pretty']).default('json'),
  /** More paths whose values are censored in log lines (pino redact syntax), e.g. "task.input.ssn". */
  redact: z.array(z.string().min(1)).default([]),
});

/** `[routing.llm]`: the llm router's model; each key left out falls back to the agent's own `[llm]`. */
export const routingLlmSection = z.object({
  provider: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

/** `[routing.gatekeeper]`: the HTTP router (the Rust router's request/response JSON, docs/routing.md). */
export const routingGatekeeperSection = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }),
  /** Per attempt; a timeout fails at once (no retry). */
  timeout_ms: positiveInt.max(3_600_000).default(5000),
  /** Retries after a 5xx or a network error (exponential backoff), so at most 1 + retry_attempts requests. */
  retry_attempts: z.number().int().min(0).max(10).default(3),
});

/** v2 dynamic routing (protocol.md §9, docs/routing.md): after a v2 task without `next`, who works next. */
export const routingSection = z.object({
  /** `none` (v1 behaviour: publish the response), `llm` or `gatekeeper` (needs [routing.gatekeeper] url). */
  strategy: z.enum(['none', 'llm', 'gatekeeper'], 'must be "none", "llm" or "gatekeeper"').default('none'),
  /** Routed hops in one conversation; at the limit the current output is published as final. */
  max_iterations: positiveInt.default(10),
  /** May the router send the task back to this agent. */
  allow_self: z.boolean().default(false),
  /** A failed or unusable decision: `complete` publishes the output as final, `fail` publishes an error. */
  on_router_error: z.enum(['complete', 'fail'], 'must be "complete" or "fail"').default('complete'),
  /** An agent is routable while its last `available` status is younger than this (default 3 × heartbeat). */
  stale_after_seconds: z.number().positive().optional(),
  llm: routingLlmSection.optional(),
  gatekeeper: routingGatekeeperSection.optional(),
});

export const configSchema = z.object({
  agent: agentSection,
  mqtt: mqttSection,
  llm: llmSection.default({ provider: 'scripted', model: '' }),
  budget: budgetSection.default({ max_tool_calls: 15, max_iterations: 8 }),
  tools: z
    .record(z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be a tool name'), toolEntrySchema)
    .default({}),
  plugins: pluginsSection.default({ dirs: [], npm: true, setup_timeout_ms: 10_000 }),
  /** MCP servers whose tools the agent gets (mcp-section.ts). */
  mcp: mcpSection.default({}),
  sandbox: sandboxSection.default(sandboxSection.parse({})),
  health: healthSection.default({ port: 8080, host: '0.0.0.0', enabled: true }),
  dedupe: dedupeSection.default(dedupeSection.parse({})),
  lifecycle: lifecycleSection.default({ heartbeat_seconds: 30, shutdown_grace_seconds: 30 }),
  log: logSection.default({ level: 'info', format: 'json', redact: [] }),
  reload: reloadSection.default({ enabled: true, debounce_ms: 200 }),
  progress: progressSection.default({ enabled: true, verbosity: 'normal', max_events_per_second: 200 }),
  routing: routingSection.default(routingSection.parse({})),
  max_pipeline_depth: z.number().int().min(0).default(16),
  task_timeout: z.number().positive().default(300),
  max_output_size: positiveInt.default(2 * 1024 * 1024),
  max_concurrent_tasks: positiveInt.default(8),
  /**
   * Tasks the broker may deliver beyond max_concurrent_tasks before this agent answers one (MQTT 5
   * receive maximum = max_concurrent_tasks + prefetch_tasks): the broker holds the rest.
   */
  prefetch_tasks: z.number().int().min(0).max(1000).default(4),
  max_message_bytes: positiveInt.default(262_144),
  publish_intermediate: z.boolean().default(false),
  /** The agent's private data directory (relative to the config file); see data-dir.ts for the default. */
  data_dir: z.string().min(1).optional(),
});

export type AgentConfig = z.infer<typeof configSchema>;
export type ToolEntry = z.infer<typeof toolTableSchema>;
