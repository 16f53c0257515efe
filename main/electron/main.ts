/**
 * Electron main entry (bundled to dist/electron-main.cjs). Thin: hardens the app, starts the
 * shared studio core with a utilityProcess engine, wires IPC and opens the window.
 */
import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_VERSION } from '../core/app-info';
import { createStudioCore, type StudioCore } from '../core/core';
import { defaultLibraryDir } from '../core/paths';
import { electronDialogs } from './dialogs';
import { registerIpc } from './ipc';
import { utilityLauncher } from './utility-launcher';
import { createStudioWindow, guardContents, hardenSession } from './window';

const distDir = __dirname;
const windows = new Set<BrowserWindow>();
let core: StudioCore | null = null;

app.enableSandbox();

// Belt and braces for any web contents, including ones we did not create on purpose.
app.on('web-contents-created', (_e, contents) => guardContents(contents));

function openWindow() {
  const win = createStudioWindow(distDir);
  windows.add(win);
  win.on('closed', () => windows.delete(win));
}

if (!app.requestSingleInstanceLock()) {
  // The library allows one writer; a second launch focuses the first window instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = [...windows][0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, join(distDir, 'renderer'));
    const userData = app.getPath('userData');
    core = createStudioCore({
      host: 'electron',
      configDir: userData,
      defaultLibraryDir: defaultLibraryDir(userData),
      engineLauncher: utilityLauncher(join(distDir, 'engine.cjs')),
      training: { workerPath: join(distDir, 'train-child.cjs') },
      assetsDir: join(app.getAppPath(), 'assets'),
      dialogs: electronDialogs(),
      versions: { app: APP_VERSION, electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
      testHooks: process.env.STUDIO_TEST_HOOKS === '1',
      onLog: (level, message) => {
        if (level !== 'debug') console[level === 'info' ? 'log' : level](message);
      },
    });
    core.start();
    registerIpc(core, () => [...windows], pathToFileURL(join(distDir, 'renderer', 'index.html')).href);
    openWindow();
    app.on('activate', () => {
      if (windows.size === 0) openWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (e) => {
    if (closing || !core) return;
    closing = true;
    e.preventDefault();
    void core.close().finally(() => app.quit());
  });
}
