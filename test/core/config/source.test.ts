// A loaded config keeps its source (file, key → line), so checks made after loading can name the line.
import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { attachSource, invalidKey, sourceOf } from '../../../src/core/config/source.js';
import { diffConfigs } from '../../../src/core/config/diff.js';
import { thrown } from '../../helpers/thrown.js';

const text =
  '[agent]\nid = "s"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n' +
  '[tools.calc]\nimpl = "script"\nsource = "calc.js"\n';

describe('config source', () => {
  it('parseConfigText keeps the file and a line lookup with the config and with each tool table', () => {
    const { config } = parseConfigText(text, 'agent.toml', { env: {} });
    const source = sourceOf(config);
    expect(source?.file).toBe('agent.toml');
    expect(source?.lineOf(['tools', 'calc', 'source'])).toBe(9);
    expect(source?.lineOf(['tools', 'calc', 'description'])).toBe(7); // missing key: its table
    expect(sourceOf(config.tools.calc!)).toBe(source);
  });

  it('survives object spreads and stays out of keys, JSON and config diffs', () => {
    const { config } = parseConfigText(text, 'agent.toml', { env: {} });
    const copy = { ...config };
    expect(sourceOf(copy)).toBe(sourceOf(config));
    expect(Object.keys(config)).not.toContain('source');
    expect(JSON.stringify(config)).not.toContain('agent.toml');
    const again = parseConfigText(`\n${text}`, 'agent.toml', { env: {} }).config; // every line moved
    expect(diffConfigs(config, again)).toEqual([]);
  });

  it('invalidKey is AGENT_ERR_CONFIG_INVALID with the dotted key and, when known, file and line', () => {
    const config = attachSource(
      {},
      { file: 'a.toml', lineOf: (p) => (p.join('.') === 'tools.x.wasm' ? 12 : undefined) },
    );
    expect(invalidKey(sourceOf(config), ['tools', 'x', 'wasm'], 'is wrong')).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { file: 'a.toml', problems: [{ path: 'tools.x.wasm', line: 12, message: 'is wrong (line 12)' }] },
    });
    const inCode = invalidKey(undefined, ['tools', 'x', 'wasm'], 'is wrong');
    expect(inCode.data.problems).toEqual([{ path: 'tools.x.wasm', message: 'is wrong' }]);
  });

  it('problems of rules that span keys carry the line too', () => {
    const err = thrown(() =>
      parseConfigText(
        text.replace('broker_url = "embedded"', 'broker_url = "embedded"\nprotocol_version = 5'),
        'a.toml',
        {
          env: {},
        },
      ),
    );
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { problems: [{ path: 'mqtt.protocol_version', line: 5 }] },
    });
  });
});
