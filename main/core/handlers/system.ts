/** system:* and settings:* handlers. */
import type { EngineStatus } from '../../../preload/schemas/system';
import type { SupervisorStatus } from '../../engine/supervisor';
import type { CoreContext } from '../context';
import { StudioFailure, defineHandlers } from '../router';

export function engineStatusOf(ctx: CoreContext, s: SupervisorStatus): EngineStatus {
  return {
    state: s.state,
    backend: s.info?.backend ?? null,
    threads: s.info?.threads ?? null,
    threadSwitches: s.info?.threadSwitches ?? 0,
    device: s.info?.device ?? null,
    fallbacks: s.info?.fallbacks ?? [],
    host: ctx.host,
    pid: s.pid,
    restarts: s.restarts,
    lastError: s.lastError,
    versions: {
      app: ctx.versions.app,
      node: process.versions.node,
      electron: ctx.versions.electron,
      chrome: ctx.versions.chrome,
      tfjs: s.info?.versions.tfjs ?? null,
    },
  };
}

export function systemHandlers(ctx: CoreContext) {
  return defineHandlers({
    'system:status': () => engineStatusOf(ctx, ctx.supervisor.status),

    'system:ping': async (req, call) => {
      if (req.delayMs && !ctx.testHooks) {
        throw new StudioFailure('unsupported', 'ping delays are a test hook; start the host with test hooks enabled');
      }
      const started = performance.now();
      const r = await ctx.supervisor.request('ping', { echo: req.echo, delayMs: req.delayMs }, { signal: call.signal });
      if (!r.ok) return r;
      return {
        echo: r.value.echo,
        backend: r.value.backend,
        enginePid: r.value.pid,
        roundTripMs: performance.now() - started,
      };
    },

    'settings:get': () => ctx.settings.get(),

    'settings:set': async (patch) => {
      const before = ctx.settings.get();
      const after = ctx.settings.update(patch);
      const engineChanged = after.backendOverride !== before.backendOverride || after.threads !== before.threads;
      if (engineChanged) await ctx.supervisor.restart({ backend: after.backendOverride, threads: after.threads });
      return { settings: after, engineRestarted: engineChanged };
    },

    'settings:chooseLibraryLocation': async () => {
      if (!ctx.dialogs) throw new StudioFailure('unsupported', 'choosing a library folder needs the desktop app');
      const dir = await ctx.dialogs.openFolder({ title: 'Choose the library folder' });
      if (!dir) throw new StudioFailure('cancelled', 'no folder chosen');
      await ctx.reopenLibrary(dir);
      return { settings: ctx.settings.update({ libraryDir: dir }), reopened: true };
    },
  });
}
