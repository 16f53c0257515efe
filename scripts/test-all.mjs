#!/usr/bin/env node
// `npm test`: build, typecheck, lint, the Electron security scan (npm run security), unit tests
// (vitest) and end-to-end tests (Playwright in Chromium through the browser host). Runs every step
// even when one fails, then prints one line `N passed, N failed` counted from vitest's and
// Playwright's JSON reports; a failed build, typecheck or lint counts as one failure each, and the
// security scan counts as one test (passed, or failed on a high-severity finding). Exit code 1
// when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'tests', 'artifacts', 'reports');
const bin = (name) => join(root, 'node_modules', '.bin', name);
mkdirSync(reports, { recursive: true });
const unitReport = join(reports, 'unit.json');
const e2eReport = join(reports, 'e2e.json');
rmSync(unitReport, { force: true });
rmSync(e2eReport, { force: true });

let passed = 0;
let failed = 0;
const notes = [];

function step(name, cmd, args) {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${secs} s`);
  return r.status === 0;
}

function check(name, cmd, args) {
  if (step(name, cmd, args)) return true;
  failed++;
  notes.push(`${name} failed`);
  return false;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const built = check('build', process.execPath, [join(root, 'scripts', 'build.mjs')]);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
check('lint', bin('eslint'), ['.']);
if (step('security', process.execPath, [join(root, 'scripts', 'security.mjs')])) passed++;
else {
  failed++;
  notes.push('security scan failed (high-severity Electronegativity finding or unscanned file)');
}

step('unit', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`]);
const unit = readJson(unitReport);
if (unit) {
  passed += unit.numPassedTests ?? 0;
  failed += unit.numFailedTests ?? 0;
  // A test file that fails to load has no tests in numFailedTests; count each such suite once.
  for (const f of unit.testResults ?? []) {
    if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) {
      failed++;
      notes.push(`unit file failed to run: ${f.name}`);
    }
  }
} else {
  failed++;
  notes.push('vitest wrote no JSON report');
}

if (built) {
  step('e2e', bin('playwright'), ['test']);
  const e2e = readJson(e2eReport);
  if (e2e?.stats) {
    passed += (e2e.stats.expected ?? 0) + (e2e.stats.flaky ?? 0);
    failed += e2e.stats.unexpected ?? 0;
    if ((e2e.errors ?? []).length > 0) {
      failed++;
      notes.push('playwright reported errors outside tests');
    }
  } else {
    failed++;
    notes.push('playwright wrote no JSON report');
  }
} else {
  failed++;
  notes.push('e2e skipped: the build failed');
}

if (notes.length) console.log(`\nnotes: ${notes.join('; ')}`);
if (existsSync(join(root, 'tests', 'artifacts', 'shell.png'))) console.log('screenshot: tests/artifacts/shell.png');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
