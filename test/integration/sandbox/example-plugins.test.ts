// examples/sandboxed-tools.toml as shipped (on a free port): the example plugins in plugins/ work.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';

const example = fileURLToPath(new URL('../../../examples/sandboxed-tools.toml', import.meta.url));
const pluginsDir = fileURLToPath(new URL('../../../plugins', import.meta.url));
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  // The agent runs from a temp copy of the config: point its relative paths back at the repository.
  const toml = (await readFile(example, 'utf8'))
    .replace('port = 1883', `port = ${port}`)
    .replaceAll('"../plugins', `"${pluginsDir}`);
  await startAgentProcess(toml, { LANG: 'C.UTF-8' });
});

const call = (tool: string, params: unknown) => injectTool(url, 'sandboxed', tool, params, 20);

describe('the example sandboxed plugins', () => {
  it('calculator (an isolated-vm script tool) evaluates an expression', async () => {
    const r = await call('calculate', { expression: '(2 + 3) * sqrt(16) - 2^3' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ expression: '(2 + 3) * sqrt(16) - 2^3', value: 12 });
  });

  it('calculator reports a bad expression as a script failure', async () => {
    const r = await call('calculate', { expression: '2 +' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tool_execution_failed.*script tool "calculate" failed/);
  });

  it('text-stats (a Python subprocess tool) counts words', async () => {
    const r = await call('text_stats', { text: 'The cat. The dog!', top: 1 });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      words: 4,
      sentences: 2,
      top_words: [{ word: 'the', count: 2 }],
    });
  });

  it('the inline external form runs the same program', async () => {
    const r = await call('word_count', { text: 'a b c' });
    expect(JSON.parse(r.stdout)).toMatchObject({ words: 3 });
  });
});
