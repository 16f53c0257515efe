#!/usr/bin/env node
// `face-age` entry: runs the bundled CLI (built by `npm run build`, which `npm ci` runs via prepare).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  console.error('face-age: dist/cli.cjs is missing; run `npm run build` in the studio folder first.');
  process.exit(1);
}
const { runCli } = require(cli);
runCli(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then((code) => {
  process.exitCode = code;
});
