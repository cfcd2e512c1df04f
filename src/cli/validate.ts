// `agent2389 validate [config]`: the whole startup plan without connecting; every problem in one run.
import { Command } from 'commander';

import { defaultPluginSources } from '../plugin-sources.js';
import { configPath } from './config-path.js';
import { problemLine } from './validate-report.js';
import { validateStages } from './validate-stages.js';

interface ValidateFlags {
  strict?: boolean;
  json?: boolean;
}

async function validate(pathArg: string | undefined, flags: ValidateFlags): Promise<void> {
  const file = configPath(pathArg);
  const { problems, config, mcpServers } = await validateStages(file, {
    strict: flags.strict === true,
    env: process.env,
    plugins: defaultPluginSources(),
  });
  const valid = config !== undefined && problems.every((p) => p.severity === 'warning');
  if (!valid) process.exitCode = 1;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ file, valid, problems }, null, 2)}\n`);
    return;
  }
  for (const p of problems) process.stderr.write(`${problemLine(p)}\n`);
  if (!valid || !config) return;
  const tools = Object.keys(config.tools);
  process.stdout.write(
    `${file} is valid: agent ${config.agent.id}, provider ${config.llm.provider}, broker ${config.mqtt.broker_url}, ` +
      `tools: ${tools.length ? tools.join(', ') : '(none)'}` +
      `${mcpServers.length ? `, mcp servers: ${mcpServers.join(', ')}` : ''}\n`,
  );
}

export function validateCommand(): Command {
  return new Command('validate')
    .description(
      'Check a config and everything it starts (plugins, manifests, tool files, secrets, provider, MCP servers) ' +
        'without connecting or running plugin code; every problem is reported in one run',
    )
    .argument('[config]', 'path to agent.toml (default: AGENT_CONFIG)')
    .option('--strict', 'unknown keys are errors, not warnings')
    .option('--json', 'print {file, valid, problems} as JSON on stdout')
    .addHelpText(
      'after',
      '\nOne line per problem on stderr: "error: <file>:<line>: <CODE>: <key or JSON pointer> <message>".\n' +
        'Exit status: 0 valid (warnings allowed), 1 invalid.',
    )
    .action(validate);
}
