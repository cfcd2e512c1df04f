// ESLint flat config: typescript-eslint recommended (type-checked) plus the house rules of DESIGN.md.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

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
          patterns: [{ group: ['**/plugins/**'], message: 'src/core never imports plugins.' }],
          paths: [{ name: 'mqtt', message: 'Only src/core/transport/mqtt.ts imports mqtt.' }],
        },
      ],
    },
  },
  {
    files: ['src/core/transport/mqtt.ts'],
    rules: { 'no-restricted-imports': 'off' },
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
