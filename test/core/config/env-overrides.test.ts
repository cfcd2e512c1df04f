import { describe, expect, it } from 'vitest';

import { applyEnvOverrides } from '../../../src/core/config/env-overrides.js';

describe('applyEnvOverrides', () => {
  it('changes nothing without override variables', () => {
    const raw = { agent: { id: 'a1' } };
    const { origins } = applyEnvOverrides(raw, { HOME: '/root', MQTT_PORT: '1884' });
    expect(raw).toEqual({ agent: { id: 'a1' } });
    expect(origins.size).toBe(0);
  });

  it('AGENT_ID replaces agent.id and keeps the rest of [agent]', () => {
    const raw: Record<string, unknown> = { agent: { id: 'a1', description: 'd' } };
    const { origins } = applyEnvOverrides(raw, { AGENT_ID: 'from-env' });
    expect(raw.agent).toEqual({ id: 'from-env', description: 'd' });
    expect([...origins]).toEqual([['agent.id', 'AGENT_ID']]);
  });

  it('creates missing tables and replaces non-table values on the way', () => {
    const raw: Record<string, unknown> = { mqtt: 'not a table' };
    applyEnvOverrides(raw, { AGENT_ID: 'a2', MQTT_BROKER_URL: 'mqtt://broker:1883' });
    expect(raw).toEqual({ agent: { id: 'a2' }, mqtt: { broker_url: 'mqtt://broker:1883' } });
  });

  it('MQTT_BROKER_URL sets mqtt.broker_url and wins over MQTT_HOST', () => {
    const raw: Record<string, unknown> = { mqtt: { broker_url: 'embedded' } };
    const { origins } = applyEnvOverrides(raw, {
      MQTT_BROKER_URL: 'mqtts://secure:8883',
      MQTT_HOST: 'ignored',
      MQTT_PORT: '1',
    });
    expect(raw.mqtt).toEqual({ broker_url: 'mqtts://secure:8883' });
    expect(origins.get('mqtt.broker_url')).toBe('MQTT_BROKER_URL');
  });

  it('MQTT_HOST and MQTT_PORT build an mqtt:// URL', () => {
    const raw: Record<string, unknown> = {};
    const { origins } = applyEnvOverrides(raw, { MQTT_HOST: 'broker.example', MQTT_PORT: '2883' });
    expect(raw.mqtt).toEqual({ broker_url: 'mqtt://broker.example:2883' });
    expect(origins.get('mqtt.broker_url')).toBe('MQTT_HOST');
  });

  it('MQTT_HOST alone uses port 1883', () => {
    const raw: Record<string, unknown> = {};
    applyEnvOverrides(raw, { MQTT_HOST: 'broker.example' });
    expect(raw.mqtt).toEqual({ broker_url: 'mqtt://broker.example:1883' });
  });

  it.each([
    ['9090', 9090],
    [' 80 ', 80],
    ['abc', 'abc'],
    ['80a', '80a'],
    ['-1', '-1'],
  ])('HEALTH_PORT %j becomes %j (validation reports non-numbers later)', (value, expected) => {
    const raw: Record<string, unknown> = {};
    const { origins } = applyEnvOverrides(raw, { HEALTH_PORT: value });
    expect(raw.health).toEqual({ port: expected });
    expect(origins.get('health.port')).toBe('HEALTH_PORT');
  });

  it('LOG_LEVEL is passed as is and LOG_FORMAT is lower-cased', () => {
    const raw: Record<string, unknown> = { log: { level: 'info', format: 'json' } };
    const { origins } = applyEnvOverrides(raw, { LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'PRETTY' });
    expect(raw.log).toEqual({ level: 'DEBUG', format: 'pretty' });
    expect(origins.get('log.level')).toBe('LOG_LEVEL');
    expect(origins.get('log.format')).toBe('LOG_FORMAT');
  });

  it('ignores empty variables', () => {
    const raw: Record<string, unknown> = { agent: { id: 'a1' } };
    const { origins } = applyEnvOverrides(raw, {
      AGENT_ID: '',
      MQTT_BROKER_URL: '',
      MQTT_HOST: '',
      HEALTH_PORT: '',
      LOG_LEVEL: '',
      LOG_FORMAT: '',
    });
    expect(raw).toEqual({ agent: { id: 'a1' } });
    expect(origins.size).toBe(0);
  });

  it('records one origin per overridden key', () => {
    const { origins } = applyEnvOverrides(
      {},
      { AGENT_ID: 'a', MQTT_HOST: 'h', HEALTH_PORT: '1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    );
    expect(Object.fromEntries(origins)).toEqual({
      'agent.id': 'AGENT_ID',
      'mqtt.broker_url': 'MQTT_HOST',
      'health.port': 'HEALTH_PORT',
      'log.level': 'LOG_LEVEL',
      'log.format': 'LOG_FORMAT',
    });
  });
});
