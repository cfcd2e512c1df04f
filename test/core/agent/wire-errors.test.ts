import { describe, expect, it } from 'vitest';

import { toWireError } from '../../../src/core/agent/wire-errors.js';
import {
  AgentError,
  ERR_CLOSED,
  ERR_CONFIG_INVALID,
  ERR_MCP_SERVER_DOWN,
  ERR_MCP_START_FAILED,
  ERR_PROVIDER_REQUEST_FAILED,
  ERR_PROVIDER_UNKNOWN,
  ERR_PROVIDER_VERIFY_FAILED,
  ERR_ROUTER_BAD_DECISION,
  ERR_ROUTER_FAILED,
  ERR_TASK_TIMEOUT,
  ERR_TOOL_FAILED,
  ERR_TOOL_TIMEOUT,
  ERR_TOOL_OUTPUT_TOO_LARGE,
  ERR_SCRIPT_FAILED,
  ERR_SCRIPT_MEMORY_LIMIT,
  ERR_SCRIPT_HOST_CRASHED,
  ERR_SANDBOX_UNAVAILABLE,
  ERR_TOOL_INIT_FAILED,
  ERR_TOOL_INVALID_PARAMS,
  ERR_TOOL_NOT_ALLOWED,
  ERR_TOOL_UNKNOWN,
  ERR_TRANSPORT_PUBLISH,
} from '../../../src/core/errors.js';
import { WIRE_ERROR_CODES } from '../../../src/core/protocol/messages.js';

describe('RULE-002: toWireError', () => {
  it.each<[string, AgentError]>([
    ['request failed', new ERR_PROVIDER_REQUEST_FAILED({ provider: 'p', reason: 'HTTP 500' })],
    ['verify failed', new ERR_PROVIDER_VERIFY_FAILED({ provider: 'p', reason: 'HTTP 401' })],
    ['unknown', new ERR_PROVIDER_UNKNOWN({ provider: 'p', available: [] })],
  ])('RULE-002: maps a provider error (%s) to llm_error with its message', (_, err) => {
    expect(toWireError(err)).toEqual({ code: 'llm_error', message: err.message });
  });

  it.each<[string, AgentError]>([
    ['failed', new ERR_TOOL_FAILED({ tool: 't', reason: 'boom' })],
    ['unknown', new ERR_TOOL_UNKNOWN({ tool: 't', available: ['a'] })],
    ['not allowed', new ERR_TOOL_NOT_ALLOWED({ tool: 't' })],
    ['invalid params', new ERR_TOOL_INVALID_PARAMS({ tool: 't', errors: ['x is required'] })],
    ['init failed', new ERR_TOOL_INIT_FAILED({ tool: 't', reason: 'no config' })],
    ['timeout', new ERR_TOOL_TIMEOUT({ tool: 't', timeoutMs: 100 })],
    ['output too large', new ERR_TOOL_OUTPUT_TOO_LARGE({ tool: 't', stream: 'stdout', limitBytes: 10 })],
    ['script failed', new ERR_SCRIPT_FAILED({ tool: 't', reason: 'x is not defined' })],
    ['script memory', new ERR_SCRIPT_MEMORY_LIMIT({ tool: 't', memoryLimitMb: 16 })],
    ['script host crashed', new ERR_SCRIPT_HOST_CRASHED({ tool: 't', reason: 'SIGKILL' })],
    [
      'sandbox unavailable',
      new ERR_SANDBOX_UNAVAILABLE({ tool: 't', mechanism: 'bwrap', reason: 'missing' }),
    ],
    ['MCP server down', new ERR_MCP_SERVER_DOWN({ server: 's', tool: 't', reason: 'killed' })],
    ['lazy MCP server did not start', new ERR_MCP_START_FAILED({ server: 's', reason: 'exited' })],
  ])('RULE-002: maps a tool error (%s) to tool_execution_failed with its message', (_, err) => {
    expect(toWireError(err)).toEqual({ code: 'tool_execution_failed', message: err.message });
  });

  it('maps a router error (on_router_error = "fail"): llm_error for the llm router, else internal_error', () => {
    const llm = new ERR_ROUTER_FAILED({ router: 'llm', reason: 'HTTP 500' });
    expect(toWireError(llm)).toEqual({ code: 'llm_error', message: llm.message });
    const bad = new ERR_ROUTER_BAD_DECISION({ router: 'llm', field: 'next_agent', problem: 'x' });
    expect(toWireError(bad).code).toBe('llm_error');
    const gatekeeper = new ERR_ROUTER_FAILED({ router: 'gatekeeper', reason: 'HTTP 404' });
    expect(toWireError(gatekeeper)).toEqual({ code: 'internal_error', message: gatekeeper.message });
  });

  it('RULE-002: maps AGENT_ERR_TASK_TIMEOUT to internal_error "task timed out"', () => {
    expect(toWireError(new ERR_TASK_TIMEOUT({ timeoutSeconds: 300 }))).toEqual({
      code: 'internal_error',
      message: 'task timed out',
    });
  });

  it('RULE-002: maps AGENT_ERR_CLOSED to internal_error', () => {
    const wire = toWireError(new ERR_CLOSED({}));
    expect(wire.code).toBe('internal_error');
    expect(wire.message).toMatch(/shut down/);
  });

  it('RULE-002: maps any other AgentError to internal_error with its message', () => {
    const transport = new ERR_TRANSPORT_PUBLISH({ topic: 't', reason: 'closed' });
    expect(toWireError(transport)).toEqual({ code: 'internal_error', message: transport.message });
    const config = new ERR_CONFIG_INVALID({ file: 'a.toml', problems: [] });
    expect(toWireError(config).code).toBe('internal_error');
  });

  it('RULE-002: maps a plain Error to internal_error without leaking its message', () => {
    const wire = toWireError(new Error('ECONNREFUSED 10.0.0.5:5432 password=hunter2 at /srv/app/db.js'));
    expect(wire.code).toBe('internal_error');
    expect(wire.message).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|hunter2|\/srv/);
    expect(wire.message.length).toBeGreaterThan(0);
  });

  it.each([['a string'], [undefined], [null], [{ code: 'AGENT_ERR_TOOL_FAILED', message: 'forged' }]])(
    'RULE-002: maps a non-AgentError value (%j) to a generic internal_error',
    (value) => {
      const wire = toWireError(value);
      expect(wire.code).toBe('internal_error');
      expect(wire.message).not.toContain('forged');
    },
  );

  it('RULE-002: always produces one of the five wire codes', () => {
    const errors: unknown[] = [
      new ERR_TOOL_FAILED({ tool: 't', reason: 'r' }),
      new ERR_PROVIDER_REQUEST_FAILED({ provider: 'p', reason: 'r' }),
      new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 }),
      new AgentError('AGENT_ERR_SOMETHING_NEW', 'new', {}),
      new RangeError('r'),
    ];
    for (const err of errors) expect(WIRE_ERROR_CODES).toContain(toWireError(err).code);
  });
});
