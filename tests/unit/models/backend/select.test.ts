/**
 * Backend selection: the override is honoured, unavailable native backends are reported as
 * fallbacks with their errors, and wasm runs with real XNNPACK threads under Node.
 * (initBackend chooses once per process; vitest runs each test file in its own process.)
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendName } from '../../../../models/backend/select';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';

const req = createRequire(import.meta.url);
const workerThreads = req('node:worker_threads') as { Worker: unknown };
const os = req('node:os') as { cpus: () => unknown[] };
const originalWorker = workerThreads.Worker;
const originalCpus = os.cpus;
const realCpuCount = os.cpus().length;

describe('initBackend', () => {
  it('falls back from tensorflow-gpu to wasm with 2 threads, reporting why', async () => {
    const info = await initBackend({ backend: 'tensorflow-gpu', threads: 2 });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBe(2);
    expect(getThreadsCount()).toBe(2);
    expect(info.simd).toBe(true);
    // More than one thread: a ThreadGovernor is hooked into the backend (adaptiveThreads default).
    expect(Object.prototype.hasOwnProperty.call(tf.backend(), 'makeOutput')).toBe(true);
    expect(info.device).toMatch(/^CPU: /);
    // Neither native package can be installed on this machine: both failures are listed in order.
    expect(info.fallbacksTried.map((f) => f.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    for (const f of info.fallbacksTried) expect(f.error).toMatch(/Cannot find module|not/i);
    // The thread set-up patches node:worker_threads and node:os only while the backend starts.
    expect(workerThreads.Worker).toBe(originalWorker);
    expect(os.cpus).toBe(originalCpus);
    expect(os.cpus().length).toBe(realCpuCount);
    // Chosen once: a second call returns the same choice even with other options.
    expect(await initBackend({ backend: 'cpu' })).toBe(info);
  });

  it('computes correctly with the threaded wasm build (large conv vs cpu)', async () => {
    await initBackend({ threads: 2 });
    const x = tf.randomNormal([1, 40, 40, 64], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 64, 96], 0, 1, 'float32', 2) as tf.Tensor4D;
    const onWasm = await tf.conv2d(x, w, 1, 'same').data();
    await tf.setBackend('cpu');
    const onCpu = await tf.conv2d(tf.tensor(await x.data(), x.shape) as tf.Tensor4D, tf.tensor(await w.data(), w.shape) as tf.Tensor4D, 1, 'same').data();
    await tf.setBackend('wasm');
    let err = 0;
    let mag = 0;
    for (let i = 0; i < onCpu.length; i++) {
      err = Math.max(err, Math.abs(onWasm[i] - onCpu[i]));
      mag = Math.max(mag, Math.abs(onCpu[i]));
    }
    expect(err / mag).toBeLessThan(1e-5);
  });

  it('parses the FACE_AGE_BACKEND values', () => {
    expect(parseBackendName('wasm')).toBe('wasm');
    expect(parseBackendName('auto')).toBeUndefined();
    expect(parseBackendName('')).toBeUndefined();
    expect(() => parseBackendName('webgpu')).toThrow(/unknown backend/);
  });
});
