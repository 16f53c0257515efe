/**
 * Engine-side handlers, one per EngineOps entry. They run inside the engine process only (never
 * on main's event loop), so tensor work belongs here or in models/ functions called from here.
 */
import { runEngineBench } from '../../models/backend/engine-bench';
import { liveThreads, type BackendChoice } from './backend';
import { analyzeOp, faceCropOp } from './ops/faces';
import { ageFacesOp } from './ops/aging';
import { exportComposeOp, exportPhotoOp } from './ops/export';
import { identityDistancesOp } from './ops/identity';
import type { EngineInfo, EngineOp, EngineRequestOf, EngineResponseOf } from './protocol';

export interface OpContext {
  signal: AbortSignal;
  progress(data: unknown): void;
  testHooks: boolean;
  backend: BackendChoice;
  tfjsVersion: string | null;
}

/** Thrown by handlers to answer with a typed error instead of 'internal'. */
export class EngineOpError extends Error {
  constructor(
    readonly code: 'cancelled' | 'not-found' | 'bad-image' | 'no-face' | 'invalid-payload' | 'unsupported' | 'internal',
    message: string,
  ) {
    super(message);
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new EngineOpError('cancelled', 'cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new EngineOpError('cancelled', 'cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What the engine reports (ready, info op, 'info' updates): the thread count as it is now. */
export function engineInfoOf(backend: BackendChoice, tfjsVersion: string | null): EngineInfo {
  return {
    backend: backend.backend,
    ...liveThreads(backend),
    device: backend.device,
    fallbacks: backend.fallbacks,
    pid: process.pid,
    versions: { tfjs: tfjsVersion, node: process.versions.node },
  };
}

type Handlers = {
  [K in EngineOp]: (payload: EngineRequestOf<K>, ctx: OpContext) => Promise<EngineResponseOf<K>>;
};

export const workerOps: Handlers = {
  async ping(payload, ctx) {
    if (payload.delayMs) {
      if (!ctx.testHooks) throw new EngineOpError('unsupported', 'ping delays are a test hook');
      await abortableDelay(payload.delayMs, ctx.signal);
    }
    return { echo: payload.echo ?? null, backend: ctx.backend.backend, pid: process.pid };
  },
  async info(_payload, ctx) {
    return engineInfoOf(ctx.backend, ctx.tfjsVersion);
  },
  async bench(payload) {
    return runEngineBench({ runs: payload.runs, profileKernels: payload.profileKernels });
  },
  analyze: (payload) => analyzeOp(payload),
  faceCrop: (payload) => faceCropOp(payload),
  ageFaces: (payload, ctx) =>
    ageFacesOp(payload, ctx.signal).catch((err: unknown) => {
      if (ctx.signal.aborted) throw new EngineOpError('cancelled', 'superseded or cancelled');
      throw err;
    }),
  exportPhoto: (payload, ctx) => cancellable(exportPhotoOp(payload, ctx.signal), ctx.signal),
  exportCompose: (payload, ctx) => cancellable(exportComposeOp(payload, ctx.signal), ctx.signal),
  identityDistances: (payload, ctx) => cancellable(identityDistancesOp(payload, ctx.signal), ctx.signal),
};

function cancellable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return p.catch((err: unknown) => {
    if (signal.aborted) throw new EngineOpError('cancelled', 'cancelled');
    throw err;
  });
}
