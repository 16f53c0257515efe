/** React access to the studio API and a few shared hooks (engine status). */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { StudioApi } from '../../preload/api';
import type { EngineStatus, PingResponse, StudioError } from '../../preload/contract';

const StudioContext = createContext<StudioApi | null>(null);

export function StudioProvider({ api, children }: { api: StudioApi; children: ReactNode }) {
  return <StudioContext.Provider value={api}>{children}</StudioContext.Provider>;
}

export function useStudio(): StudioApi {
  const api = useContext(StudioContext);
  if (!api) throw new Error('useStudio must be used inside <StudioProvider>');
  return api;
}

/** Live engine status: fetched once, then kept current by system:engineStatus events. */
export function useEngineStatus(): EngineStatus | null {
  const studio = useStudio();
  const [status, setStatus] = useState<EngineStatus | null>(null);
  useEffect(() => {
    let live = true;
    const off = studio.system.onEngineStatus((s) => live && setStatus(s));
    void studio.system.status().then((r) => live && r.ok && setStatus((cur) => cur ?? r.value));
    return () => {
      live = false;
      off();
    };
  }, [studio]);
  return status;
}

export type PingState =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'ok'; value: PingResponse }
  | { kind: 'error'; error: StudioError };

/** Pings the engine through main; `ping()` runs it again. Re-pings whenever the engine becomes ready. */
export function useEnginePing(readyKey: unknown): [PingState, () => void] {
  const studio = useStudio();
  const [state, setState] = useState<PingState>({ kind: 'idle' });
  const ping = useCallback(() => {
    setState({ kind: 'pending' });
    void studio.system.ping({ echo: 'shell' }).then((r) => setState(r.ok ? { kind: 'ok', value: r.value } : { kind: 'error', error: r.error }));
  }, [studio]);
  useEffect(() => ping(), [ping, readyKey]);
  return [state, ping];
}
