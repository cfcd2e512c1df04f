// AgentError and every AGENT_ERR_* code. Codes are stable API; messages are not. See docs/errors.md.

/** An error with a stable code and typed data. Foreign errors are wrapped with `cause`. */
export class AgentError<C extends string = string, D = unknown> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly data: D,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AgentError';
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }

  /** True if `e` is an AgentError, optionally with `code` (one copy of this module runs: no brand needed). */
  static is<C extends string>(e: unknown, code?: C): e is AgentError<C> {
    return e instanceof AgentError && (code === undefined || e.code === code);
  }
}

type ErrorClass<C extends string, D> = {
  new (data: D, options?: ErrorOptions): AgentError<C, D>;
  readonly code: C;
};

/** Build an error class for one code; the message is derived from typed data. */
export function createError<const C extends string, D>(
  code: C,
  message: (data: D) => string,
): ErrorClass<C, D> {
  const cls = class extends AgentError<C, D> {
    static readonly code = code;
    constructor(data: D, options?: ErrorOptions) {
      super(code, message(data), data, options);
    }
  };
  // Loggers report constructor.name as the error type: make it say AgentError, not "".
  Object.defineProperty(cls, 'name', { value: 'AgentError' });
  return cls;
}

/** The message of a thrown value, for logs and coded errors' `reason` fields. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const ERR_NOT_AN_ERROR = createError('AGENT_ERR_NOT_AN_ERROR', (d: { value: string }) => d.value);

/** `err` itself if it is an Error; a thrown string or object becomes one (same message), with a stack. */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new ERR_NOT_AN_ERROR({ value: String(err) });
}

export interface ConfigProblem {
  /** Dotted key path, e.g. `agent.id`; empty for the whole file. */
  path: string;
  message: string;
  /** 1-based line of the key (or of its table) in the config file, when known. */
  line?: number;
}

