// Environment overrides for operators and containers, applied to the raw TOML before validation.
import { isPlainObject } from '../protocol/envelope.js';

export interface EnvOverrideResult {
  /** Dotted key path → the variable it came from, so errors can say `(from AGENT_ID)`. */
  origins: Map<string, string>;
}

function setPath(raw: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = raw;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function numberOrString(value: string): number | string {
  return /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

/**
 * Apply AGENT_ID, MQTT_BROKER_URL (or MQTT_HOST/MQTT_PORT), HEALTH_PORT, LOG_LEVEL, LOG_FORMAT and
 * AGENT2389_DATA_DIR.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): EnvOverrideResult {
  const origins = new Map<string, string>();
  const apply = (variable: string, path: string[], value: unknown): void => {
    setPath(raw, path, value);
    origins.set(path.join('.'), variable);
  };
  if (env.AGENT_ID) apply('AGENT_ID', ['agent', 'id'], env.AGENT_ID);
  if (env.MQTT_BROKER_URL) {
    apply('MQTT_BROKER_URL', ['mqtt', 'broker_url'], env.MQTT_BROKER_URL);
  } else if (env.MQTT_HOST) {
    apply('MQTT_HOST', ['mqtt', 'broker_url'], `mqtt://${env.MQTT_HOST}:${env.MQTT_PORT ?? '1883'}`);
  }
  if (env.HEALTH_PORT) apply('HEALTH_PORT', ['health', 'port'], numberOrString(env.HEALTH_PORT));
  if (env.LOG_LEVEL) apply('LOG_LEVEL', ['log', 'level'], env.LOG_LEVEL);
  if (env.LOG_FORMAT) apply('LOG_FORMAT', ['log', 'format'], env.LOG_FORMAT.toLowerCase());
  if (env.AGENT2389_DATA_DIR) apply('AGENT2389_DATA_DIR', ['data_dir'], env.AGENT2389_DATA_DIR);
  return { origins };
}
