/**
 * Engine-side backend start-up: delegates to models/backend/select.ts (initBackend), which tries
 * tensorflow-gpu > tensorflow > wasm > cpu, or the user's override first, and reports fallbacks.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../models/backend/select';
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

export const tfjsVersion: string = tf.version.tfjs;
