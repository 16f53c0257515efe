#!/usr/bin/env node
// `npm start`: builds, then runs the desktop app in Electron. Where Electron's binary is missing
// (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or offline), says so and points to the
// browser host instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // The electron package exports the path of its downloaded binary (throws if never downloaded).
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
if (!binary) {
  console.error(
    [
      'Electron\'s binary is not installed on this machine, so the desktop window cannot open.',
      '(npm ci downloads it unless ELECTRON_SKIP_BINARY_DOWNLOAD=1 is set or the machine is offline;',
      ' on a connected machine run `npm ci` again without that variable, or `node node_modules/electron/install.js`.)',
      '',
      'The same studio runs in your browser: `npm run web`, then open the printed http://127.0.0.1 link.',
    ].join('\n'),
  );
  process.exit(1);
}

const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (built.status !== 0) process.exit(built.status ?? 1);

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error('No display found (DISPLAY/WAYLAND_DISPLAY unset): Electron needs a desktop session. Try `npm run web`.');
  process.exit(1);
}

const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
