/** The studio window with locked-down web preferences and navigation. */
import { BrowserWindow, shell, type Session } from 'electron';
import { join } from 'node:path';
import { CSP_HEADER } from '../security/csp';

export function hardenSession(session: Session): void {
  // No camera, notifications, geolocation, ...: the studio never needs a permission.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP_HEADER] } });
  });
  // No remote content: only the app's own files (and blob:/data: URLs it creates) may load.
  session.webRequest.onBeforeRequest((details, callback) => {
    const ok = /^(file|blob|data|devtools|chrome-extension):/i.test(details.url);
    callback({ cancel: !ok });
  });
}

export function createStudioWindow(distDir: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Face Aging Studio',
    webPreferences: {
      preload: join(distDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never inside the studio.
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  void win.loadFile(join(distDir, 'renderer', 'index.html'));
  return win;
}
