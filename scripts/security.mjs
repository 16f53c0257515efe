#!/usr/bin/env node
// `npm run security`: Electronegativity (@doyensec/electronegativity) over the Electron layer: the
// window and IPC code (main/electron), its guards' CSP (main/security), the preload (preload/) and
// the renderer page (renderer/index.html, which carries the CSP meta tag). They are copied into one
// folder first because the tool's global checks (navigation limits, permission handler, CSP) look at
// the whole input at once. Prints every finding and the count per severity; exits 1 on any HIGH
// finding or any file it could not parse.
// The version check that needs github.com (AvailableSecurityFixesGlobalCheck) is skipped unless
// --version-check is given: it reports on Electron's release feed, not on this code.
// --input=DIR scans DIR instead (the unit test uses it to prove a HIGH finding fails the step);
// --report=FILE writes the JSON report there instead of tests/artifacts/reports/electronegativity.json.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const SCANNED = ['main/electron', 'main/security', 'preload', 'renderer/index.html'];
const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

async function main() {
  const versionCheck = process.argv.includes('--version-check');
  const input = process.argv.find((a) => a.startsWith('--input='))?.slice('--input='.length);
  const scanned = input ? [input] : SCANNED;
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const stage = mkdtempSync(join(root, '.tmp', 'security-'));
  let result;
  try {
    if (input) cpSync(input, stage, { recursive: true });
    else {
      for (const rel of SCANNED) {
        mkdirSync(dirname(join(stage, rel)), { recursive: true });
        cpSync(join(root, rel), join(stage, rel), { recursive: true });
      }
    }
    // The programmatic entry keeps each finding's severity (its CSV writer garbles rows, SARIF drops severity).
    const electronegativity = require('@doyensec/electronegativity');
    const run = electronegativity.default ?? electronegativity;
    result = await run(
      {
        input: stage,
        isRelative: true,
        customScan: [],
        excludeFromScan: versionCheck ? [] : ['AvailableSecurityFixesGlobalCheck'],
        electronVersionOverride: electronVersion,
      },
      false,
    );
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }

  const findings = result.issues.map((i) => ({
    id: i.id,
    severity: i.severity.name,
    confidence: i.confidence.name,
    file: i.file,
    line: i.location?.line ?? 0,
    column: i.location?.column ?? 0,
    description: i.description,
  }));
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const f of findings) {
    counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    console.log(`${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.line}:${f.column}  ${f.description}`);
  }
  // A file the parser could not read was not scanned: that is a failed scan, not a clean one.
  const unparsed = result.errors.filter((e) => !e.tolerable);
  for (const e of unparsed) console.error(`not scanned: ${e.file}: ${e.message}`);
  const report = process.argv.find((a) => a.startsWith('--report='))?.slice('--report='.length) ?? join(root, 'tests', 'artifacts', 'reports', 'electronegativity.json');
  mkdirSync(dirname(report), { recursive: true });
  const summary = { electron: electronVersion, scanned, checks: result.globalChecks + result.atomicChecks, bySeverity: counts, findings, unparsed };
  writeFileSync(report, JSON.stringify(summary, null, 2));
  console.log(`electronegativity: ${summary.checks} checks, ${SEVERITIES.map((s) => `${counts[s]} ${s.toLowerCase()}`).join(', ')} (${report})`);
  if (counts.HIGH > 0 || unparsed.length > 0) {
    console.error(counts.HIGH > 0 ? 'high-severity findings: fix them before shipping' : 'some files could not be scanned');
    process.exit(1);
  }
}

await main();
