// `agent2389 agents`: list the agents known from their retained status messages.
import { Command } from 'commander';

import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { UsageError } from './build-envelope.js';
import { AgentDirectory, agentsJson, agentsTable } from './agents-table.js';
import { colourWanted, createPalette } from './terminal-style.js';

interface AgentsFlags extends BrokerFlags {
  wait: string;
  json?: boolean;
  available?: boolean;
}

const STATUS_TOPICS = '/control/agents/+/status';

function parseWait(value: string): number {
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0)
    throw new UsageError(`--wait must be a number of milliseconds ≥ 0, got "${value}"`);
  return ms;
}

async function agents(flags: AgentsFlags): Promise<number> {
  const waitMs = parseWait(flags.wait);
  const directory = new AgentDirectory();
  const transport = await connectCli(flags, (m) => directory.add(m.topic, m.payload.toString('utf8')));
  try {
    await transport.subscribe(STATUS_TOPICS);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  } finally {
    await transport.close();
  }
  const list = directory.list(flags.available === true);
  const now = Date.now();
  if (directory.ignored > 0) {
    process.stderr.write(`ignored ${directory.ignored} malformed status message(s)\n`);
  }
  if (flags.json) process.stdout.write(`${agentsJson(list, now)}\n`);
  if (list.length === 0) {
    const hidden = directory.list().length;
    process.stderr.write(
      hidden > 0
        ? `no available agents (${hidden} known, none available)\n`
        : `no agents known on ${flags.brokerUrl} (no retained status on ${STATUS_TOPICS} within ${waitMs} ms)\n`,
    );
    return 0;
  }
  if (!flags.json) {
    process.stdout.write(`${agentsTable(list, now, createPalette(colourWanted(process.stdout)))}\n`);
  }
  return 0;
}

export function agentsCommand(): Command {
  const cmd = new Command('agents')
    .description('List the agents known from their retained status messages')
    .option('--wait <ms>', 'how long to collect status messages', '1000')
    .option('--json', 'print the status messages as a JSON array (each with last_seen_ms)')
    .option('--available', 'only agents whose status is available');
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns: id, status, capabilities, tools, load (in-flight tasks / max_concurrent_tasks), last seen\n' +
      "(from the status message's timestamp, e.g. 4s ago). Sorted by id.\n" +
      '\nExit status: 0 (also when no agent is known: a note on stderr), 3 broker unreachable, 64 usage error.\n' +
      '\nExamples:\n  agent2389 agents\n  agent2389 agents --available --json | jq -r ".[].agent_id"\n' +
      '  agent2389 agents --broker-url mqtt://broker.example:1883 --wait 3000',
  );
  return cmd.action(async (flags: AgentsFlags) => {
    process.exitCode = await agents(flags);
  });
}
