/**
 * The tfjs-node(-gpu) path without a GPU or the native packages (issue 22): fake modules stand in
 * for @tensorflow/tfjs-node-gpu and @tensorflow/tfjs-node. Loading one "registers" a 'tensorflow'
 * backend (a CPU backend under that name, with the cpu kernels copied to it and a binding that
 * says whether a CUDA device is in use), throws at load (the package or CUDA's libraries missing),
 * or registers a backend whose first operation throws (a CUDA mismatch found on the first kernel).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { initBackend, startNativeBackend } from '../../../../models/backend/select';

type Fake = 'ok-gpu' | 'ok-cpu' | 'missing' | 'throws-at-load' | 'throws-on-first-op';

function fakeNative(kinds: Record<string, Fake>): { load: (pkg: string) => unknown; loaded: string[] } {
  const loaded: string[] = [];
  const load = (pkg: string) => {
    loaded.push(pkg);
    const kind = kinds[pkg] ?? 'missing';
    if (kind === 'missing') throw Object.assign(new Error(`Cannot find module '${pkg}'\nRequire stack:\n- x.js`), { code: 'MODULE_NOT_FOUND' });
    if (kind === 'throws-at-load') throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    const gpu = kind === 'ok-gpu' || kind === 'throws-on-first-op';
    tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { binding: { isUsingGpuDevice: () => gpu } }), 0);
    for (const k of tf.getKernelsForBackend('cpu')) {
      const kernelFunc: tf.KernelFunc = kind === 'throws-on-first-op'
        ? () => {
          throw new Error('CUDA_ERROR_UNSUPPORTED_PTX_VERSION');
        }
        : k.kernelFunc;
      tf.registerKernel({ ...k, backendName: 'tensorflow', kernelFunc });
    }
    return {};
  };
  return { load, loaded };
}

afterEach(async () => {
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
  if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
  if (!tf.findBackend('cpu') || tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
});

describe('startNativeBackend with fake native modules', () => {
  it('loads OK: the tensorflow backend is current and computes', async () => {
    const fake = fakeNative({ '@tensorflow/tfjs-node-gpu': 'ok-gpu' });
    await startNativeBackend('tensorflow-gpu', fake.load);
    expect(fake.loaded).toEqual(['@tensorflow/tfjs-node-gpu']);
    expect(tf.getBackend()).toBe('tensorflow');
    expect(Array.from(tf.add(tf.scalar(1), tf.scalar(2)).dataSync())).toEqual([3]);
  });

  it('not installed: says it is optional and what a GPU machine installs', async () => {
    const fake = fakeNative({});
    await expect(startNativeBackend('tensorflow-gpu', fake.load)).rejects.toThrow(
      /^@tensorflow\/tfjs-node-gpu is not installed \(optional; `npm install @tensorflow\/tfjs-node-gpu` on Linux x64 with an NVIDIA driver, CUDA 11\.2 and cuDNN 8\.1\)$/,
    );
  });

  it('throws at load: names the error and what the package needs', async () => {
    const fake = fakeNative({ '@tensorflow/tfjs-node-gpu': 'throws-at-load' });
    await expect(startNativeBackend('tensorflow-gpu', fake.load)).rejects.toThrow(/did not load \(libcudart\.so\.11\.0: cannot open.*\); it needs .*CUDA 11\.2 and cuDNN 8\.1/);
    expect(tf.findBackend('tensorflow')).toBeNull();
  });

  it('throws on the first operation: fails here (not in the middle of an import), and forgets the broken backend', async () => {
    const fake = fakeNative({ '@tensorflow/tfjs-node-gpu': 'throws-on-first-op' });
    await expect(startNativeBackend('tensorflow-gpu', fake.load)).rejects.toThrow(/started but its first operation failed \(CUDA_ERROR_UNSUPPORTED_PTX_VERSION\)/);
    expect(tf.findBackend('tensorflow')).toBeNull();
  });
});

describe('initBackend with fake native modules', () => {
  it('a GPU build failing on its first op falls back to tfjs-node, reporting why', async () => {
    const fake = fakeNative({ '@tensorflow/tfjs-node-gpu': 'throws-on-first-op' });
    const both = {
      load: (pkg: string) => {
        if (pkg === '@tensorflow/tfjs-node') {
          for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
          return fakeNative({ '@tensorflow/tfjs-node': 'ok-cpu' }).load(pkg);
        }
        return fake.load(pkg);
      },
    };
    const info = await initBackend({ loadNative: both.load });
    expect(info.name).toBe('tensorflow');
    expect(info.device).toMatch(/native TensorFlow$/);
    expect(info.fallbacksTried).toEqual([{ name: 'tensorflow-gpu', error: expect.stringMatching(/first operation failed/) }]);
    expect(tf.getBackend()).toBe('tensorflow');
  });
});
