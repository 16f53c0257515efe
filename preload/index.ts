/**
 * Electron preload (bundled to dist/preload.cjs; sandboxed, so it may only require 'electron').
 * Exposes the domain API on `window.studio`; never exposes ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createStudioApi, type StudioTransport } from './api';
import { ipcEventName, ipcRequestName } from './contract';

const transport: StudioTransport = {
  invoke: (channel, request) => ipcRenderer.invoke(ipcRequestName(channel), request),
  subscribe: (event, listener) => {
    const name = ipcEventName(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(name, wrapped);
    return () => {
      ipcRenderer.removeListener(name, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('studio', createStudioApi(transport));
