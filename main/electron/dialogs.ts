/** Native dialogs for the core; paths stay in main and reach the renderer only as grants. */
import { BrowserWindow, dialog } from 'electron';
import type { NativeDialogs } from '../core/context';

export function electronDialogs(): NativeDialogs {
  const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const show = async (options: Electron.OpenDialogOptions) => {
    const win = parent();
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? [] : r.filePaths;
  };
  return {
    openFiles: ({ title, multiple }) =>
      show({
        title: title ?? 'Import photos',
        properties: multiple ? ['openFile', 'multiSelections'] : ['openFile'],
        filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic'] }],
      }),
    openFolder: async ({ title }) => (await show({ title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] }))[0] ?? null,
    chooseExportDestination: async ({ title }) =>
      (await show({ title: title ?? 'Export to folder', properties: ['openDirectory', 'createDirectory'] }))[0] ?? null,
  };
}
