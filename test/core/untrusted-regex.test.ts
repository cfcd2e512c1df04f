// Issue 14, item 4: no regular expression the agent applies to untrusted text (wire payloads, tool
// output and log lines, LLM output, URLs, error messages) may backtrack super-linearly. recheck
// proves each one linear: every pattern the scrubbing and redaction use (their exported lists, so a
// pattern added later is checked too), and every regex literal in src/, tool-sdk/src/ and plugins/.
import { describe, expect, it } from 'vitest';

import { LOG_ESCAPE_PATTERNS } from '../../src/core/observability/log-escape.js';
import { LOG_SCRUB_PATTERNS } from '../../src/core/observability/log-scrub.js';
import { PRETTY_STREAM_PATTERNS } from '../../src/core/observability/pretty-stream.js';
import { REDACT_PATTERNS } from '../../src/core/protocol/redact.js';
import { checkRedos } from '../helpers/redos.js';
import { findRegexes } from '../helpers/regex-literals.js';

const SCRUBBING: Array<[string, RegExp]> = [
  ...LOG_SCRUB_PATTERNS.map((p): [string, RegExp] => ['log-scrub', p]),
  ...LOG_ESCAPE_PATTERNS.map((p): [string, RegExp] => ['log-escape', p]),
  ...PRETTY_STREAM_PATTERNS.map((p): [string, RegExp] => ['pretty-stream', p]),
  ...REDACT_PATTERNS.map((p): [string, RegExp] => ['redact', p]),
];

const { literals, sites } = findRegexes(['src', 'tool-sdk/src', 'plugins']);

/** Literals that are not linear, over text only the operator writes (never a wire or tool byte). */
const TRUSTED_INPUT: Record<string, string> = {
  'src/core/config/lines.ts': 'line numbers for config errors: the lines of agent.toml',
};

/** Where a pattern is built at run time, and why what it is built from and applied to is safe. */
const BUILT_AT_RUN_TIME: Record<string, string> = {
  'src/core/config/lines.ts': 'a config key path, escaped, over the lines of agent.toml',
  'src/core/pipeline/intake.ts':
    'a literal field name then a value of at most 256 characters: linear (checked with recheck by hand)',
};

const fileOf = (where: string): string => where.slice(0, where.lastIndexOf(':'));

describe('regular expressions over untrusted text are linear (recheck)', () => {
  it('the checker finds the cubic pattern the log scrubbing used to have', async () => {
    const old =
      /\b([\w-]*(?:api[_-]?key|token|secret|password|passwd|pwd|credential|auth)[\w-]*["']?)\s*([=:])\s*("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
    expect((await checkRedos(old)).status).toBe('vulnerable');
  }, 300_000);

  it.each(SCRUBBING)(
    '%s: %s',
    async (_file, pattern) => {
      const verdict = await checkRedos(pattern);
      expect(verdict, verdict.detail).toMatchObject({ status: 'safe' });
    },
    300_000,
  );

  it('finds the regex literals of the source', () => {
    expect(literals.length).toBeGreaterThan(40);
  });

  it.each(literals.filter((l) => !(fileOf(l.where) in TRUSTED_INPUT)))(
    '$where: $pattern',
    async ({ pattern }) => {
      const verdict = await checkRedos(pattern);
      expect(verdict, verdict.detail).toMatchObject({ status: 'safe' });
    },
    300_000,
  );

  it('every pattern built at run time is one whose input is known (review a new one, then list it)', () => {
    expect(sites.filter((s) => !(fileOf(s.where) in BUILT_AT_RUN_TIME))).toEqual([]);
  });
});
