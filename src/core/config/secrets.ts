// Resolve secrets through the `*_env` indirection; a missing one names the variable, never a value.
import { ERR_CONFIG_SECRET_MISSING } from '../errors.js';
import { registerCredentialName, registerSecret } from '../protocol/redact.js';
import type { AgentConfig } from './schema.js';

export interface ResolvedSecrets {
  mqttUsername?: string;
  mqttPassword?: string;
  llmApiKey?: string;
}

/**
 * `secret`: the value is masked wherever it would appear (a password, a key). A user name is masked
 * only in error messages that leave the process: in logs it is an ordinary word.
 */
function required(key: string, variable: string, env: NodeJS.ProcessEnv, secret = true): string {
  const value = env[variable];
  if (value === undefined || value === '')
    throw new ERR_CONFIG_SECRET_MISSING({ key, variable, ...(value === '' ? { empty: true } : {}) });
  if (secret) registerSecret(value);
  else registerCredentialName(value);
  return value;
}

/** Read MQTT credentials and the LLM API key from the environment variables the config names. */
export function resolveSecrets(
  config: AgentConfig,
  env: NodeJS.ProcessEnv,
  opts: { providerRequiresApiKey: boolean },
): ResolvedSecrets {
  const secrets: ResolvedSecrets = {};
  const { mqtt, llm } = config;
  if (mqtt.username_env) secrets.mqttUsername = required('mqtt.username_env', mqtt.username_env, env, false);
  if (mqtt.password_env) secrets.mqttPassword = required('mqtt.password_env', mqtt.password_env, env);
  if (llm.api_key_env) {
    if (opts.providerRequiresApiKey) secrets.llmApiKey = required('llm.api_key_env', llm.api_key_env, env);
    else if (env[llm.api_key_env]) {
      secrets.llmApiKey = env[llm.api_key_env];
      registerSecret(secrets.llmApiKey);
    }
  } else if (opts.providerRequiresApiKey) {
    throw new ERR_CONFIG_SECRET_MISSING({
      key: 'llm.api_key_env',
      needed_by: `provider "${llm.provider}" (an API key)`,
    });
  }
  return secrets;
}

/**
 * Every `*_env` problem at once, without reading any value into the redaction set (`agent2389 validate`):
 * each variable a key names must be set and non-empty, whatever the provider; a provider that requires a
 * key needs `[llm] api_key_env`.
 */
export function secretProblems(
  config: AgentConfig,
  env: NodeJS.ProcessEnv,
  opts: { providerRequiresApiKey: boolean },
): InstanceType<typeof ERR_CONFIG_SECRET_MISSING>[] {
  const problems: InstanceType<typeof ERR_CONFIG_SECRET_MISSING>[] = [];
  const check = (key: string, variable: string | undefined): void => {
    if (variable === undefined) return;
    const value = env[variable];
    if (value === undefined || value === '')
      problems.push(
        new ERR_CONFIG_SECRET_MISSING({ key, variable, ...(value === '' ? { empty: true } : {}) }),
      );
  };
  const { mqtt, llm, dedupe } = config;
  check('mqtt.username_env', mqtt.username_env);
  check('mqtt.password_env', mqtt.password_env);
  if (llm.api_key_env !== undefined) check('llm.api_key_env', llm.api_key_env);
  else if (opts.providerRequiresApiKey)
    problems.push(
      new ERR_CONFIG_SECRET_MISSING({
        key: 'llm.api_key_env',
        needed_by: `provider "${llm.provider}" (an API key)`,
      }),
    );
  // A missing redis_url_env with store = "redis" is already a config problem (delivery-rules.ts).
  if (dedupe.store === 'redis') check('dedupe.redis_url_env', dedupe.redis_url_env);
  return problems;
}
