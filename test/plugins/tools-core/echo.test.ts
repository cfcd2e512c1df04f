import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

import { createEchoTool, echoToolFactory } from '../../../src/plugins/tools-core/echo.js';
import { silentLogger as silent } from '../../../src/core/observability/silent-logger.js';

const ctx = { callId: 'c1', signal: new AbortController().signal, log: silent };

describe('echo tool', () => {
  it('returns the message unchanged', async () => {
    expect(await createEchoTool().execute({ message: 'héllo "x"' }, ctx)).toEqual({ message: 'héllo "x"' });
  });

  it('FR-009: describes itself with a schema that requires a string message and nothing else', () => {
    const d = createEchoTool().describe();
    expect(d.name).toBe('echo');
    const validate = new Ajv({ strict: false }).compile(d.parameters);
    expect(validate({ message: 'm' })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ message: 1 })).toBe(false);
    expect(validate({ message: 'm', other: 1 })).toBe(false);
  });

  it('the factory is named echo and makes fresh instances', () => {
    expect(echoToolFactory.name).toBe('echo');
    expect(echoToolFactory.create()).not.toBe(echoToolFactory.create());
  });
});
