/**
 * Default folders for hosts without Electron's app.getPath: the same place Electron's userData
 * resolves to for this app, so the desktop app, the browser host and the CLI share one library.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'Face Aging Studio';

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.FACE_AGE_CONFIG_DIR) return env.FACE_AGE_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
}

export function defaultLibraryDir(configDir: string): string {
  return join(configDir, 'library');
}
