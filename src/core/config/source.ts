// Where a loaded config came from (its file, the line of each key), kept with the config so that
// checks made after loading (the plugin plan) can name the key and its line in agent.toml.
import { ERR_CONFIG_INVALID, type ConfigProblem } from '../errors.js';

/** The file a config was read from, and a lookup of the line a dotted key is written on. */
export interface ConfigSource {
  readonly file: string;
  /** 1-based line of the key (or of the deepest table on its path that is written), if any. */
  readonly lineOf: (path: readonly (string | number)[]) => number | undefined;
}

// A symbol key: object spreads keep it; Object.entries, JSON and config diffs do not see it.
const SOURCE = Symbol('agent2389.configSource');

type WithSource = { [SOURCE]?: ConfigSource };

/** Remember where `config` was loaded from; returns `config`. */
export function attachSource<T extends object>(config: T, source: ConfigSource): T {
  (config as T & WithSource)[SOURCE] = source;
  return config;
}

/** Where `config` was loaded from; undefined for a config built in code. */
export function sourceOf(config: object): ConfigSource | undefined {
  return (config as WithSource)[SOURCE];
}

/** One problem at `path`, with the key's line when `lineOf` knows it (also said in the message). */
export function problemAt(
  path: readonly string[],
  message: string,
  lineOf?: ConfigSource['lineOf'],
): ConfigProblem {
  const line = lineOf?.(path);
  return line === undefined
    ? { path: path.join('.'), message }
    : { path: path.join('.'), message: `${message} (line ${line})`, line };
}

/** AGENT_ERR_CONFIG_INVALID for one key of a config: its dotted path, and its file and line when known. */
export function invalidKey(
  source: ConfigSource | undefined,
  path: readonly string[],
  message: string,
): InstanceType<typeof ERR_CONFIG_INVALID> {
  return new ERR_CONFIG_INVALID({
    file: source?.file ?? '(config given in code)',
    problems: [problemAt(path, message, source?.lineOf)],
  });
}
