/**
 * Settings shared by every component of one renderer (shell theme toggle, Settings screen):
 * loaded once per studio connection, updated optimistically, replaced by main's answer.
 * Same shape as a local `useState` pair, so the shell and the Settings screen stay in step.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { StudioApi } from '../../preload/api';
import type { Settings, StudioError } from '../../preload/contract';
import { useStudio } from '../lib/use-studio';

export type SettingsPatch = Partial<Pick<Settings, 'theme' | 'backendOverride' | 'threads'>>;

interface Store {
  value: Settings | null;
  loading: boolean;
  listeners: Set<() => void>;
}

const stores = new WeakMap<StudioApi, Store>();

function storeOf(api: StudioApi): Store {
  let s = stores.get(api);
  if (!s) {
    s = { value: null, loading: false, listeners: new Set() };
    stores.set(api, s);
  }
  return s;
}

function publish(s: Store, value: Settings | null) {
  s.value = value;
  for (const l of [...s.listeners]) l();
}

/** Returns [settings, update]; `update` resolves to main's answer (engineRestarted) or its error. */
export function useSharedSettings(): [
  Settings | null,
  (patch: SettingsPatch) => Promise<{ ok: true; engineRestarted: boolean } | { ok: false; error: StudioError }>,
] {
  const studio = useStudio();
  const store = storeOf(studio);
  const value = useSyncExternalStore(
    (l) => {
      store.listeners.add(l);
      return () => store.listeners.delete(l);
    },
    () => store.value,
    () => store.value,
  );

  useEffect(() => {
    if (store.value || store.loading) return;
    store.loading = true;
    void studio.settings.get().then((r) => {
      store.loading = false;
      if (r.ok) publish(store, r.value);
    });
  }, [studio, store]);

  const update = useCallback(
    async (patch: SettingsPatch) => {
      const before = store.value;
      if (before) publish(store, { ...before, ...patch });
      const r = await studio.settings.set(patch);
      if (!r.ok) {
        publish(store, before);
        return { ok: false as const, error: r.error };
      }
      publish(store, r.value.settings);
      return { ok: true as const, engineRestarted: r.value.engineRestarted };
    },
    [studio, store],
  );
  return [value, update];
}

/** For settings:chooseLibraryLocation, which answers with the new settings. */
export function publishSettings(api: StudioApi, value: Settings): void {
  publish(storeOf(api), value);
}
