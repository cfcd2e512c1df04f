// `agent2389 run [config]`: start an agent and keep it running until SIGINT/SIGTERM.
import { Command } from 'commander';

import { createAgent } from '../index.js';
import { serveHealth } from '../core/agent/health-endpoint.js';
import { Reloader } from '../core/agent/reloader.js';
import { loadConfigFile } from '../core/config/load.js';
import { createLogger, setLogLevel } from '../core/observability/logger.js';
import { configPath } from './config-path.js';
import { releaseYoungGeneration } from './young-generation.js';

async function run(pathArg: string | undefined): Promise<void> {
  const { config, file, warnings } = await loadConfigFile(configPath(pathArg));
  const log = createLogger({ level: config.log.level, format: config.log.format, redact: config.log.redact });
  for (const w of warnings) log.warn({ file, key: w.path }, `config: ${w.path} ${w.message}`);
  const agent = createAgent(config, { log, onLogLevel: (level) => setLogLevel(log, level) });
  const reloader = new Reloader(agent, { file, log });
  // Up before the agent starts: /live answers at once, /ready says 503 until `available` is published.
  const health = config.health.enabled ? await serveHealth(agent, config.health, log) : undefined;
  if (health) log.info({ url: health.url }, 'health server listening (/live, /ready, /health, /metrics)');
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down: draining in-flight tasks');
    reloader
      .close()
      .then(() => agent.stop())
      .then(() => health?.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // SIGHUP: reload now, rebuilding plugins and tools even if their files look unchanged.
  process.on('SIGHUP', () => {
    if (agent.state === 'running' || agent.state === 'reloading') void reloader.request('signal');
    else log.warn('SIGHUP ignored: the agent is not running yet');
  });
  log.info({ file, agent_id: config.agent.id }, 'starting agent');
  try {
    await agent.start();
  } catch (err) {
    if (signals > 0) return; // shutting down during startup: the signal handler exits
    throw err;
  }
  if (signals === 0) await reloader.start();
  releaseYoungGeneration();
}

export function runCommand(): Command {
  return new Command('run')
    .description('Run an agent (config from the path or AGENT_CONFIG)')
    .argument('[config]', 'path to agent.toml')
    .addHelpText(
      'after',
      '\nEnvironment overrides: AGENT_ID, MQTT_BROKER_URL, HEALTH_PORT, LOG_LEVEL, LOG_FORMAT (json|pretty), AGENT_CONFIG.\n' +
        'The config file and the plugin folders in use are watched: a saved change is applied without a restart\n' +
        '(or rejected, keeping the running config; see docs/configuration.md). SIGHUP reloads too.\n' +
        'Example (embedded broker, offline scripted provider):\n  agent2389 run examples/quickstart.toml',
    )
    .action(run);
}
