// Cross-key rules of [routing]: a strategy needs the settings of its router.
import type { ConfigProblem } from '../errors.js';
import type { AgentConfig } from './schema.js';
import { problemAt, type ConfigSource } from './source.js';

export function routingProblems(config: AgentConfig, lineOf: ConfigSource['lineOf']): ConfigProblem[] {
  const { routing } = config;
  if (routing.strategy === 'gatekeeper' && routing.gatekeeper === undefined)
    return [
      problemAt(
        ['routing', 'gatekeeper', 'url'],
        'is required with strategy = "gatekeeper" (the router\'s http(s) URL)',
        lineOf,
      ),
    ];
  return [];
}
