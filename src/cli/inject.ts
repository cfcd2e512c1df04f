// `agent2389 inject`: send one task envelope, optionally wait for its response or error.
import { Command } from 'commander';

import { isPlainObject } from '../core/protocol/envelope.js';
import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { buildInjectEnvelope } from './build-envelope.js';

interface InjectFlags extends BrokerFlags {
  agentId: string;
  message?: string;
  input?: string;
  tool?: string;
  toolParams?: string;
  next?: string;
  conversationId?: string;
  taskId?: string;
  wait?: string | boolean;
  json?: boolean;
}

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

async function inject(flags: InjectFlags): Promise<number> {
  const built = buildInjectEnvelope({
    agentId: flags.agentId,
    message: flags.message,
    inputJson: flags.input,
    tool: flags.tool,
    toolParamsJson: flags.toolParams,
    next: flags.next
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    conversationId: flags.conversationId,
    taskId: flags.taskId,
  });
  const waitSeconds =
    flags.wait === undefined || flags.wait === false ? 0 : flags.wait === true ? 30 : Number(flags.wait);
  let settle: (o: Outcome) => void = () => {};
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const transport = await connectCli(flags, (m) => {
    const o = classify(m.payload.toString('utf8'), built.taskId);
    if (o) settle(o);
  });
  try {
    if (waitSeconds > 0) await transport.subscribe(`/conversations/${built.conversationId}/+`);
    await transport.publish(built.topic, JSON.stringify(built.envelope));
    process.stderr.write(
      `sent task ${built.taskId} to ${built.topic} (conversation ${built.conversationId})\n`,
    );
    if (waitSeconds <= 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), waitSeconds * 1000)),
    );
    const result = await Promise.race([outcome, timedOut]);
    clearTimeout(timer);
    if (!result) {
      process.stderr.write(`no response within ${waitSeconds}s\n`);
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
    .description('Send a task to an agent and optionally wait for the result')
    .requiredOption('--agent-id <id>', 'the agent to send the task to')
    .option('--message <text>', 'the instruction')
    .option('--input <json>', 'the task input (any JSON value)')
    .option('--tool <name>', 'ask the agent to call this tool (builds input.tool_request)')
    .option('--tool-params <json>', 'parameters for --tool (a JSON object)')
    .option('--next <ids>', 'comma-separated agents to forward the result to, in order (a pipeline)')
    .option('--conversation-id <id>', 'conversation id (default: conv- and 8 random hex digits)')
    .option('--task-id <uuid>', 'task id (default: a random UUID v4)')
    .option('--wait [seconds]', 'wait for the response or error and print it (default 30 s)')
    .option('--json', 'print the raw response/error message as JSON');
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExit status: 0 response received (or sent without --wait), 1 error message received, 2 timeout, 64 usage error.\n' +
      '\nExamples:\n  agent2389 inject --agent-id my-agent --message "hello" --wait\n' +
      '  agent2389 inject --agent-id my-agent --tool current_time --tool-params \'{"timezone":"Europe/Paris"}\' --wait\n' +
      '  agent2389 inject --agent-id researcher --next writer,editor --message "Rust async" --wait 120',
  );
  return cmd.action(async (flags: InjectFlags) => {
    process.exitCode = await inject(flags);
  });
}
