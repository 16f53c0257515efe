/**
 * Registers every contract channel on ipcMain through one helper: the sender must be the main
 * frame of one of the app's own windows showing the app's own page, then the core's router
 * validates the payload. Events from the core go to every app window.
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import { REQUEST_CHANNELS, fail, ipcEventName, ipcRequestName } from '../../preload/contract';
import type { StudioCore } from '../core/core';
import { isAppPage } from './app-page';

export function registerIpc(core: StudioCore, appWindows: () => BrowserWindow[], rendererIndexUrl: string): () => void {
  const trusted = (e: IpcMainInvokeEvent): boolean => {
    const frame: WebFrameMain | null = e.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const win = BrowserWindow.fromWebContents(e.sender);
    return !!win && appWindows().includes(win) && isAppPage(frame.url, rendererIndexUrl);
  };

  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(ipcRequestName(channel), (e, payload: unknown) => {
      if (!trusted(e)) return fail('forbidden', 'request from a frame that is not the studio window');
      return core.dispatch(channel, payload, { host: 'electron' });
    });
  }

  const unsubscribe = core.events.subscribe((event, payload) => {
    for (const win of appWindows()) {
      if (!win.isDestroyed()) win.webContents.send(ipcEventName(event), payload);
    }
  });

  return () => {
    unsubscribe();
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(ipcRequestName(channel));
  };
}
