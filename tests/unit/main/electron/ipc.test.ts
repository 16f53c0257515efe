import { describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS, ipcEventName, ipcRequestName } from '../../../../preload/contract';
import type { StudioCore } from '../../../../main/core/core';
import { EventBus } from '../../../../main/core/events';

// The Electron binary is absent here; the IPC layer is exercised against stand-ins of the three
// Electron objects it touches, with the real core router behind it.
type Handler = (e: unknown, payload: unknown) => unknown;
const handlers = new Map<string, Handler>();
const windowsByContents = new Map<object, object>();

vi.mock('electron', () => ({
  ipcMain: {
    handle: (name: string, fn: Handler) => handlers.set(name, fn),
    removeHandler: (name: string) => handlers.delete(name),
  },
  BrowserWindow: { fromWebContents: (wc: object) => windowsByContents.get(wc) ?? null },
}));

const INDEX = 'file:///opt/studio/resources/app.asar/dist/renderer/index.html';

function fakeWindow() {
  const sent: Array<[string, unknown]> = [];
  const webContents = { send: (name: string, payload: unknown) => sent.push([name, payload]) };
  const win = { webContents, isDestroyed: () => false };
  windowsByContents.set(webContents, win);
  return { win, webContents, sent };
}

describe('Electron IPC registration', () => {
  it('serves every channel, only to the main frame of the app page in an app window, and forwards events', async () => {
    const { registerIpc } = await import('../../../../main/electron/ipc');
    const events = new EventBus();
    const dispatched: Array<[unknown, unknown]> = [];
    const core = {
      events,
      dispatch: async (channel: unknown, payload: unknown) => {
        dispatched.push([channel, payload]);
        return { ok: true, value: 'handled' };
      },
    } as unknown as StudioCore;
    const app = fakeWindow();
    const stranger = fakeWindow();
    const unregister = registerIpc(core, () => [app.win as never], INDEX);

    expect(handlers.size).toBe(REQUEST_CHANNELS.length);
    const ping = handlers.get(ipcRequestName('system:ping'))!;
    const mainFrame = { parent: null, url: `${INDEX}#/age` };

    expect(await ping({ sender: app.webContents, senderFrame: mainFrame }, { echo: 'x' })).toEqual({ ok: true, value: 'handled' });
    expect(dispatched).toEqual([['system:ping', { echo: 'x' }]]);

    const refused = [
      { sender: app.webContents, senderFrame: { parent: mainFrame, url: INDEX } }, // a subframe
      { sender: app.webContents, senderFrame: { parent: null, url: 'https://evil.example/' } }, // navigated away
      { sender: app.webContents, senderFrame: null }, // frame already gone
      { sender: stranger.webContents, senderFrame: mainFrame }, // not one of the app's windows
    ];
    for (const e of refused) {
      expect(await ping(e, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(dispatched).toHaveLength(1);

    events.emit('library:changed', { kind: 'photos', ids: ['1'] });
    expect(app.sent).toEqual([[ipcEventName('library:changed'), { kind: 'photos', ids: ['1'] }]]);
    expect(stranger.sent).toEqual([]);

    unregister();
    expect(handlers.size).toBe(0);
    events.emit('library:changed', { kind: 'photos', ids: ['2'] });
    expect(app.sent).toHaveLength(1);
  });
});
