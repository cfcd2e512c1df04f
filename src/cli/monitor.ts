// `agent2389 monitor`: a live view of agent traffic (status, tasks, responses/errors, progress events).
import { Command } from 'commander';

import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { UsageError } from './build-envelope.js';
import { createSubscriptions } from './keep-subscribed.js';
import {
  checkFilters,
  matchesFilters,
  parseMode,
  subscriptionTopics,
  type MonitorFilters,
} from './monitor-filter.js';
import { MONITOR_FORMATS, formatMessage, type MonitorFormat } from './monitor-format.js';
import { observe } from './observed-message.js';
import { COUNT, positive, SECONDS } from './option-numbers.js';
import { colourWanted, createPalette } from './terminal-style.js';

interface MonitorFlags extends BrokerFlags {
  mode: string;
  agentId?: string;
  conversationId?: string;
  format?: string;
  count?: number;
  /** Seconds. */
  duration?: number;
}

function parseFormat(value: string | undefined): MonitorFormat {
  if (value === undefined) return process.stdout.isTTY ? 'pretty' : 'json';
  const format = MONITOR_FORMATS.find((f) => f === value);
  if (!format) throw new UsageError(`--format must be one of ${MONITOR_FORMATS.join(', ')}, got "${value}"`);
  return format;
}

async function monitor(flags: MonitorFlags): Promise<number> {
  const mode = parseMode(flags.mode);
  const filters: MonitorFilters = checkFilters({
    agentId: flags.agentId,
    conversationId: flags.conversationId,
  });
  const format = parseFormat(flags.format);
  const { count, duration: durationS } = flags;
  const palette = createPalette(format !== 'json' && colourWanted(process.stdout));

  let shown = 0;
  let done = false;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const finish = (): void => {
    done = true;
    stop();
  };
  const subs = createSubscriptions({
    onRestored: () => process.stderr.write('monitor: reconnected, subscribed again\n'),
    onError: (err) => process.stderr.write(`monitor: cannot subscribe again: ${String(err)}\n`),
  });
  const transport = await connectCli(
    flags,
    (m) => {
      if (done) return;
      const msg = observe(m, new Date());
      if (!matchesFilters(msg, filters)) return;
      process.stdout.write(`${formatMessage(msg, format, palette)}\n`);
      shown += 1;
      if (count !== undefined && shown >= count) finish();
    },
    subs.onReconnect,
  );
  const onSignal = (): void => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.once('error', finish); // EPIPE: the reader went away (`| head`)
  const timer = durationS === undefined ? undefined : setTimeout(finish, durationS * 1000);
  try {
    const topics = subscriptionTopics(mode, filters);
    await subs.subscribe(transport, topics);
    process.stderr.write(`monitoring ${topics.join(' ')} on ${flags.brokerUrl} (Ctrl-C to stop)\n`);
    await stopped;
    return 0;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', finish);
    await transport.close();
  }
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description('Watch agent traffic live: status, tasks, responses and errors, progress events')
    .option('--mode <mode>', 'all | availability | conversations | inputs | progress', 'all')
    .option('--agent-id <id>', 'only messages of this agent (topic or payload agent_id)')
    .option('--conversation-id <id>', 'only messages of this conversation (topic or payload conversation_id)')
    .option('--format <format>', 'pretty | compact | json (default: pretty on a terminal, json when piped)')
    .option('--count <n>', 'exit after showing n messages', positive(COUNT))
    .option('--duration <seconds>', 'exit after this many seconds', positive(SECONDS));
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nModes: availability = /control/agents/+/status (retained status), inputs = /control/agents/+/input (tasks),\n' +
      '  conversations = /conversations/# (responses and errors), progress = /control/agents/+/progress, all = every one.\n' +
      'json prints one object per line: {time, kind, topic, retained, agent_id?, conversation_id?, task_id?, payload};\n' +
      'kind is status, task, response, error, progress or malformed (payload then is the raw text when not JSON).\n' +
      'Colours only on a terminal, and never with NO_COLOR set.\n' +
      '\nExit status: 0 after Ctrl-C, --count or --duration; 3 broker unreachable; 64 usage error.\n' +
      '\nExamples:\n  agent2389 monitor\n' +
      '  agent2389 monitor --mode progress --agent-id writer --format compact\n' +
      '  agent2389 monitor --conversation-id conv-7 --format json | jq .payload\n' +
      '  agent2389 monitor --mode availability --count 5 --duration 10',
  );
  return cmd.action(async (flags: MonitorFlags) => {
    process.exitCode = await monitor(flags);
  });
}
