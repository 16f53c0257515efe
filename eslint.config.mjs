// ESLint flat config: TypeScript rules plus import boundaries between the process folders.
// renderer/ never imports main/, models/, node built-ins or electron; models/ never imports
// electron, react, main/ or preload/; preload/ imports only electron, zod, shared/ and its own
// files; main/ imports models/ only on the engine worker side and electron only in main/electron/;
// shared/ imports nothing of the project; no product folder imports tools/ (benchmarks, research).
// tests/unit/architecture.test.ts checks the same directions on the whole import graph, the layers
// inside models/ and that no import cycle exists.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const builtinRegex = `^(node:.*|${nodeBuiltins.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?$`;

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
// A top-level folder reached by climbing out of the importing file's folder: ../../models/x.
const folder = (name, why, extra = {}) => ({ regex: `^(\\.\\./)+${name}(/|$)`, message: why, ...extra });

export default defineConfig(
  globalIgnores([
    'dist/**',
    'release/**',
    'node_modules/**',
    'test-results/**',
    'playwright-report/**',
    'tests/artifacts/**',
    '.tmp/**',
    '.scratch*/**',
    'runs/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['bin/**/*.cjs', 'scripts/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      folder('main', 'the renderer talks to main only through window.studio (preload/api.ts)'),
      folder('models', 'tensor code runs in the engine process, never in the renderer'),
      folder('tools', 'product code never imports a benchmark or research tool'),
      { regex: '^electron(/.*)?$', message: 'the renderer is sandboxed: use window.studio' },
      { regex: builtinRegex, message: 'no Node built-ins in the renderer' },
    ),
  },
  {
    files: ['models/**/*.ts'],
    rules: restrict(
      folder('main', 'models/ is host-independent: main calls models, not the other way round'),
      folder('preload', 'models/ never imports the IPC contract: constants it shares with main live in shared/'),
      folder('tools', 'product code never imports a benchmark or research tool'),
      { regex: '^(electron|react|react-dom|@mui/.*)(/.*)?$', message: 'models/ never imports electron or UI code' },
    ),
  },
  {
    files: ['preload/*.ts'],
    rules: restrict(
      { regex: '^\\.\\./(?!shared/)', message: 'preload imports only its own files and shared/' },
      { regex: '^(?!electron$|zod$|\\.)', message: 'preload imports only electron, zod and its own files' },
    ),
  },
  {
    files: ['preload/*/**/*.ts'],
    rules: restrict(
      { regex: '^\\.\\./\\.\\./(?!shared/)', message: 'preload imports only its own files and shared/' },
      { regex: '^(?!electron$|zod$|\\.)', message: 'preload imports only electron, zod and its own files' },
    ),
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/engine/worker.ts', 'main/engine/worker-ops.ts', 'main/engine/backend.ts', 'main/engine/ops/**', 'main/electron/**'],
    rules: restrict(
      // Types may cross (the engine protocol names result shapes); code may not.
      folder('models', 'only the engine worker side (main/engine/worker*, backend, ops/) may import models/', {
        allowTypeImports: true,
      }),
      { regex: '^electron(/.*)?$', message: 'only main/electron/ may import electron; the core is shared by every host' },
      folder('tools', 'product code never imports a benchmark or research tool'),
    ),
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict({ regex: '^\\.\\./', message: 'shared/ is the bottom layer: it imports nothing of the project' }),
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: restrict(folder('models', 'tensor code runs in the engine process, never in Electron main')),
  },
);
