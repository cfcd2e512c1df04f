// `agent2389` command line: run, validate, inject, monitor, agents, pipeline, health, plugin, plugins.
import { Command, CommanderError } from 'commander';

import { AgentError, reasonOf } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { CliConnectError } from './broker-client.js';
import { UsageError } from './build-envelope.js';
import { agentsCommand } from './agents.js';
import { healthCommand } from './health.js';
import { injectCommand } from './inject.js';
import { monitorCommand } from './monitor.js';
import { pipelineCommand } from './pipeline.js';
import { pluginCommand } from './plugin.js';
import { pluginsCommand } from './plugins.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';

const EXIT_USAGE = 64;

function fail(message: string, code: number): void {
  process.stderr.write(`agent2389: ${message}\n`);
  process.exit(code);
}

const program = new Command('agent2389')
  .description('Runtime for the 2389 Agent Protocol: MQTT agents with LLM providers and tools')
  .version(VERSION)
  .exitOverride()
  .addCommand(runCommand())
  .addCommand(validateCommand())
  .addCommand(injectCommand())
  .addCommand(monitorCommand())
  .addCommand(agentsCommand())
  .addCommand(pipelineCommand())
  .addCommand(healthCommand())
  .addCommand(pluginCommand())
  .addCommand(pluginsCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode !== 0) process.exitCode = err.code === 'commander.helpDisplayed' ? 0 : EXIT_USAGE;
  } else if (err instanceof UsageError) {
    fail(err.message, EXIT_USAGE);
  } else if (err instanceof CliConnectError) {
    fail(err.message, 3);
  } else if (AgentError.is(err)) {
    fail(`[${err.code}] ${err.message}`, 1);
  } else {
    fail(reasonOf(err), 1);
  }
}
