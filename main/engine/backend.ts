/**
 * Engine-side backend start-up: delegates to models/backend/select.ts (initBackend), which tries
 * tensorflow-gpu > tensorflow > wasm > cpu, or the user's override first, and reports fallbacks.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, threadSwitches } from '../../models/backend/select';
import { wasmThreads } from '../../models/backend/thread-governor';
import type { BackendName } from '../../preload/schemas/system';

export interface BackendChoice {
  backend: BackendName;
  threads: number | null;
  device: string;
  /** Backends tried before this one, with why each failed (shown in diagnostics). */
  fallbacks: string[];
}

export async function initEngineBackend(preferred: 'auto' | BackendName, threads: number | null): Promise<BackendChoice> {
  const info = await initBackend({
    backend: preferred === 'auto' ? undefined : preferred,
    threads: threads ?? undefined,
  });
  const simd = info.name === 'wasm' ? (info.simd ? ', wasm SIMD' : ', wasm') : '';
  return {
    backend: info.name,
    threads: info.threads,
    device: `${info.device}${simd}`,
    fallbacks: info.fallbacksTried.map((f) => `${f.name}: ${f.error}`),
  };
}

/**
 * Threads the backend uses now and the governor's switches so far: initBackend's count is only
 * the start (models/backend/thread-governor.ts drops wasm to 1 thread under load and returns).
 */
export function liveThreads(choice: BackendChoice): { threads: number | null; threadSwitches: number } {
  return { threads: choice.backend === 'wasm' ? wasmThreads() : choice.threads, threadSwitches: threadSwitches().length };
}

export const tfjsVersion: string = tf.version.tfjs;
