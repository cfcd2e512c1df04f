// `agent2389 pipeline`: send one multi-agent pipeline and follow it hop by hop until the final message.
import { readFile } from 'node:fs/promises';

import { Command } from 'commander';

import { inputTopic, progressTopic, statusTopic } from '../core/protocol/topics.js';
import { AgentDirectory } from './agents-table.js';
import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { UsageError } from './build-envelope.js';
import { agentStatusNote } from './agent-status-note.js';
import { formatDuration } from './display-text.js';
import { createSubscriptions } from './keep-subscribed.js';
import { positive, SECONDS } from './option-numbers.js';
import { buildPipelineEnvelope, type BuiltPipeline } from './pipeline-envelope.js';
import { formatHopEvent, pipelineHeader } from './pipeline-format.js';
import { pipelineFromOptions } from './pipeline-spec.js';
import { PipelineTracker, type Outcome } from './pipeline-tracker.js';
import { colourWanted, createPalette } from './terminal-style.js';

interface PipelineFlags extends BrokerFlags {
  agents?: string;
  message?: string;
  topic?: string;
  input?: string;
  file?: string;
  conversationId?: string;
  taskId?: string;
  /** Seconds. */
  timeout: number;
  json?: boolean;
}

async function readPipelineFile(path: string): Promise<{ path: string; text: string }> {
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`cannot read --file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

async function build(flags: PipelineFlags): Promise<BuiltPipeline> {
  const spec = pipelineFromOptions({
    agents: flags.agents,
    message: flags.message,
    topic: flags.topic,
    inputJson: flags.input,
    file: flags.file === undefined ? undefined : await readPipelineFile(flags.file),
  });
  return buildPipelineEnvelope(spec, { taskId: flags.taskId, conversationId: flags.conversationId });
}

/** Where the pipeline stood when time ran out. */
function stuckAt(tracker: PipelineTracker, agents: readonly string[], directory: AgentDirectory): string {
  const p = tracker.pending();
  if (!p) return 'every hop finished, but no final message arrived';
  const at = `hop ${p.hop + 1}/${agents.length} (${p.agent})`;
  const since = p.since === undefined ? '' : ` ${formatDuration(Date.now() - p.since)} ago`;
  const what =
    p.state === 'started'
      ? `started${since}, still working`
      : p.since === undefined
        ? 'never got the task'
        : `got the task${since}, no progress event since`;
  const note = agentStatusNote(directory, p.agent);
  return `${at} ${what}${note === undefined ? '' : `; ${note}`}`;
}

async function pipeline(flags: PipelineFlags): Promise<number> {
  const timeoutS = flags.timeout;
  const built = await build(flags);
  const agents = built.hops.map((h) => h.agent);
  const palette = createPalette(colourWanted(process.stderr));
  const tracker = new PipelineTracker(built.taskId, agents);
  const directory = new AgentDirectory(); // the hops' status, for the timeout message
  let settle: (o: Outcome) => void = () => {};
  const finished = new Promise<Outcome>((resolve) => (settle = resolve));
  const subs = createSubscriptions({
    onError: (err) => process.stderr.write(`pipeline: cannot subscribe again: ${String(err)}\n`),
  });
  const transport = await connectCli(
    flags,
    (m) => {
      directory.add(m.topic, m.payload.toString('utf8'));
      for (const e of tracker.handle(m, Date.now())) {
        if (e.type === 'final') settle(e.outcome);
        const line = formatHopEvent(e, agents, palette);
        if (line !== undefined) process.stderr.write(`${line}\n`);
      }
    },
    subs.onReconnect,
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    await subs.subscribe(transport, [
      `/conversations/${built.conversationId}/+`,
      ...agents.map((a) => progressTopic(a)),
      ...agents.slice(1).map((a) => inputTopic(a)),
      ...agents.map((a) => statusTopic(a)),
    ]);
    process.stderr.write(`${pipelineHeader(agents, built.taskId, built.conversationId)}\n`);
    const startedAt = Date.now();
    tracker.sent(startedAt);
    await transport.publish(built.topic, JSON.stringify(built.envelope));
    process.stderr.write(`sent to ${agents[0]} (${built.topic})\n`);
    const timedOut = new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), timeoutS * 1000)),
    );
    const outcome = await Promise.race([finished, timedOut]);
    const elapsed = formatDuration(Date.now() - startedAt);
    if (!outcome) {
      process.stderr.write(`no final message within ${timeoutS}s: ${stuckAt(tracker, agents, directory)}\n`);
      return 2;
    }
    if (outcome.kind === 'response') {
      process.stderr.write(`response from ${outcome.agent} after ${elapsed}:\n`);
      process.stdout.write(flags.json ? `${outcome.raw}\n` : `${outcome.text}\n`);
      return 0;
    }
    process.stderr.write(
      `error [${outcome.code}] from ${outcome.agent} after ${elapsed}: ${outcome.message}\n`,
    );
    if (flags.json) process.stdout.write(`${outcome.raw}\n`);
    return 1;
  } finally {
    clearTimeout(timer);
    await transport.close();
  }
}

export function pipelineCommand(): Command {
  const cmd = new Command('pipeline')
    .description('Send a multi-agent pipeline and follow it hop by hop until the final response')
    .option(
      '--agents <ids>',
      'comma-separated agents, in order (default with --topic: researcher,writer,editor)',
    )
    .option('--message <text>', 'instruction for the first hop (later hops get none)')
    .option('--topic <text>', 'research → write → edit: default instructions for every hop (see below)')
    .option('--input <json>', "the first hop's input (any JSON value; default null)")
    .option(
      '--file <pipeline.json>',
      '{"conversation_id"?, "input"?, "hops": [{"agent", "instruction"}, ...]}',
    )
    .option(
      '--conversation-id <id>',
      "conversation id (default: the file's, else conv- and 8 random hex digits)",
    )
    .option('--task-id <uuid>', 'task id, shared by every hop (default: a random UUID v4)')
    .option('--timeout <seconds>', 'give up waiting for the final message', positive(SECONDS), 120)
    .option('--json', 'print the final response/error message as raw JSON on stdout');
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nOne nested envelope is sent to the first agent; each hop forwards its response to the next.\n' +
      'Hop lines (received, started, forwarded, completed, failed, tool events) go to stderr; the final\n' +
      'response text (or with --json the raw message) goes to stdout. Times marked ~ are measured here\n' +
      "(the agent sent no progress event); the others are the agent's own.\n" +
      '\n--topic instructions: first hop "Research: <topic>"; the last of three or more hops "Edit and polish\n' +
      'this article"; every other hop "Write an article from this research".\n' +
      '\nExit status: 0 final response, 1 error message from a hop, 2 timeout, 3 broker unreachable, 64 usage error.\n' +
      '\nExamples:\n  agent2389 pipeline --topic "Rust async programming best practices"\n' +
      '  agent2389 pipeline --agents researcher,writer --message "Summarise the MQTT 5 spec" --timeout 300\n' +
      '  agent2389 pipeline --file pipeline.json --json | jq -r .response',
  );
  return cmd.action(async (flags: PipelineFlags) => {
    process.exitCode = await pipeline(flags);
  });
}
