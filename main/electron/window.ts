/**
 * The studio window with locked-down web preferences, and the wiring of the guards (guards.ts)
 * onto the session and onto every web contents. Only Electron calls live here.
 */
import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { join } from 'node:path';
import {
  isAllowedRequest,
  refuseNavigation,
  refusePermissionCheck,
  refusePermissionRequest,
  windowOpenHandler,
  withCsp,
} from './guards';

/** No permission, our CSP on every response, and no request outside the app's renderer folder. */
export function hardenSession(session: Session, rendererDir: string): void {
  session.setPermissionRequestHandler(refusePermissionRequest);
  session.setPermissionCheckHandler(refusePermissionCheck);
  session.setDevicePermissionHandler(refusePermissionCheck);
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, rendererDir) }));
}

/** Every web contents (ours and any other): no navigation, no new windows, no webviews. */
export function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(windowOpenHandler((url) => void shell.openExternal(url)));
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-frame-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', refuseNavigation);
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
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click (auxclick) must not open links in a new window either.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  guardContents(win.webContents);
  void win.loadFile(join(distDir, 'renderer', 'index.html'));
  return win;
}
