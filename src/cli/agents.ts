// `agent2389 agents`: list the agents known from their retained status messages.
import { Command } from 'commander';

import { addBrokerOptions, connectCli, type BrokerFlags } from './broker-client.js';
import { MAX_REPLICAS, REPLICA_STATUS_TOPICS, ReplicaDirectory } from './agents-replicas.js';
import { AgentDirectory, agentsJson, agentsTable } from './agents-table.js';
import { MILLISECONDS, positive, SECONDS } from './option-numbers.js';
import { colourWanted, createPalette } from './terminal-style.js';

interface AgentsFlags extends BrokerFlags {
  /** Milliseconds. */
  wait: number;
  json?: boolean;
  available?: boolean;
  replicas?: boolean;
  /** Seconds. */
  staleAfter: number;
}

const STATUS_TOPICS = '/control/agents/+/status';

/** Notes on stderr about replica statuses not shown: malformed, beyond the cap, or of agents without a status. */
function reportReplicaNotes(replicas: ReplicaDirectory, directory: AgentDirectory): void {
  if (replicas.ignored > 0) {
    process.stderr.write(`ignored ${replicas.ignored} malformed replica status message(s)\n`);
  }
  if (replicas.overflow > 0) {
    process.stderr.write(`kept the first ${MAX_REPLICAS} replicas; ${replicas.overflow} more not shown\n`);
  }
  const orphans = replicas.orphans(new Set(directory.list().map((a) => a.id)));
  if (orphans > 0) {
    process.stderr.write(
      `${orphans} replica status message(s) of agents without a status message, not shown\n`,
    );
  }
}

async function agents(flags: AgentsFlags): Promise<number> {
  const waitMs = flags.wait;
  const staleAfterMs = flags.staleAfter * 1000;
  const directory = new AgentDirectory();
  const replicas = flags.replicas ? new ReplicaDirectory() : undefined;
  const transport = await connectCli(flags, (m) => {
    if (replicas?.add(m.topic, m.payload)) return;
    directory.add(m.topic, m.payload.toString('utf8'));
  });
  try {
    await transport.subscribe(STATUS_TOPICS);
    if (replicas) await transport.subscribe(REPLICA_STATUS_TOPICS);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  } finally {
    await transport.close();
  }
  const list = directory.list(flags.available === true);
  const now = Date.now();
  if (directory.ignored > 0) {
    process.stderr.write(`ignored ${directory.ignored} malformed status message(s)\n`);
  }
  if (replicas) reportReplicaNotes(replicas, directory);
  if (flags.json) process.stdout.write(`${agentsJson(list, now, replicas, staleAfterMs)}\n`);
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
    const palette = createPalette(colourWanted(process.stdout));
    process.stdout.write(`${agentsTable(list, now, palette, replicas, staleAfterMs)}\n`);
  }
  return 0;
}

export function agentsCommand(): Command {
  const cmd = new Command('agents')
    .description('List the agents known from their retained status messages')
    .option('--wait <ms>', 'how long to collect status messages', positive(MILLISECONDS), 1000)
    .option('--json', 'print the status messages as a JSON array (each with last_seen_ms)')
    .option('--available', 'only agents whose status is available')
    .option('--replicas', "also list each agent's replicas (their own retained status, docs/scaling.md)")
    .option(
      '--stale-after <seconds>',
      "a status older than this is not routable (3 × the agents' heartbeat; their default: 30 s)",
      positive(SECONDS),
      90,
    );
  addBrokerOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nColumns: id, status, routable, capabilities, tools, load (in-flight tasks / max_concurrent_tasks), last\n' +
      "seen (from the status message's timestamp, e.g. 4s ago). Sorted by id. ROUTABLE is yes when the status\n" +
      'is available and younger than --stale-after (default 90 s = 3 × the default 30 s heartbeat): the agents\n' +
      'route to such agents only. The agents themselves measure the age on their own clock from when a status\n' +
      'arrived ([routing] stale_after_seconds); here it comes from the timestamp, so clock skew shifts it.\n' +
      'With --json each agent also has "routable": true|false.\n' +
      '\nWith --replicas each agent is followed by its replicas ([mqtt] shared_group), one indented row each\n' +
      '(replica id, status, load, last seen), from /control/agents/<id>/replicas/<replica_id>/status; with\n' +
      '--json each agent gets a "replicas" array of their status messages (with replica_id, last_seen_ms).\n' +
      '\nExit status: 0 (also when no agent is known: a note on stderr), 3 broker unreachable, 64 usage error.\n' +
      '\nExamples:\n  agent2389 agents\n  agent2389 agents --available --json | jq -r ".[].agent_id"\n' +
      '  agent2389 agents --broker-url mqtt://broker.example:1883 --wait 3000\n' +
      '  agent2389 agents --replicas --json | jq ".[] | {agent_id, replicas: [.replicas[].replica_id]}"',
  );
  return cmd.action(async (flags: AgentsFlags) => {
    process.exitCode = await agents(flags);
  });
}
