// Library usage: load a config, create an agent, react to task outcomes, stop on SIGINT/SIGTERM.
// Run from the repository after `npm ci` (or anywhere agent2389 is installed):
//   node examples/library-usage.mjs [examples/quickstart.toml]
import { createAgent, createLogger, loadConfig } from 'agent2389';

const config = await loadConfig(process.argv[2] ?? 'examples/quickstart.toml', {
  onWarning: (w) => console.warn(`config warning: ${w.path} ${w.message}`),
});
const agent = createAgent(config, { log: createLogger({ level: 'warn', format: 'json' }) });

agent.on('task:completed', (e) => console.log(`task ${e.taskId} ${e.status} in ${e.durationMs} ms`));
agent.on('task:failed', (e) => console.log(`task ${e.taskId ?? '?'} failed: ${e.code} ${e.message}`));

await agent.start(); // connect, subscribe, initialize tools, verify the provider, publish `available`
console.log(`agent ${agent.id} is available`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void agent.stop().then(() => process.exit(0)));
}
