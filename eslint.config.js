import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import layers from './tools/eslint/layers.js';

const noElectron = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'electron', message: 'The engine and shared code must run under plain Node.' },
      ],
      patterns: [
        { group: ['electron/*'], message: 'The engine and shared code must run under plain Node.' },
      ],
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'out/',
      'dist/',
      'release/',
      'node_modules/',
      'resources/',
      'tests/fixtures/',
      'tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The layer table (tools/eslint/layers.js) on every source file; tests and tools may import any
    // layer. Import cycles are checked by dependency-cruiser (.dependency-cruiser.cjs), which also
    // sees type-only imports.
    files: ['src/**/*.{ts,svelte}'],
    plugins: { local: layers },
    rules: { 'local/layers': 'error' },
  },
  {
    files: ['src/renderer/**/*.{ts,svelte}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['src/main/engine/**/*', 'src/main/server/**/*', 'src/shared/**/*', 'src/cli/**/*'],
    rules: noElectron,
  },
);
