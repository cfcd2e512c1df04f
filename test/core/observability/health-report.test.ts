import { describe, expect, it } from 'vitest';

import {
  buildHealthReport,
  PROVIDER_FAILURES_DEGRADED,
  type HealthInputs,
} from '../../../src/core/observability/health-report.js';

const STARTED = Date.parse('2025-01-01T00:00:00Z');

/** Inputs of a healthy agent; each test changes one thing. */
function inputs(over: Partial<HealthInputs> = {}): HealthInputs {
  return {
    agentId: 'writer-1',
    version: '0.1.0',
    state: 'running',
    generation: 3,
    startedAt: STARTED,
    mqtt: { connected: true, broker: 'mqtt://broker:1883' },
    provider: { id: 'openai', model: 'gpt-4o', verified: true, consecutiveFailures: 0 },
    tools: ['echo', 'http_request'],
    tasks: { inFlight: 1, queued: 2, maxConcurrent: 4 },
    dedupe: { store: 'file', problem: undefined },
    routableAgents: [],
    ...over,
  };
}

describe('buildHealthReport', () => {
  it('is healthy when every check is ok, with the agent and each component described', () => {
    expect(buildHealthReport(inputs(), STARTED + 61_000)).toEqual({
      status: 'healthy',
      agent_id: 'writer-1',
      version: '0.1.0',
      state: 'running',
      generation: 3,
      uptime_seconds: 61,
      checks: {
        mqtt: { status: 'ok', connected: true, broker: 'mqtt://broker:1883' },
        provider: {
          status: 'ok',
          id: 'openai',
          model: 'gpt-4o',
          verified: true,
          consecutive_failures: 0,
        },
        tools: { status: 'ok', count: 2, names: ['echo', 'http_request'] },
        task_processing: { status: 'ok', in_flight: 1, queued: 2, max_concurrent_tasks: 4 },
        dedupe: { status: 'ok', store: 'file' },
      },
      routable_agents: [],
    });
  });

  it('is degraded, with dedupe down and its reason, while the dedupe store is unreachable', () => {
    const report = buildHealthReport(inputs({ dedupe: { store: 'redis', problem: 'connect ECONNREFUSED' } }));
    expect(report.status).toBe('degraded');
    expect(report.checks.dedupe).toEqual({ status: 'down', store: 'redis', reason: 'connect ECONNREFUSED' });
  });

  it('has no reason on an ok check', () => {
    const { checks } = buildHealthReport(inputs());
    for (const check of Object.values(checks)) expect(check).not.toHaveProperty('reason');
  });

  it('rounds the uptime from startedAt to whole seconds', () => {
    expect(buildHealthReport(inputs(), STARTED).uptime_seconds).toBe(0);
    expect(buildHealthReport(inputs(), STARTED + 1_499).uptime_seconds).toBe(1);
    expect(buildHealthReport(inputs(), STARTED + 1_500).uptime_seconds).toBe(2);
    expect(buildHealthReport(inputs(), STARTED + 3_600_000).uptime_seconds).toBe(3600);
  });

  it('uses the current time by default', () => {
    const startedAt = Date.now() - 10_000;
    const report = buildHealthReport(inputs({ startedAt }));
    const after = Date.now(); // however slow this machine, "now" was taken between these two reads
    expect(report.uptime_seconds).toBeGreaterThanOrEqual(10);
    expect(report.uptime_seconds).toBeLessThanOrEqual(Math.round((after - startedAt) / 1000));
  });

  it('is degraded, with mqtt down and a reason, when the broker is not connected', () => {
    const report = buildHealthReport(inputs({ mqtt: { connected: false, broker: 'mqtt://b:1883' } }));
    expect(report.status).toBe('degraded');
    expect(report.checks.mqtt).toEqual({
      status: 'down',
      connected: false,
      broker: 'mqtt://b:1883',
      reason: expect.stringContaining('not connected') as unknown,
    });
    expect(report.checks.provider.status).toBe('ok');
    expect(report.checks.task_processing.status).toBe('ok');
  });

  it('is degraded when the provider is not verified yet', () => {
    const report = buildHealthReport(
      inputs({ provider: { id: 'openai', model: 'gpt-4o', verified: false, consecutiveFailures: 0 } }),
    );
    expect(report.status).toBe('degraded');
    expect(report.checks.provider).toMatchObject({
      status: 'degraded',
      verified: false,
      reason: expect.stringContaining('not verified') as unknown,
    });
    expect(report.checks.mqtt.status).toBe('ok');
  });

  it(`stays ok below ${PROVIDER_FAILURES_DEGRADED} LLM failures in a row`, () => {
    const report = buildHealthReport(
      inputs({
        provider: {
          id: 'openai',
          model: 'gpt-4o',
          verified: true,
          consecutiveFailures: PROVIDER_FAILURES_DEGRADED - 1,
        },
      }),
    );
    expect(report.status).toBe('healthy');
    expect(report.checks.provider).toMatchObject({
      status: 'ok',
      consecutive_failures: PROVIDER_FAILURES_DEGRADED - 1,
    });
    expect(report.checks.provider).not.toHaveProperty('reason');
  });

  it(`is degraded from ${PROVIDER_FAILURES_DEGRADED} LLM failures in a row, the reason saying how many`, () => {
    const n = PROVIDER_FAILURES_DEGRADED;
    for (const failures of [n, n + 3]) {
      const report = buildHealthReport(
        inputs({
          provider: { id: 'openai', model: 'gpt-4o', verified: true, consecutiveFailures: failures },
        }),
      );
      expect(report.status).toBe('degraded');
      expect(report.checks.provider).toMatchObject({
        status: 'degraded',
        consecutive_failures: failures,
        reason: expect.stringContaining(String(failures)) as unknown,
      });
    }
  });

  it('is degraded when the agent is not running, the reason naming its state', () => {
    for (const state of ['starting', 'draining', 'stopped']) {
      const report = buildHealthReport(inputs({ state }));
      expect(report.status).toBe('degraded');
      expect(report.state).toBe(state);
      expect(report.checks.task_processing).toMatchObject({
        status: 'degraded',
        reason: expect.stringContaining(state) as unknown,
      });
    }
  });

  it('is degraded when more than 10 × max_concurrent_tasks tasks are queued', () => {
    const at = buildHealthReport(inputs({ tasks: { inFlight: 4, queued: 40, maxConcurrent: 4 } }));
    expect(at.status).toBe('healthy');
    expect(at.checks.task_processing.status).toBe('ok');

    const over = buildHealthReport(inputs({ tasks: { inFlight: 4, queued: 41, maxConcurrent: 4 } }));
    expect(over.status).toBe('degraded');
    expect(over.checks.task_processing).toMatchObject({
      status: 'degraded',
      in_flight: 4,
      queued: 41,
      max_concurrent_tasks: 4,
      reason: expect.stringContaining('queue') as unknown,
    });
  });

  it('reports each failing check at once', () => {
    const report = buildHealthReport(
      inputs({
        state: 'draining',
        mqtt: { connected: false, broker: 'mqtt://b' },
        provider: { id: 'x', model: 'y', verified: false, consecutiveFailures: 9 },
      }),
    );
    expect(report.status).toBe('degraded');
    expect(report.checks.mqtt.status).toBe('down');
    expect(report.checks.provider.status).toBe('degraded');
    expect(report.checks.task_processing.status).toBe('degraded');
    for (const check of [report.checks.mqtt, report.checks.provider, report.checks.task_processing])
      expect(check.reason).toEqual(expect.any(String));
    expect(report.checks.tools.status).toBe('ok');
  });

  it('counts and names the tools (none is still ok)', () => {
    expect(buildHealthReport(inputs({ tools: [] })).checks.tools).toEqual({
      status: 'ok',
      count: 0,
      names: [],
    });
  });
});
