/**
 * `npm run web` entry (bundled to dist/web-host.cjs): starts the studio core with a forked engine
 * and serves the renderer from dist/renderer on 127.0.0.1, printing the URL with its token.
 *
 * Flags: --port N, --library DIR, --config DIR, --test-hooks (enables test-only requests).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_VERSION } from '../core/app-info';
import { createStudioCore } from '../core/core';
import { defaultConfigDir, defaultLibraryDir } from '../core/paths';
import { forkLauncher } from '../engine/launcher';
import { startWebHost } from './web-host';

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      library: { type: 'string' },
      config: { type: 'string' },
      'test-hooks': { type: 'boolean', default: false },
    },
  });
  const rendererDir = join(__dirname, 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.error(`face-age web: ${rendererDir}/index.html is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
  const configDir = values.config ? resolve(values.config) : defaultConfigDir();
  const core = createStudioCore({
    host: 'web',
    configDir,
    defaultLibraryDir: defaultLibraryDir(configDir),
    libraryDirOverride: values.library ? resolve(values.library) : undefined,
    engineLauncher: forkLauncher(join(__dirname, 'engine.cjs')),
    training: { workerPath: join(__dirname, 'train-child.cjs') },
    assetsDir: join(__dirname, '..', 'assets'),
    versions: { app: APP_VERSION, electron: null, chrome: null },
    testHooks: values['test-hooks'] || process.env.STUDIO_TEST_HOOKS === '1',
    onLog: (level, message) => {
      if (level === 'warn' || level === 'error') console.error(`[${level}] ${message}`);
    },
  });
  core.start();
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const host = await startWebHost({ core, rendererDir, port });
  // The printed URL carries the token in its fragment; tests and users open exactly this URL.
  console.log(`Face Aging Studio (browser host) at ${host.url}`);
  console.log('Open that URL in a browser on this machine. Press Ctrl+C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`face-age web: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