export const ERR_CONFIG_NOT_FOUND = createError(
  'AGENT_ERR_CONFIG_NOT_FOUND',
  (d: { file: string }) => `config file ${d.file} cannot be read`,
);
export const ERR_CONFIG_PARSE = createError(
  'AGENT_ERR_CONFIG_PARSE',
  (d: { file: string; line?: number; column?: number; reason: string }) =>
    `${d.file}${d.line === undefined ? '' : `:${d.line}:${d.column ?? 0}`}: TOML syntax error: ${d.reason}`,
);
export const ERR_CONFIG_INVALID = createError(
  'AGENT_ERR_CONFIG_INVALID',
  (d: { file: string; problems: ConfigProblem[] }) =>
    `${d.file}: ${d.problems.length} problem(s)\n` +
    d.problems.map((p) => `  - ${p.path ? `${p.path} ` : ''}${p.message}`).join('\n'),
);
/** `variable` absent: the config names no variable at `key` although something needs one (`needed_by`). */
export const ERR_CONFIG_SECRET_MISSING = createError(
  'AGENT_ERR_CONFIG_SECRET_MISSING',
  (d: { key: string; variable?: string; empty?: boolean; needed_by?: string }) =>
    d.variable === undefined
      ? `${d.key} is missing${d.needed_by ? `: ${d.needed_by} needs it` : ''}; ` +
        `add ${d.key} = "VAR_NAME" and export VAR_NAME in the agent's environment`
      : d.empty
        ? `${d.key} = "${d.variable}": the environment variable ${d.variable} is set but empty`
        : `${d.key} = "${d.variable}": the environment variable ${d.variable} is not set`,
);
export const ERR_PROVIDER_UNKNOWN = createError(
  'AGENT_ERR_PROVIDER_UNKNOWN',
  (d: { provider: string; available: string[]; key?: string }) =>
    `${d.key ?? 'llm.provider'} "${d.provider}" is not available; available providers: ${d.available.join(', ') || '(none)'}`,
);
export const ERR_PROVIDER_VERIFY_FAILED = createError(
  'AGENT_ERR_PROVIDER_VERIFY_FAILED',
  (d: { provider: string; reason: string }) => `provider "${d.provider}" failed verification: ${d.reason}`,
);
export const ERR_PROVIDER_REQUEST_FAILED = createError(
  'AGENT_ERR_PROVIDER_REQUEST_FAILED',
  (d: { provider: string; reason: string }) => `provider "${d.provider}" request failed: ${d.reason}`,
);
export const ERR_ROUTER_FAILED = createError(
  'AGENT_ERR_ROUTER_FAILED',
  (d: { router: string; reason: string; status?: number; attempts?: number; timedOut?: boolean }) =>
    `the ${d.router} router failed: ${d.reason}` +
    (d.attempts !== undefined && d.attempts > 1 ? ` (after ${d.attempts} attempts)` : ''),
);
export const ERR_ROUTER_BAD_DECISION = createError(
  'AGENT_ERR_ROUTER_BAD_DECISION',
  (d: { router?: string; field: string; problem: string }) =>
    `${d.router ? `the ${d.router} router gave ` : ''}an invalid routing decision: ` +
    `${d.field ? `${d.field} ` : ''}${d.problem}`,
);
export const ERR_TOOL_UNKNOWN = createError(
  'AGENT_ERR_TOOL_UNKNOWN',
  (d: { tool: string; available: string[] }) =>
    `tool "${d.tool}" is not available; available tools: ${d.available.join(', ') || '(none)'}`,
);
export const ERR_TOOL_INIT_FAILED = createError(
  'AGENT_ERR_TOOL_INIT_FAILED',
  (d: { tool: string; reason: string }) => `tool "${d.tool}" failed to initialize: ${d.reason}`,
);
export const ERR_TOOL_CONFIG_INVALID = createError(
  'AGENT_ERR_TOOL_CONFIG_INVALID',
  (d: { tool: string; plugin: string; key: string; errors: string[] }) =>
    `${d.key}: invalid config for tool "${d.tool}" (plugin "${d.plugin}"): ${d.errors.join('; ')}`,
);
export const ERR_TOOL_NOT_ALLOWED = createError(
  'AGENT_ERR_TOOL_NOT_ALLOWED',
  (d: { tool: string }) => `tool "${d.tool}" is not in this agent's allow-list`,
);
export const ERR_TOOL_INVALID_PARAMS = createError(
  'AGENT_ERR_TOOL_INVALID_PARAMS',
  (d: { tool: string; errors: string[] }) =>
    `invalid parameters for tool "${d.tool}": ${d.errors.join('; ')}`,
);
export const ERR_TOOL_FAILED = createError(
  'AGENT_ERR_TOOL_FAILED',
  (d: { tool: string; reason: string; toolCode?: string; toolData?: Record<string, unknown> }) =>
    `tool "${d.tool}" failed: ${d.toolCode !== undefined ? `[${d.toolCode}] ` : ''}${d.reason}`,
);
export const ERR_TOOL_TIMEOUT = createError(
  'AGENT_ERR_TOOL_TIMEOUT',
  (d: { tool: string; timeoutMs: number }) =>
    `tool "${d.tool}" ran longer than its ${d.timeoutMs} ms limit and was killed`,
);
export const ERR_TOOL_OUTPUT_TOO_LARGE = createError(
  'AGENT_ERR_TOOL_OUTPUT_TOO_LARGE',
  (d: { tool: string; stream: 'stdout' | 'stderr' | 'result'; limitBytes: number }) =>
    `tool "${d.tool}" produced more than ${d.limitBytes} bytes on ${d.stream} and was stopped`,
);
export const ERR_TOOL_EXIT = createError(
  'AGENT_ERR_TOOL_EXIT',
  (d: { tool: string; exitCode?: number; signal?: string; stderr: string }) =>
    `tool "${d.tool}" ${d.signal !== undefined ? `was killed by ${d.signal}` : `exited with code ${d.exitCode ?? '?'}`}` +
    (d.stderr ? `: ${d.stderr}` : ''),
);
export const ERR_TOOL_BAD_OUTPUT = createError(
  'AGENT_ERR_TOOL_BAD_OUTPUT',
  (d: { tool: string; reason: string }) => `tool "${d.tool}" wrote no valid JSON result: ${d.reason}`,
);
export const ERR_TOOL_SPAWN_FAILED = createError(
  'AGENT_ERR_TOOL_SPAWN_FAILED',
  (d: { tool: string; command: string; reason: string }) =>
    `tool "${d.tool}" could not start ${d.command}: ${d.reason}`,
);
export const ERR_TOOL_NOT_EXECUTABLE = createError(
  'AGENT_ERR_TOOL_NOT_EXECUTABLE',
  (d: { tool: string; path: string; user: string; reason: string; fix: string }) =>
    `tool "${d.tool}" cannot be run by ${d.user}, the user its process runs as: ${d.reason}; fix: ${d.fix}`,
);
export const ERR_TOOL_DESCRIBE_FAILED = createError(
  'AGENT_ERR_TOOL_DESCRIBE_FAILED',
  (d: { tool: string; command: string; reason: string }) =>
    `tool "${d.tool}": \`${d.command} --describe\` gave no usable description: ${d.reason}`,
);
export const ERR_SANDBOX_UNAVAILABLE = createError(
  'AGENT_ERR_SANDBOX_UNAVAILABLE',
  (d: { tool: string; mechanism: string; reason: string }) =>
    `tool "${d.tool}" requires the ${d.mechanism} sandbox, which is unavailable here (${d.reason}); it is not loaded`,
);
export const ERR_SCRIPT_LOAD_FAILED = createError(
  'AGENT_ERR_SCRIPT_LOAD_FAILED',
  (d: { tool: string; source: string; reason: string }) =>
    `script tool "${d.tool}" (${d.source}) cannot be loaded: ${d.reason}`,
);
export const ERR_SCRIPT_INVALID = createError(
  'AGENT_ERR_SCRIPT_INVALID',
  (d: { reason: string }) => d.reason,
);
export const ERR_SCRIPT_FAILED = createError(
  'AGENT_ERR_SCRIPT_FAILED',
  (d: { tool: string; reason: string }) => `script tool "${d.tool}" failed: ${d.reason}`,
);
export const ERR_SCRIPT_MEMORY_LIMIT = createError(
  'AGENT_ERR_SCRIPT_MEMORY_LIMIT',
  (d: { tool: string; memoryLimitMb: number }) =>
    `script tool "${d.tool}" exceeded its ${d.memoryLimitMb} MB memory limit`,
);
export const ERR_SCRIPT_WASM_DISABLED = createError(
  'AGENT_ERR_SCRIPT_WASM_DISABLED',
  (d: { tool: string; reason: string }) =>
    `script tool "${d.tool}" used WebAssembly, which it does not enable ("wasm": true): ${d.reason}`,
);
export const ERR_SCRIPT_HOST_CRASHED = createError(
  'AGENT_ERR_SCRIPT_HOST_CRASHED',
  (d: { tool: string; reason: string }) =>
    `the script host running "${d.tool}" stopped (${d.reason}); it is restarted for the next call`,
);
export const ERR_SCRIPT_HOST_START_FAILED = createError(
  'AGENT_ERR_SCRIPT_HOST_START_FAILED',
  (d: { reason: string }) => `the script host did not start: ${d.reason}`,
);
export const ERR_SANDBOX_CLEANUP_FAILED = createError(
  'AGENT_ERR_SANDBOX_CLEANUP_FAILED',
  (d: { dir: string }) => `${d.dir} could not be emptied`,
);
export const ERR_MCP_SERVER_DOWN = createError(
  'AGENT_ERR_MCP_SERVER_DOWN',
  (d: { server: string; tool: string; reason: string }) =>
    `MCP server "${d.server}" is not available for tool "${d.tool}": ${d.reason}`,
);
export const ERR_MCP_TOOL_CONFLICT = createError(
  'AGENT_ERR_MCP_TOOL_CONFLICT',
  (d: { name: string; tools: string[] }) =>
    `more than one tool would be named "${d.name}": ${d.tools.join(', ')}`,
);
export const ERR_MCP_MESSAGE_TOO_LARGE = createError(
  'AGENT_ERR_MCP_MESSAGE_TOO_LARGE',
  (d: { limitBytes: number }) =>
    `the MCP server sent a message larger than ${d.limitBytes} bytes; the response was cut`,
);
export const ERR_MCP_START_FAILED = createError(
  'AGENT_ERR_MCP_START_FAILED',
  (d: { server: string; reason: string; stderr_tail?: string }) =>
    `MCP server "${d.server}" could not be started: ${d.reason}` +
    (d.stderr_tail ? `; its stderr ended with: ${d.stderr_tail}` : ''),
);
export const ERR_INSTALL_INCOMPLETE = createError(
  'AGENT_ERR_INSTALL_INCOMPLETE',
  (d: { missing: string; fix: string }) => `agent2389 is not installed completely: ${d.missing} (${d.fix})`,
);
export const ERR_TRANSPORT_CONNECT = createError(
  'AGENT_ERR_TRANSPORT_CONNECT',
  (d: { broker: string; reason: string }) => `cannot connect to MQTT broker ${d.broker}: ${d.reason}`,
);
export const ERR_TRANSPORT_SUBSCRIBE = createError(
  'AGENT_ERR_TRANSPORT_SUBSCRIBE',
  (d: { topic: string; reason: string }) => `subscription to ${d.topic} failed: ${d.reason}`,
);
export const ERR_TRANSPORT_PUBLISH = createError(
  'AGENT_ERR_TRANSPORT_PUBLISH',
  (d: { topic: string; reason: string }) => `publish to ${d.topic} failed: ${d.reason}`,
);
export const ERR_TRANSPORT_CLOSED = createError(
  'AGENT_ERR_TRANSPORT_CLOSED',
  (_d: Record<string, never>) => 'the transport is closed',
);
export const ERR_TRANSPORT_ACK_WITHHELD = createError(
  'AGENT_ERR_TRANSPORT_ACK_WITHHELD',
  (_d: Record<string, never>) => 'PUBACK withheld until the message is settled',
);
export const ERR_BROKER_LISTEN = createError(
  'AGENT_ERR_BROKER_LISTEN',
  (d: { host: string; port: number; reason: string }) =>
    `embedded broker cannot listen on ${d.host}:${d.port}: ${d.reason}`,
);
export const ERR_DEDUPE_UNAVAILABLE = createError(
  'AGENT_ERR_DEDUPE_UNAVAILABLE',
  (d: { store: string; reason: string }) => `the ${d.store} dedupe store is unavailable: ${d.reason}`,
);
export const ERR_DEDUPE_STORE_OPEN = createError(
  'AGENT_ERR_DEDUPE_STORE_OPEN',
  (d: { store: string; location: string; reason: string }) =>
    `cannot open the ${d.store} dedupe store at ${d.location}: ${d.reason}`,
);
export const ERR_SPOOL_UNAVAILABLE = createError(
  'AGENT_ERR_SPOOL_UNAVAILABLE',
  (d: { location: string; reason: string }) => `the task spool at ${d.location} cannot be used: ${d.reason}`,
);
export const ERR_TASK_TIMEOUT = createError(
  'AGENT_ERR_TASK_TIMEOUT',
  (d: { timeoutSeconds: number }) => `task timed out after ${d.timeoutSeconds}s`,
);
export interface ManifestProblem {
  /** JSON pointer into plugin.json, e.g. `/tools/0/executor/timeoutMs`; empty for the whole document. */
  pointer: string;
  message: string;
}

