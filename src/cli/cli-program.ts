// The `agent2389` command tree and the exit status of a failed command (program.ts runs it on process.argv).
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

/** Exit status of a usage error (sysexits.h EX_USAGE). */
export const EXIT_USAGE = 64;
/** Exit status when the MQTT broker cannot be reached. */
export const EXIT_UNREACHABLE = 3;

/** Commander calls process.exit on a usage error unless told to throw: every (sub)command throws instead. */
function throwOnUsageErrors(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) throwOnUsageErrors(sub);
}

/** Every command, parsing flags and throwing (never exiting) on a usage error. */
export function createProgram(): Command {
  const program = new Command('agent2389')
    .description('Runtime for the 2389 Agent Protocol: MQTT agents with LLM providers and tools')
    .version(VERSION)
    .addCommand(runCommand())
    .addCommand(validateCommand())
    .addCommand(injectCommand())
    .addCommand(monitorCommand())
    .addCommand(agentsCommand())
    .addCommand(pipelineCommand())
    .addCommand(healthCommand())
    .addCommand(pluginCommand())
    .addCommand(pluginsCommand());
  throwOnUsageErrors(program);
  return program;
}

export interface Failure {
  readonly code: number;
  /** The line to print on stderr (without `agent2389: `); absent when commander already printed it. */
  readonly message?: string;
}

/** What a command that threw `err` exits with, and what to print. */
export function failureOf(err: unknown): Failure {
  if (err instanceof CommanderError) {
    // --help and --version end in a CommanderError too, with exitCode 0.
    return { code: err.exitCode === 0 || err.code === 'commander.helpDisplayed' ? 0 : EXIT_USAGE };
  }
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof CliConnectError) return { code: EXIT_UNREACHABLE, message: err.message };
  if (AgentError.is(err)) return { code: 1, message: `[${err.code}] ${err.message}` };
  return { code: 1, message: reasonOf(err) };
}
