#!/usr/bin/env node
// Root postinstall: fetches Electron's binary, never failing the install when it cannot.
// package.json's allowScripts denies electron's own postinstall (npm skips it), because on a machine
// that cannot reach Electron's download host it fails with `fetch failed` and takes `npm ci` down
// with it. This runs the same installer (node_modules/electron/install.js: honours
// ELECTRON_SKIP_BINARY_DOWNLOAD, the cache and the mirror settings) and, if it fails, says what
// that means and exits 0: everything but the desktop window works, and `npm start` then points to
// the browser host.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installer;
try {
  installer = require.resolve('electron/install.js');
} catch {
  process.exit(0); // electron not installed (e.g. --omit=dev): nothing to fetch
}

const run = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 15 * 60_000 });
if (run.status !== 0) {
  console.warn(
    [
      '',
      `Electron's binary could not be downloaded (${run.error?.message ?? (run.signal ? `stopped by ${run.signal}` : `exit ${run.status}`)}); the install goes on without it.`,
      'Everything works except the desktop window: `npm start` says so and `npm run web` runs the same studio in a browser.',
      'On a connected machine, `node node_modules/electron/install.js` fetches the binary later.',
      '',
    ].join('\n'),
  );
}
