/** What every handler group receives: the shared services of one running studio core. */
import type { Library } from '../library/library';
import type { EngineSupervisor } from '../engine/supervisor';
import type { Cancellations } from './cancellations';
import type { EventBus } from './events';
import type { GrantStore } from './grants';
import type { HostKind } from './router';
import type { SettingsStore } from './settings-store';

/** Native dialogs, provided by the Electron host only. They return absolute paths (or nothing). */
export interface NativeDialogs {
  openFiles(options: { title?: string; multiple: boolean }): Promise<string[]>;
  openFolder(options: { title?: string }): Promise<string | null>;
  chooseExportDestination(options: { title?: string }): Promise<string | null>;
}

export interface HostVersions {
  app: string;
  electron: string | null;
  chrome: string | null;
}

export interface CoreContext {
  host: HostKind;
  supervisor: EngineSupervisor;
  events: EventBus;
  settings: SettingsStore;
  grants: GrantStore;
  /** Cancellable requests by renderer-chosen id (aging:preview, aging:strip); aging:cancel aborts them. */
  cancellations: Cancellations;
  dialogs: NativeDialogs | null;
  versions: HostVersions;
  testHooks: boolean;
  /** The open library (opened on first use; a failure is reported and retried next time). */
  library(): Promise<Library>;
  /** Close the current library and open the one at `dir`. */
  reopenLibrary(dir: string): Promise<void>;
}
