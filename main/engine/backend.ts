/**
 * Engine-side tfjs backend initialisation.
 *
 * Stand-in until models/backend/select.ts (initBackend) lands: tries the requested backend, else
 * wasm then cpu. The native tfjs-node(-gpu) packages are optional and not bundled here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../../preload/schemas/system';

export interface BackendChoice {
  backend: BackendName;
  threads: number | null;
  device: string;
}

export async function initEngineBackend(
  preferred: 'auto' | BackendName,
  threads: number | null,
): Promise<BackendChoice> {
  const order: BackendName[] = preferred === 'auto' || preferred.startsWith('tensorflow') ? ['wasm', 'cpu'] : [preferred];
  if (!order.includes('cpu')) order.push('cpu');
  for (const name of order) {
    if (name === 'wasm' && threads !== null) setThreadsCount(threads);
    const ok = await tf.setBackend(name).catch(() => false);
    if (!ok) continue;
    await tf.ready();
    if (name === 'wasm') {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      return { backend: 'wasm', threads: getThreadsCount(), device: `CPU (wasm${simd ? ' SIMD' : ''})` };
    }
    return { backend: 'cpu', threads: 1, device: 'CPU (plain JS)' };
  }
  throw new Error('no tfjs backend could be initialised');
}

export const tfjsVersion: string = tf.version.tfjs;
