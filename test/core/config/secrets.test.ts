import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import { resolveSecrets, secretProblems } from '../../../src/core/config/secrets.js';
import { redactErrorMessage } from '../../../src/core/protocol/redact.js';
import { thrown } from '../../helpers/thrown.js';

const MINIMAL = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;

const WITH_SECRETS =
  `[agent]\nid = "a1"\n` +
  `[mqtt]\nbroker_url = "embedded"\nusername_env = "T_MQTT_USER"\npassword_env = "T_MQTT_PASS"\n` +
  `[llm]\nprovider = "scripted"\napi_key_env = "T_LLM_KEY"\n`;

const configOf = (text: string): AgentConfig => parseConfigText(text, 'agent.toml', { env: {} }).config;

describe('resolveSecrets', () => {
  it('NFR-004: reads MQTT credentials and the API key from the variables the config names', () => {
    const env = { T_MQTT_USER: 'user-one', T_MQTT_PASS: 'pass-one', T_LLM_KEY: 'key-one' };
    const secrets = resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true });
    expect(secrets).toEqual({ mqttUsername: 'user-one', mqttPassword: 'pass-one', llmApiKey: 'key-one' });
  });

  it('NFR-004: resolves nothing when the config names no variables', () => {
    const env = { T_MQTT_USER: 'u', T_MQTT_PASS: 'p', T_LLM_KEY: 'k' };
    expect(resolveSecrets(configOf(MINIMAL), env, { providerRequiresApiKey: false })).toEqual({});
  });

  it('NFR-004: a named but unset variable is AGENT_ERR_CONFIG_SECRET_MISSING naming the variable, not a value', () => {
    const env = { T_MQTT_USER: 'visible-username-value', T_LLM_KEY: 'visible-key-value' };
    const err = thrown(() => resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true }));
    expect(err.code).toBe('AGENT_ERR_CONFIG_SECRET_MISSING');
    expect(err.data).toEqual({ key: 'mqtt.password_env', variable: 'T_MQTT_PASS' });
    expect(err.message).toContain('T_MQTT_PASS');
    expect(err.message).not.toContain('visible-username-value');
    expect(err.message).not.toContain('visible-key-value');
  });

  it('NFR-004: an empty variable counts as unset', () => {
    const env = { T_MQTT_USER: '', T_MQTT_PASS: 'p', T_LLM_KEY: 'k' };
    const err = thrown(() => resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true }));
    expect(err.code).toBe('AGENT_ERR_CONFIG_SECRET_MISSING');
    expect(err.data).toEqual({ key: 'mqtt.username_env', variable: 'T_MQTT_USER', empty: true });
    expect(err.message).toContain('set but empty');
    expect(err.message).not.toContain('not set');
  });

  it('NFR-004: a provider that requires a key fails when api_key_env names an unset variable', () => {
    const env = { T_MQTT_USER: 'u', T_MQTT_PASS: 'p' };
    const err = thrown(() => resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true }));
    expect(err.code).toBe('AGENT_ERR_CONFIG_SECRET_MISSING');
    expect(err.data).toEqual({ key: 'llm.api_key_env', variable: 'T_LLM_KEY' });
  });

  it('NFR-004: a provider that requires a key fails when api_key_env is not configured', () => {
    const err = thrown(() => resolveSecrets(configOf(MINIMAL), {}, { providerRequiresApiKey: true }));
    expect(err.code).toBe('AGENT_ERR_CONFIG_SECRET_MISSING');
    expect((err.data as { key: string }).key).toBe('llm.api_key_env');
  });

  it('NFR-004: an optional key that is unset resolves to no key and no error', () => {
    const env = { T_MQTT_USER: 'u', T_MQTT_PASS: 'p' };
    const secrets = resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: false });
    expect(secrets).toEqual({ mqttUsername: 'u', mqttPassword: 'p' });
    expect(secrets).not.toHaveProperty('llmApiKey');
  });

  it('NFR-004: an optional key that is set is still resolved', () => {
    const env = { T_MQTT_USER: 'u', T_MQTT_PASS: 'p', T_LLM_KEY: 'optional-key-value' };
    const secrets = resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: false });
    expect(secrets.llmApiKey).toBe('optional-key-value');
  });

  it('RULE-002: every resolved secret is masked by redactErrorMessage', () => {
    const env = { T_MQTT_USER: 'mqtt-user-q7', T_MQTT_PASS: 'mqtt-pass-q7', T_LLM_KEY: 'llm-key-q7' };
    resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true });
    expect(redactErrorMessage('login mqtt-user-q7 / mqtt-pass-q7 with llm-key-q7 refused')).toBe(
      'login *** / *** with *** refused',
    );
  });

  it('RULE-002: an optional key that is set is masked too', () => {
    const env = { T_MQTT_USER: 'u-w3', T_MQTT_PASS: 'p-w3', T_LLM_KEY: 'optional-w3-key' };
    resolveSecrets(configOf(WITH_SECRETS), env, { providerRequiresApiKey: false });
    expect(redactErrorMessage('upstream echoed optional-w3-key')).toBe('upstream echoed ***');
  });
});

describe('secretProblems (validate: every *_env at once)', () => {
  it('names each unset or empty variable precisely, for any provider, in one list', () => {
    const env = { T_MQTT_USER: '', T_LLM_KEY: '' };
    const problems = secretProblems(configOf(WITH_SECRETS), env, { providerRequiresApiKey: false });
    expect(problems.map((e) => [e.code, e.data])).toEqual([
      ['AGENT_ERR_CONFIG_SECRET_MISSING', { key: 'mqtt.username_env', variable: 'T_MQTT_USER', empty: true }],
      ['AGENT_ERR_CONFIG_SECRET_MISSING', { key: 'mqtt.password_env', variable: 'T_MQTT_PASS' }],
      ['AGENT_ERR_CONFIG_SECRET_MISSING', { key: 'llm.api_key_env', variable: 'T_LLM_KEY', empty: true }],
    ]);
    expect(problems[2]!.message).toContain('T_LLM_KEY is set but empty');
    expect(problems[1]!.message).toContain('T_MQTT_PASS is not set');
  });

  it('a provider that requires a key and no api_key_env: says what to add, without garbled text', () => {
    const config = configOf(MINIMAL.replace('"scripted"', '"anthropic"'));
    const [p] = secretProblems(config, {}, { providerRequiresApiKey: true });
    expect(p!.data).toEqual({ key: 'llm.api_key_env', needed_by: 'provider "anthropic" (an API key)' });
    expect(p!.message).not.toMatch(/is not set\)|which is not set/);
    const err = thrown(() => resolveSecrets(config, {}, { providerRequiresApiKey: true }));
    expect(err.message).toBe(p!.message);
  });

  it('nothing when every named variable holds a value', () => {
    const env = { T_MQTT_USER: 'u', T_MQTT_PASS: 'p', T_LLM_KEY: 'k' };
    expect(secretProblems(configOf(WITH_SECRETS), env, { providerRequiresApiKey: true })).toEqual([]);
  });
});
