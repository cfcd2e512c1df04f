// `agent2389 inject`: send one task envelope, optionally wait for its response or error.
import { Command, Option } from 'commander';

import { isPlainObject } from '../core/protocol/envelope.js';
import { statusTopic } from '../core/protocol/topics.js';
import { AGENT_STATUS_FILTER, isAgentStatusTopic } from '../core/routing/status-message.js';
import type { Transport } from '../core/transport/transport.js';
import { agentStatusNote } from './agent-status-note.js';
import { AgentDirectory } from './agents-table.js';
import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { buildInjectEnvelope, UsageError, type BuiltEnvelope } from './build-envelope.js';
import { awaitBest, CapabilityDiscovery } from './inject-discovery.js';
import { routedWait, type RoutedWait } from './inject-routed.js';
import { createSubscriptions } from './keep-subscribed.js';
import { positive, SECONDS } from './option-numbers.js';

interface InjectFlags extends BrokerFlags {
  agentId?: string;
  capability?: string;
  query?: string;
  message?: string;
  input?: string;
  tool?: string;
  toolParams?: string;
  next?: string;
  conversationId?: string;
  taskId?: string;
  /** Seconds (`--wait` alone: DEFAULT_WAIT_SECONDS). */
  wait?: number;
  json?: boolean;
  /** Seconds. */
  discoveryTimeout: number;
  /** Seconds. */
  staleAfter: number;
  previewOnly?: boolean;
}

/** Exit status when no routable agent has the capability (sysexits.h EX_UNAVAILABLE). */
export const EXIT_NO_AGENT = 69;
/** `--wait` without a number. */
const DEFAULT_WAIT_SECONDS = 30;

type Outcome =
  | { kind: 'response'; text: string; raw: string }
  | { kind: 'error'; code: string; message: string; raw: string };

function classify(payload: string, taskId: string): Outcome | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isPlainObject(msg) || msg.task_id !== taskId) return undefined;
  if (typeof msg.response === 'string') return { kind: 'response', text: msg.response, raw: payload };
  if (isPlainObject(msg.error)) {
    return { kind: 'error', code: String(msg.error.code), message: String(msg.error.message), raw: payload };
  }
  return undefined;
}

function build(flags: InjectFlags, agentId: string, ids?: BuiltEnvelope): BuiltEnvelope {
  return buildInjectEnvelope({
    agentId,
    message: flags.message,
    query: flags.query,
    inputJson: flags.input,
    tool: flags.tool,
    toolParamsJson: flags.toolParams,
    next: flags.next
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    conversationId: ids?.conversationId ?? flags.conversationId,
    taskId: ids?.taskId ?? flags.taskId,
  });
}

/** --preview-only: the envelope on stdout (JSON), where it would go on stderr; nothing is sent. */
function preview(built: BuiltEnvelope): number {
  process.stderr.write(
    `would send task ${built.taskId} to ${built.topic} (conversation ${built.conversationId}); not sent (--preview-only)\n`,
  );
  process.stdout.write(`${JSON.stringify(built.envelope, null, 2)}\n`);
  return 0;
}

/** Subscribe to the status topics and wait for the best routable agent with the capability. */
async function discover(
  transport: Transport,
  discovery: CapabilityDiscovery,
  flags: InjectFlags,
  discoveryMs: number,
): Promise<string | undefined> {
  await transport.subscribe(AGENT_STATUS_FILTER);
  const best = await awaitBest(discovery, discoveryMs);
  const capability = JSON.stringify(flags.capability);
  if (!best) {
    const others = discovery.routable().map((a) => a.id);
    process.stderr.write(
      `no routable agent with capability ${capability} within ${discoveryMs / 1000}s on ${flags.brokerUrl}` +
        ` (routable: ${others.length === 0 ? 'none' : others.slice(0, 20).join(', ')})\n`,
    );
    return undefined;
  }
  process.stderr.write(`chose ${best.id} for capability ${capability} (load ${best.load})\n`);
  return best.id;
}

