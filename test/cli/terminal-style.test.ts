import { describe, expect, it } from 'vitest';

import { colourWanted, createPalette } from '../../src/cli/terminal-style.js';

describe('terminal-style', () => {
  it('colours only a TTY, and not when NO_COLOR is set to something', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
  });

  it('a disabled palette returns text unchanged; an enabled one wraps it in SGR codes', () => {
    expect(createPalette(false).red('x')).toBe('x');
    expect(createPalette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(createPalette(true).bold('x')).toBe('\u001b[1mx\u001b[22m');
  });
});
