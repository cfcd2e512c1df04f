// File templates for `agent2389 plugin init`: a working plugin with a passing test and a README.
import { VERSION } from '../../core/version.js';

export type ScaffoldType = 'module' | 'subprocess' | 'script';

const major = VERSION.split('.').slice(0, 2).join('.');

const greetParameters = {
  type: 'object',
  properties: { name: { type: 'string', description: 'Who to greet' } },
  required: ['name'],
  additionalProperties: false,
};

function executorFor(type: ScaffoldType): Record<string, unknown> {
  if (type === 'module') return { type: 'module' };
  if (type === 'script')
    return { type: 'script', source: 'greet.js', timeoutMs: 500, memoryLimitMb: 32, hostFunctions: ['log'] };
  return {
    type: 'subprocess',
    command: 'bin/greet.mjs',
    timeoutMs: 5000,
    maxOutputBytes: 65536,
    env: ['PATH'],
  };
}

export function manifest(name: string, type: ScaffoldType): string {
  const tool = {
    name: 'greet',
    description: 'Greet someone by name',
    parameters: greetParameters,
    executor: executorFor(type),
  };
  const m = {
    manifestVersion: 1,
    name,
    version: '0.1.0',
    runtime: `^${major}.0`,
    description: `${name}: an agent2389 plugin`,
    ...(type === 'module' ? { entry: 'index.js' } : {}),
    // A script receives only its parameters, so only module and subprocess tools take options.
    ...(type === 'script'
      ? {}
      : {
          optionsSchema: {
            type: 'object',
            properties: { greeting: { type: 'string', default: 'Hello' } },
            additionalProperties: false,
          },
        }),
    tools: [tool],
  };
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Where the scaffold's agent2389 and @agent2389/tool-sdk come from. */
export type DependencySource =
  | { readonly kind: 'host'; readonly agent2389: string; readonly toolSdk: string }
  | { readonly kind: 'registry' };

/** The registry ranges a published scaffold uses (and the README tells a `file:` scaffold to switch to). */
export const REGISTRY_RANGE = `^${major}.0`;

function devDependencies(source: DependencySource): Record<string, string> {
  if (source.kind === 'registry') return { '@agent2389/tool-sdk': REGISTRY_RANGE, agent2389: REGISTRY_RANGE };
  return { '@agent2389/tool-sdk': `file:${source.toolSdk}`, agent2389: `file:${source.agent2389}` };
}

export function packageJson(name: string, source: DependencySource): string {
  const pkg = {
    name: `agent2389-plugin-${name}`,
    version: '0.1.0',
    type: 'module',
    description: `${name}: an agent2389 plugin`,
    agent2389: 'plugin.json',
    files: ['plugin.json', 'index.js', 'bin', 'greet.js'],
    scripts: { test: 'node --test' },
    devDependencies: devDependencies(source),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const moduleEntry = `// The plugin's code: setup(ctx) registers what plugin.json declares (a module tool runs in-process).
/** @type {import('@agent2389/tool-sdk').PluginV1<{ greeting: string }>} */
const plugin = {
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerTool({
      specificationVersion: 'v1',
      describe: () => ({ name: 'greet', description: 'Greet someone by name', parameters: { type: 'object' } }),
      execute: ({ name }) => ({ greeting: \`\${ctx.options.greeting}, \${name}!\` }),
    });
  },
};

export default plugin;
`;

export const subprocessBin = `#!/usr/bin/env node
// A subprocess tool: one JSON object {tool, parameters, config} on stdin, one JSON value on stdout.
// Exit 0 on success; anything else is a failure the agent reports with stderr.
if (process.argv.includes('--describe')) {
  process.stdout.write(JSON.stringify({ name: 'greet', description: 'Greet someone by name' }));
  process.exit(0);
}
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { parameters, config } = JSON.parse(input);
  if (typeof parameters?.name !== 'string') {
    process.stderr.write('parameters.name must be a string');
    process.exit(2);
  }
  const greeting = config?.greeting ?? 'Hello';
  process.stdout.write(JSON.stringify({ greeting: \`\${greeting}, \${parameters.name}!\` }));
});
`;

export const scriptSource = `// A script tool: runs in an isolated-vm isolate (no require, process, file system or network).
// params arrive as a copy; the JSON result leaves as a copy; host.log is the one host function the
// manifest declares.
export default function greet({ name }, host) {
  host.log('info', \`greeting \${name}\`);
  return { greeting: \`Hello, \${name}!\` };
}
`;
