/** React binding of the session store: `const [session, update] = useSession()`. */
import { useCallback, useSyncExternalStore } from 'react';
import { sessionStore, type SessionState, type SessionStore } from './session-store';

export function useSession(
  store: SessionStore = sessionStore,
): [SessionState, (patch: Partial<SessionState> | ((s: SessionState) => Partial<SessionState>)) => void] {
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const update = useCallback(
    (patch: Partial<SessionState> | ((s: SessionState) => Partial<SessionState>)) =>
      store.set((s) => ({ ...s, ...(typeof patch === 'function' ? patch(s) : patch) })),
    [store],
  );
  return [state, update];
}
