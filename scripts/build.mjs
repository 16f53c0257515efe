#!/usr/bin/env node
// Builds everything the hosts run: the renderer (vite -> dist/renderer) and the Node/Electron
// bundles (esbuild -> dist/*.cjs). Usage: node scripts/build.mjs [--only=renderer|node|tools]
// --only=tools bundles the research entry points of tools/research/ into dist/tools/ (not part of
// the product, so the default build leaves them out).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

// Native modules, wasm-loading packages and Electron itself stay in node_modules.
const NODE_EXTERNALS = [
  'electron',
  'better-sqlite3',
  'sharp',
  '@img/*',
  '@tensorflow/*',
  '@vladmandic/face-api',
  'ws',
  'bufferutil',
  'utf-8-validate',
];

const NODE_BUNDLES = [
  { entry: 'main/electron/main.ts', out: 'electron-main.cjs' },
  // Sandboxed preloads may only require 'electron': everything else is bundled in.
  { entry: 'preload/index.ts', out: 'preload.cjs', external: ['electron'], platform: 'browser' },
  { entry: 'main/engine/worker.ts', out: 'engine.cjs' },
  // One forked process per training / fine-tuning run, so the engine stays free for previews.
  { entry: 'main/engine/ops/train-child.ts', out: 'train-child.cjs' },
  { entry: 'main/web/main.ts', out: 'web-host.cjs' },
  { entry: 'main/cli/main.ts', out: 'cli.cjs' },
  // Research entry: regenerates models/eval/judges/thresholds.json (its header has the command).
  { entry: 'tools/research/judge-calibration.ts', out: 'judge-calibration.cjs' },
];

// Long-running research jobs, run as `node dist/tools/<name>.cjs ...` (see each file's header).
const TOOL_BUNDLES = [
  'eval-main',
  'baselines-main',
  'prepare-dataset-main',
  'build-prototype-main',
  'train-main',
  'build-stages-main',
  'normalise-dataset-main',
  'hard-cases-main',
  'val-sample',
].map((name) => ({ entry: `tools/research/${name}.ts`, out: `tools/${name}.cjs` }));

async function buildNode(bundles = NODE_BUNDLES) {
  await Promise.all(
    bundles.map((b) =>
      esbuild({
        absWorkingDir: root,
        entryPoints: [b.entry],
        outfile: join(dist, b.out),
        bundle: true,
        format: 'cjs',
        platform: b.platform ?? 'node',
        target: b.platform === 'browser' ? 'chrome130' : 'node20',
        external: b.external ?? NODE_EXTERNALS,
        sourcemap: 'linked',
        logLevel: 'warning',
        // models/ guards import.meta behind `typeof require`; in CJS the require path is taken.
        logOverride: { 'empty-import-meta': 'silent' },
        // Sandboxed preload runs in a browser-like context: no process.env lookups at runtime.
        define: b.platform === 'browser' ? { 'process.env.NODE_ENV': '"production"' } : undefined,
      }),
    ),
  );
}

async function buildRenderer() {
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  await build({
    configFile: false,
    root: join(root, 'renderer'),
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir: join(dist, 'renderer'),
      emptyOutDir: true,
      sourcemap: false,
      // The CSP forbids inline scripts; keep the module preload polyfill out of index.html.
      modulePreload: { polyfill: false },
      chunkSizeWarningLimit: 2048,
    },
  });
}

const t0 = performance.now();
mkdirSync(dist, { recursive: true });
if (!only || only === 'node') {
  for (const b of NODE_BUNDLES) rmSync(join(dist, b.out), { force: true });
}
const jobs = [];
if (!only || only === 'node') jobs.push(buildNode());
if (only === 'tools') jobs.push(buildNode(TOOL_BUNDLES));
if (!only || only === 'renderer') jobs.push(buildRenderer());
await Promise.all(jobs);
if ((!only || only === 'renderer') && !existsSync(join(dist, 'renderer', 'index.html'))) {
  throw new Error('renderer build produced no index.html');
}
console.log(`build: done in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${dist}`);
