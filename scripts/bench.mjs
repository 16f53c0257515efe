// `npm run bench [-- section...] [--runs N] [--photos N] [--resolutions 64,128] [--megapixels 1,12]`:
// bundles tools/bench/bench-entry.ts with esbuild (externals as scripts/build.mjs) into .tmp/ and runs
// the chosen sections (default: all but the opt-in `slider`), printing one JSON document on stdout (progress on stderr).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    runs: { type: 'string' },
    photos: { type: 'string' },
    resolutions: { type: 'string' },
    megapixels: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const ALL = ['threads', 'engine', 'import', 'face', 'library', 'cyclegan', 'age-cgan', 'export', 'finetune', 'checkpoint', 'soak'];
// Opt-in (needs Chromium and a build): the age slider's release-to-preview latency in the studio,
// measured by tests/e2e/age-bench.spec.ts through the browser host and the real engine.
const SLIDER = 'slider';
if (values.help) {
  console.log(`npm run bench -- [${[...ALL, SLIDER].join('|')}...] [--runs N] [--photos N] [--resolutions 64,128] [--megapixels 1,12]`);
  process.exit(0);
}
const int = (name, raw) => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(64);
  }
  return n;
};
const list = (name, raw) => (raw === undefined ? undefined : raw.split(',').map((x) => int(name, x)));

const wanted = positionals.length > 0 ? positionals : ALL;

/** Builds the studio, runs the slider spec in Playwright (output on stderr) and returns its JSON. */
function sliderBench() {
  const report = join(root, 'tests', 'artifacts', 'age-bench.json');
  rmSync(report, { force: true });
  const opts = { cwd: root, stdio: ['ignore', 2, 2], env: { ...process.env, E2E_BENCH: '1' } };
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], opts);
  if (build.status !== 0) return { error: 'the build failed' };
  const pw = join(root, 'node_modules', '.bin', 'playwright');
  const run = spawnSync(pw, ['test', 'tests/e2e/age-bench.spec.ts', '--reporter=line'], opts);
  try {
    return JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    return { error: `the slider spec wrote no report (exit ${run.status ?? run.signal})` };
  }
}

const outDir = join(root, '.tmp', 'bench');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'bench.cjs');
await build({
  entryPoints: [join(root, 'tools', 'bench', 'bench-entry.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron', 'better-sqlite3', 'sharp', '@img/*', '@tensorflow/*', '@vladmandic/face-api', 'ws', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
  // models/ guards import.meta behind `typeof require`; in CJS the require path is taken.
  logOverride: { 'empty-import-meta': 'silent' },
});
const { runBench } = createRequire(import.meta.url)(outfile);
const engineSections = wanted.filter((s) => s !== SLIDER);
const result = await runBench(
  {
    sections: engineSections,
    runs: int('runs', values.runs),
    photos: int('photos', values.photos),
    resolutions: list('resolutions', values.resolutions),
    megapixels: list('megapixels', values.megapixels),
  },
  (s) => console.error(s),
);
if (wanted.includes(SLIDER)) result[SLIDER] = sliderBench();
console.log(JSON.stringify(result, null, 1));