export const ERR_MANIFEST_NOT_FOUND = createError(
  'AGENT_ERR_MANIFEST_NOT_FOUND',
  (d: { dir: string }) => `no plugin.json in ${d.dir}`,
);
export const ERR_MANIFEST_PARSE = createError(
  'AGENT_ERR_MANIFEST_PARSE',
  (d: { file: string; reason: string; line?: number; column?: number }) =>
    `${d.file}${d.line === undefined ? '' : `:${d.line}:${d.column ?? 1}`} is not valid JSON: ${d.reason}`,
);
export const ERR_MANIFEST_INVALID = createError(
  'AGENT_ERR_MANIFEST_INVALID',
  (d: { file: string; plugin?: string | undefined; problems: ManifestProblem[] }) =>
    `${d.file}${d.plugin ? ` (plugin ${d.plugin})` : ''}: ${d.problems.length} problem(s)\n` +
    d.problems.map((p) => `  - ${p.pointer || '(manifest)'}: ${p.message}`).join('\n'),
);
export const ERR_PLUGIN_DUPLICATE = createError(
  'AGENT_ERR_PLUGIN_DUPLICATE',
  (d: { plugin: string; dirs: string[] }) =>
    `plugin "${d.plugin}" is found more than once: ${d.dirs.join(', ')}`,
);
export const ERR_PLUGIN_NOT_FOUND = createError(
  'AGENT_ERR_PLUGIN_NOT_FOUND',
  (d: { plugin: string; key: string; available: string[] }) =>
    `${d.key}: no plugin named "${d.plugin}" was discovered; discovered: ${d.available.join(', ') || '(none)'}`,
);
export const ERR_PLUGIN_CONFLICT = createError(
  'AGENT_ERR_PLUGIN_CONFLICT',
  (d: { kind: 'provider'; name: string; plugins: string[] }) =>
    `${d.kind} "${d.name}" is registered by more than one plugin: ${d.plugins.join(', ')}`,
);
export const ERR_PLUGIN_RUNTIME_MISMATCH = createError(
  'AGENT_ERR_PLUGIN_RUNTIME_MISMATCH',
  (d: { plugin: string; range: string; hostVersion: string }) =>
    `plugin "${d.plugin}" requires agent2389 ${d.range}, but this is ${d.hostVersion}`,
);
export const ERR_PLUGIN_DEPENDENCY_MISSING = createError(
  'AGENT_ERR_PLUGIN_DEPENDENCY_MISSING',
  (d: { plugin: string; missing: string[] }) =>
    `plugin "${d.plugin}" depends on ${d.missing.map((m) => `"${m}"`).join(', ')}, which is not available`,
);
export const ERR_PLUGIN_DEPENDENCY_CYCLE = createError(
  'AGENT_ERR_PLUGIN_DEPENDENCY_CYCLE',
  (d: { cycle: string[] }) => `plugin dependency cycle: ${d.cycle.join(' -> ')}`,
);
export const ERR_PLUGIN_IMPORT_FAILED = createError(
  'AGENT_ERR_PLUGIN_IMPORT_FAILED',
  (d: { plugin: string; entry: string; reason: string }) =>
    `plugin "${d.plugin}": cannot import ${d.entry}: ${d.reason}`,
);
export const ERR_PLUGIN_INVALID_EXPORT = createError(
  'AGENT_ERR_PLUGIN_INVALID_EXPORT',
  (d: { plugin: string; reason: string }) => `plugin "${d.plugin}": ${d.reason}`,
);
export const ERR_PLUGIN_SETUP_FAILED = createError(
  'AGENT_ERR_PLUGIN_SETUP_FAILED',
  (d: { plugin: string; reason: string }) => `plugin "${d.plugin}" setup() failed: ${d.reason}`,
);
export const ERR_PLUGIN_TIMEOUT = createError(
  'AGENT_ERR_PLUGIN_TIMEOUT',
  (d: { plugin: string; timeoutMs: number }) =>
    `plugin "${d.plugin}" did not finish setup() within ${d.timeoutMs} ms`,
);
export const ERR_PLUGIN_UNDECLARED = createError(
  'AGENT_ERR_PLUGIN_UNDECLARED',
  (d: { plugin: string; kind: 'tool' | 'provider'; name: string; declared: string[] }) =>
    `plugin "${d.plugin}" registered ${d.kind} "${d.name}", which its plugin.json does not declare` +
    ` (declared: ${d.declared.join(', ') || 'none'})`,
);
export const ERR_PLUGIN_OPTIONS_INVALID = createError(
  'AGENT_ERR_PLUGIN_OPTIONS_INVALID',
  (d: { plugin: string; key: string; errors: string[] }) =>
    `${d.key}: invalid options for plugin "${d.plugin}": ${d.errors.join('; ')}`,
);
export const ERR_PLUGIN_REGISTRATION_CLOSED = createError(
  'AGENT_ERR_PLUGIN_REGISTRATION_CLOSED',
  (d: { plugin: string }) => `plugin "${d.plugin}": registrations are closed once setup() has finished`,
);
export const ERR_PLUGIN_CLOSED = createError(
  'AGENT_ERR_PLUGIN_CLOSED',
  (d: { plugin: string } | { generation: number }) =>
    'plugin' in d ? `plugin "${d.plugin}" closed` : `generation ${d.generation} closed`,
);
export const ERR_RELOAD_RECONNECT_FAILED = createError(
  'AGENT_ERR_RELOAD_RECONNECT_FAILED',
  (d: { broker: string; reason: string }) =>
    `reload: cannot connect to ${d.broker} (${d.reason}); reconnected with the previous configuration`,
);
export const ERR_HEALTH_LISTEN = createError(
  'AGENT_ERR_HEALTH_LISTEN',
  (d: { host: string; port: number; reason: string }) =>
    `the health server cannot listen on ${d.host}:${d.port} (${d.reason}): set [health] port (or HEALTH_PORT), or [health] enabled = false`,
);
export const ERR_CLOSED = createError(
  'AGENT_ERR_CLOSED',
  (_d: Record<string, never>) => 'the agent is shutting down',
);
export const ERR_LIFECYCLE_TRANSITION = createError(
  'AGENT_ERR_LIFECYCLE_TRANSITION',
  (d: { from: string; to: string }) => `the agent cannot go from ${d.from} to ${d.to}`,
);
export const ERR_INTERNAL = createError(
  'AGENT_ERR_INTERNAL',
  (d: { where: string; reason: string }) => `internal error in ${d.where}: ${d.reason}`,
);
