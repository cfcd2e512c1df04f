// `agent2389 validate [config]`: check a config file without connecting to anything.
import { Command } from 'commander';

import { loadConfigFile } from '../core/config/load.js';
import { planParts } from '../core/agent/resolve.js';
import { resolveSecrets } from '../core/config/secrets.js';
import { defaultPluginSources } from '../plugin-sources.js';
import { AgentError } from '../core/errors.js';
import { mcpServerSpecs } from '../core/mcp/server-spec.js';
import { checkToolCommand } from '../core/sandbox/tool-access.js';
import { configPath } from './config-path.js';
import { stderrWarnings } from './warning-log.js';

async function validate(pathArg: string | undefined): Promise<void> {
  const { config, file, warnings } = await loadConfigFile(configPath(pathArg));
  for (const w of warnings) process.stderr.write(`warning: ${file}: ${w.path} ${w.message}\n`);
  const problems: string[] = [];
  let mcp: string[] = [];
  try {
    // Discovery, manifests, provider, tools, runtime ranges and secrets: everything but running plugin code.
    const plan = await planParts(config, { providers: [], tools: [], plugins: defaultPluginSources() });
    resolveSecrets(config, process.env, { providerRequiresApiKey: plan.provider?.requiresApiKey ?? false });
    // Each subprocess tool's command must be runnable by the user it will run as ([sandbox] user).
    for (const tool of plan.tools) {
      if (tool.kind !== 'subprocess') continue;
      const spec = { tool: tool.name, command: tool.command, envAllow: tool.envAllow };
      const runAs = config.sandbox.user;
      const problem = await checkToolCommand(runAs ? { ...spec, runAs } : spec, process.env);
      if (problem) problems.push(`${problem.code}: ${problem.message}`);
    }
    // [mcp] servers as the agent would build them (paths must exist; a plugin's server must be shipped); none starts.
    mcp = mcpServerSpecs(config, { plugins: plan.plugins, log: stderrWarnings(file) }).map((s) => s.name);
  } catch (err) {
    if (!AgentError.is(err)) throw err;
    problems.push(`${err.code}: ${err.message}`);
  }
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`error: ${file}: ${p}\n`);
    process.exitCode = 1;
    return;
  }
  const tools = Object.keys(config.tools);
  process.stdout.write(
    `${file} is valid: agent ${config.agent.id}, provider ${config.llm.provider}, broker ${config.mqtt.broker_url}, ` +
      `tools: ${tools.length ? tools.join(', ') : '(none)'}${mcp.length ? `, mcp servers: ${mcp.join(', ')}` : ''}\n`,
  );
}

export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'Check a config file (syntax, keys, values, provider, tools, MCP servers, secrets) without starting anything',
    )
    .argument('[config]', 'path to agent.toml (default: AGENT_CONFIG)')
    .addHelpText('after', '\nExit status: 0 valid, 1 invalid (one line per problem on stderr).')
    .action(validate);
}
