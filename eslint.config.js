// ESLint flat config: typescript-eslint recommended (type-checked) plus the house rules below.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// One copy of the tool SDK: src/ and bench/ import `@agent2389/tool-sdk` (and /http, /testing) by name.
// A path into tool-sdk/src would compile a second copy of its classes into dist/.
const toolSdkByName = {
  group: ['**/tool-sdk/src', '**/tool-sdk/src/**'],
  message: "Import '@agent2389/tool-sdk' (or '/http', '/testing') by name, not tool-sdk/src by path.",
};
const noPlugins = { group: ['**/plugins/**'], message: 'src/core never imports plugins.' };
// Built-in plugins are written as an outside author would: against @agent2389/tool-sdk only.
const noCore = { group: ['**/core/**'], message: 'Plugins use @agent2389/tool-sdk, never src/core.' };

export default tseslint.config(
  { ignores: ['dist/**', 'tool-sdk/dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] } },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use string unions, not TS enums.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [toolSdkByName] }] },
  },
  {
    files: ['src/plugins/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [toolSdkByName, noCore] }] },
  },
  {
    // Core throws coded errors only: a plain Error has no code to assert in tests or look up in docs/errors.md.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use string unions, not TS enums.' },
        {
          selector: 'NewExpression[callee.name=/^(Error|TypeError|RangeError|SyntaxError)$/]',
          message:
            'Use a coded error from src/core/errors.ts (createError), or toError() for a caught value.',
        },
        {
          selector: 'CallExpression[callee.name=/^(Error|TypeError|RangeError|SyntaxError)$/]',
          message:
            'Use a coded error from src/core/errors.ts (createError), or toError() for a caught value.',
        },
      ],
    },
  },
  {
    // The example plugins are plain JS written as an outside author would: linted, not type-checked.
    files: ['plugins/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [noPlugins, toolSdkByName],
          paths: [{ name: 'mqtt', message: 'Only src/core/transport/mqtt.ts imports mqtt.' }],
        },
      ],
    },
  },
  {
    // mqtt-internals.ts: mqtt.js's types, for its one cast to the internals mqtt.ts relies on.
    files: ['src/core/transport/mqtt.ts', 'src/core/transport/mqtt-internals.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noPlugins, toolSdkByName] }] },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  {
    files: ['eslint.config.js', 'examples/**/*.mjs', 'scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Plain-JS examples run on Node: its globals are defined.
  { files: ['examples/**/*.mjs', 'scripts/**/*.mjs'], rules: { 'no-undef': 'off' } },
  prettier,
);
