// Test and README templates for `agent2389 plugin init`.
import { REGISTRY_RANGE, type DependencySource, type ScaffoldType } from './templates.js';

/** A node --test suite that runs the plugin through the real host with createToolHarness. */
function harnessTest(header: string, title: string, harnessArgs: string, expected: string): string {
  return `// ${header}
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createToolHarness } from 'agent2389/testing';

// A path, not URL.pathname: that keeps %20 for a space in a folder name.
const pluginDir = fileURLToPath(new URL('..', import.meta.url));

test('${title}', async () => {
  const harness = await createToolHarness(${harnessArgs});
  try {
    const result = await harness.call('greet', { name: 'Ada' });
    assert.equal(result.ok, true);
    assert.deepEqual(result.value, ${expected});
  } finally {
    await harness.close();
  }
});

test('greet rejects parameters that break its schema', async () => {
  const harness = await createToolHarness(pluginDir);
  try {
    const result = await harness.call('greet', {});
    assert.equal(result.ok, false);
    assert.equal(result.code, 'AGENT_ERR_TOOL_INVALID_PARAMS');
  } finally {
    await harness.close();
  }
});
`;
}

export const moduleTest = harnessTest(
  'Runs the plugin through the real agent2389 host: manifest validation, options, parameter checks.',
  'greet answers with the configured greeting',
  "pluginDir, { options: { greeting: 'Hi' } }",
  "{ greeting: 'Hi, Ada!' }",
);

export const scriptTest = harnessTest(
  'Runs the script through the real agent2389 host: manifest validation, parameter checks, isolate.',
  'greet answers inside the isolate',
  'pluginDir',
  "{ greeting: 'Hello, Ada!' }",
);

export const subprocessTest = `// Speaks the external tool protocol to the tool, as the agent's subprocess executor will.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/greet.mjs', import.meta.url));
const run = (input) => spawnSync(process.execPath, [bin], { input: JSON.stringify(input), encoding: 'utf8' });

test('greet writes one JSON value on stdout and exits 0', () => {
  const r = run({ tool: 'greet', parameters: { name: 'Ada' }, config: { greeting: 'Hi' } });
  assert.equal(r.status, 0);
  assert.deepEqual(JSON.parse(r.stdout), { greeting: 'Hi, Ada!' });
});

test('bad parameters exit non-zero with a message on stderr', () => {
  const r = run({ tool: 'greet', parameters: {}, config: {} });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /name must be a string/);
});
`;

const HOW: Record<ScaffoldType, string> = {
  module: 'The tool runs in the agent process (`index.js`): use this for trusted code only.',
  subprocess:
    'The tool runs as a subprocess (`bin/greet.mjs`) speaking JSON on stdin/stdout, so it can be written in any language.',
  script:
    'The tool is a JavaScript module (`greet.js`) run in an isolated-vm isolate: no require, process, file system or network, under a time and memory limit.',
};

/** The README section on where `npm install` gets agent2389 and @agent2389/tool-sdk from. */
function dependenciesSection(source: DependencySource): string {
  if (source.kind === 'registry')
    return `\`agent2389\` and \`@agent2389/tool-sdk\` (dev dependencies: the agent brings its own copy) come from the
npm registry (\`${REGISTRY_RANGE}\`).
`;
  return `\`npm install\` takes \`agent2389\` and \`@agent2389/tool-sdk\` from the agent2389 that created this folder, not
from the npm registry: package.json's dev dependencies are \`file:\` links to

- \`${source.agent2389}\`
- \`${source.toolSdk}\`

so nothing is downloaded and the tests run against that installation. If it moves, or once both packages
are on the npm registry, set both dev dependencies to \`"${REGISTRY_RANGE}"\` (or run
\`npm install -D agent2389@${REGISTRY_RANGE} @agent2389/tool-sdk@${REGISTRY_RANGE}\`); nothing else changes.
\`agent2389 plugin init --registry\` writes those ranges from the start.
`;
}

const PUBLISH_NOTE = `An agent never installs a plugin's dev dependencies; switch the \`file:\` links to registry ranges
before publishing so that others can run the tests.
`;

export function readme(name: string, type: ScaffoldType, source: DependencySource): string {
  const how = HOW[type];
  return `# ${name}

An [agent2389](https://www.npmjs.com/package/agent2389) plugin with one tool, \`greet\`. ${how}

- \`plugin.json\` — the manifest the agent validates before running any code
- \`npm test\` — runs the tests in \`test/\`
- \`npx agent2389 plugin validate .\` — checks the manifest

Use it from an agent.toml:

\`\`\`toml
[plugins]
dirs = ["path/to/${name}"]

[tools.greet]
impl = "plugin:${name}"
${type === 'script' ? '' : 'config = { greeting = "Hello" }\n'}\`\`\`

## Dependencies

${dependenciesSection(source)}
## Publishing

Publish it on npm as is: package.json's \`"agent2389"\` field points at the manifest, and an agent
discovers it in the \`node_modules\` of the folder it runs in (\`npm install <this package>\` there).
${source.kind === 'host' ? PUBLISH_NOTE : ''}`;
}
