/**
 * One studio core shared by every host (Electron, browser host, CLI, tests): the library, the
 * engine supervisor, settings, grants, the event bus and the typed router over all handlers.
 * Hosts only translate their transport into `core.dispatch` and `core.events`.
 */
import { join } from 'node:path';
import { Library } from '../library/library';
import { EngineSupervisor } from '../engine/supervisor';
import type { EngineLauncher } from '../engine/launcher';
import { Cancellations } from './cancellations';
import type { CoreContext, HostVersions, NativeDialogs } from './context';
import { EventBus } from './events';
import { ExportPartials } from './export-partials';
import { GrantStore } from './grants';
import { agingHandlers } from './handlers/aging';
import { dialogHandlers } from './handlers/dialogs';
import { exportHandlers } from './handlers/export';
import { libraryHandlers } from './handlers/library';
import { modelHandlers } from './handlers/models';
import { trainingHandlers } from './handlers/training';
import { TrainingRuns, type TrainingRunsOptions } from '../engine/training/training-runs';
import { engineStatusOf, systemHandlers } from './handlers/system';
import { createRouter, type CallContext, type HostKind, type Router } from './router';
import { SettingsStore } from './settings-store';
import { seedShippedModels } from './shipped-models';

export interface StudioCoreOptions {
  host: HostKind;
  /** Folder for settings.json (Electron: userData; others: the config dir). */
  configDir: string;
  /** Library used when settings name none. */
  defaultLibraryDir: string;
  /** Use this library for this launch regardless of settings (CLI/web `--library`). */
  libraryDirOverride?: string;
  /** Backend for this launch regardless of settings (CLI `--backend`). */
  backendOverride?: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  engineLauncher: EngineLauncher;
  /** The app's assets/ folder; its models/ are registered as base models when a library opens. */
  assetsDir?: string;
  dialogs?: NativeDialogs | null;
  versions: HostVersions;
  testHooks?: boolean;
  /** The bundled training child (dist/train-worker.cjs) and its backend; absent: no training. */
  training?: TrainingRunsOptions;
  onLog?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export interface StudioCore {
  readonly events: EventBus;
  readonly supervisor: EngineSupervisor;
  readonly context: CoreContext;
  /** Fine-tuning runs (forked training children). */
  readonly training: TrainingRuns;
  /** Journal of export temp files in users' folders (swept at start and when an export ends). */
  readonly exportPartials: ExportPartials;
  dispatch: Router['dispatch'];
  /** Starts the engine (the library opens on first use). */
  start(): void;
  close(): Promise<void>;
}

export function createStudioCore(options: StudioCoreOptions): StudioCore {
  const events = new EventBus();
  const settings = new SettingsStore(join(options.configDir, 'settings.json'), options.defaultLibraryDir, options.libraryDirOverride ?? null);
  const initial = settings.get();
  const log = options.onLog ?? (() => undefined);
  const supervisor = new EngineSupervisor({
    launcher: options.engineLauncher,
    init: {
      backend: options.backendOverride ?? initial.backendOverride,
      threads: initial.threads,
      testHooks: options.testHooks ?? false,
    },
    onLog: (level, message) => {
      log(level, message);
      events.emit('system:log', { level, source: 'engine', message, at: new Date().toISOString() });
    },
  });

  let libraryDir = options.libraryDirOverride ?? initial.libraryDir;
  let opening: Promise<Library> | null = null;
  const openLibrary = async (dir: string): Promise<Library> => {
    const lib = await Library.open(dir);
    if (options.assetsDir) {
      const seeded = await seedShippedModels(lib, options.assetsDir);
      if (seeded.registered.length > 0) log('info', `registered shipped models: ${seeded.registered.join(', ')}`);
      for (const f of seeded.failed) log('warn', `shipped model ${f.name} not registered: ${f.error}`);
    }
    return lib;
  };
  const library = (): Promise<Library> => {
    opening ??= openLibrary(libraryDir).catch((err: unknown) => {
      opening = null;
      throw err;
    });
    return opening;
  };

  const context: CoreContext = {
    host: options.host,
    supervisor,
    events,
    settings,
    grants: new GrantStore(),
    cancellations: new Cancellations(),
    dialogs: options.dialogs ?? null,
    versions: options.versions,
    testHooks: options.testHooks ?? false,
    library,
    async reopenLibrary(dir) {
      const next = await openLibrary(dir);
      const old = opening;
      opening = Promise.resolve(next);
      libraryDir = dir;
      if (old) (await old.catch(() => null))?.close();
    },
  };

  supervisor.onStatus((s) => events.emit('system:engineStatus', engineStatusOf(context, s)));

  const lib = libraryHandlers(context);
  const training = new TrainingRuns(context, options.training ?? { workerPath: null });
  const exportPartials = new ExportPartials(join(options.configDir, 'export-partials.json'));
  const router = createRouter([systemHandlers(context), lib.handlers, modelHandlers(context), agingHandlers(context), dialogHandlers(context), exportHandlers(context, exportPartials), trainingHandlers(context, training)], {
    onError: (channel, err) => log('error', `${channel}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });

  return {
    events,
    supervisor,
    context,
    dispatch: (channel: unknown, payload: unknown, call: CallContext) => router.dispatch(channel, payload, call),
    start: () => {
      supervisor.start();
      // Hidden temp files a killed export left in a user's folder.
      void exportPartials.sweep().then(
        (n) => n > 0 && log('info', `removed ${n} unfinished export file(s) left by an earlier session`),
        (err: unknown) => log('warn', `removing unfinished export files: ${err instanceof Error ? err.message : String(err)}`),
      );
    },
    training,
    exportPartials,
    async close() {
      await training.closeAll();
      await lib.flushDeletes();
      await supervisor.stop();
      if (opening) (await opening.catch(() => null))?.close();
      opening = null;
    },
  };
}