async function inject(flags: InjectFlags): Promise<number> {
  // The numbers were checked by commander (option-numbers.ts) while parsing.
  const waitSeconds = flags.wait ?? 0;
  const discoveryMs = flags.discoveryTimeout * 1000;
  const staleAfterMs = flags.staleAfter * 1000;
  const capability = flags.capability?.trim();
  if (capability === '') throw new UsageError('--capability must not be empty');
  // Every other flag is checked (JSON, ids) before connecting; the chosen agent replaces the placeholder.
  const draft = build(flags, flags.agentId ?? 'discovered');
  if (flags.agentId !== undefined && flags.previewOnly) return preview(draft);
  const discovery = capability === undefined ? undefined : new CapabilityDiscovery(capability, staleAfterMs);
  const directory = new AgentDirectory(); // the target's status, for the timeout message
  let routed: RoutedWait | undefined;
  let settle: (o: Outcome) => void = () => {};
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const subs = createSubscriptions({
    onError: (err) => process.stderr.write(`inject: cannot subscribe again: ${String(err)}\n`),
  });
  const transport = await connectCli(
    flags,
    (m) => {
      if (isAgentStatusTopic(m.topic)) {
        directory.add(m.topic, m.payload.toString('utf8'));
        return discovery?.observe(m.topic, m.payload);
      }
      if (routed) return routed.handle(m);
      const o = classify(m.payload.toString('utf8'), draft.taskId);
      if (o) settle(o);
    },
    subs.onReconnect,
  );
  try {
    const agentId = discovery ? await discover(transport, discovery, flags, discoveryMs) : flags.agentId;
    if (agentId === undefined) return EXIT_NO_AGENT;
    const built = discovery ? build(flags, agentId, draft) : draft;
    if (flags.previewOnly) return preview(built);
    // Waiting: also the target's status, to say on a timeout that it never published one.
    const status = discovery ? [] : [statusTopic(agentId)];
    if (waitSeconds > 0 && flags.query !== undefined) {
      routed = routedWait(built.conversationId, built.taskId, agentId);
      await subs.subscribe(transport, [...routed.topics, ...status]);
    } else if (waitSeconds > 0) {
      await subs.subscribe(transport, [`/conversations/${built.conversationId}/+`, ...status]);
    }
    await transport.publish(built.topic, JSON.stringify(built.envelope));
    process.stderr.write(
      `sent task ${built.taskId} to ${built.topic} (conversation ${built.conversationId})\n`,
    );
    if (waitSeconds <= 0) return 0;
    const note = (): string | undefined => agentStatusNote(directory, agentId);
    if (routed) return await routed.finish(waitSeconds, flags.json === true, note);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), waitSeconds * 1000)),
    );
    const result = await Promise.race([outcome, timedOut]);
    clearTimeout(timer);
    if (!result) {
      const why = note();
      process.stderr.write(`no response within ${waitSeconds}s${why === undefined ? '' : `; ${why}`}\n`);
      return 2;
    }
    if (result.kind === 'response') {
      process.stdout.write(flags.json ? `${result.raw}\n` : `${result.text}\n`);
      return 0;
    }
    process.stderr.write(flags.json ? `${result.raw}\n` : `error [${result.code}]: ${result.message}\n`);
    return 1;
  } finally {
    await transport.close();
  }
}

export function injectCommand(): Command {
  const cmd = new Command('inject')
    .description(
      'Send a task to an agent (or the best agent for a capability) and optionally wait for the result',
    )
    .option('--agent-id <id>', 'the agent to send the task to')
    .option('--capability <name>', 'send to the best routable agent with this capability (lowest load)')
    .option('--query <text>', 'send a v2 task that starts a routed workflow: the query is its instruction')
    .option('--message <text>', 'the instruction (v1 task)')
    .option('--input <json>', 'the task input (any JSON value)')
    .option('--tool <name>', 'ask the agent to call this tool (builds input.tool_request)')
    .option('--tool-params <json>', 'parameters for --tool (a JSON object)')
    .option('--next <ids>', 'comma-separated agents to forward the result to, in order (a pipeline)')
    .option('--conversation-id <id>', 'conversation id (default: conv- and 8 random hex digits)')
    .option('--task-id <uuid>', 'task id (default: a random UUID v4)')
    .addOption(
      new Option('--wait [seconds]', 'wait for the response or error and print it (default 30 s)')
        .preset(String(DEFAULT_WAIT_SECONDS))
        .argParser(positive(SECONDS)),
    )
    .option('--json', 'print the raw response/error message as JSON')
    .option(
      '--discovery-timeout <seconds>',
      'with --capability: how long to look for an agent',
      positive(SECONDS),
      5,
    )
    .option(
      '--stale-after <seconds>',
      'with --capability: a status older than this is not routable',
      positive(SECONDS),
      90,
    )
    .option('--preview-only', 'print the envelope (stdout) and where it would go (stderr); send nothing');
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nOne of --agent-id or --capability is required. --capability reads the retained status messages\n' +
      '(/control/agents/+/status) and picks, among the routable agents (available, status younger than\n' +
      '--stale-after) with that capability (case-insensitive), the lowest load, ties by id. It stops 250 ms\n' +
      'after the last status message once one is found (the retained ones arrive at once), else after\n' +
      '--discovery-timeout.\n' +
      '\n--query sends a v2 task (version "2.0", context {original_query, steps_completed: [], iteration_count: 0}):\n' +
      'agents with [routing] route it onward (docs/routing.md). With --wait every hop and routing decision is\n' +
      'printed on stderr; the final response (one not forwarded further) goes to stdout.\n' +
      `\nExit status: 0 response received (or sent without --wait), 1 error message received, 2 timeout,\n` +
      `3 broker unreachable, 64 usage error, ${EXIT_NO_AGENT} no routable agent with the capability.\n` +
      '\nExamples:\n  agent2389 inject --agent-id my-agent --message "hello" --wait\n' +
      '  agent2389 inject --agent-id my-agent --tool current_time --tool-params \'{"timezone":"Europe/Paris"}\' --wait\n' +
      '  agent2389 inject --agent-id researcher --next writer,editor --message "Rust async" --wait 120\n' +
      '  agent2389 inject --capability research --query "Rust async best practices" --wait 120\n' +
      '  agent2389 inject --capability research --query "Rust async" --preview-only',
  );
  return cmd.action(async (flags: InjectFlags, command: Command) => {
    if ((flags.agentId === undefined) === (flags.capability === undefined)) {
      command.error('error: exactly one of --agent-id <id> or --capability <name> is required', {
        exitCode: 64,
        code: 'agent2389.inject.target',
      });
    }
    process.exitCode = await inject(flags);
  });
}
