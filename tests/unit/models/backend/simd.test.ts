/**
 * The wasm SIMD module (models/backend/wasm-kernels/simd-module.ts) behind instance norm, its
 * gradient and the ReLU/LeakyReLU gradient on wasm: it loads on the backend's (shared) memory, and
 * the kernels match the cpu backend's JS loops within 1e-4 relative, on channel counts that take
 * the SIMD path (multiples of 4), batch > 1, odd sizes, and element counts with a scalar tail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../../models/backend/select';
import { INSTANCE_NORM, INSTANCE_NORM_GRAD, LEAKY_RELU_GRAD } from '../../../../models/backend/fused-kernels';
import { simdKernels, winogradKernels } from '../../../../models/backend/wasm-kernels/simd-module';
import { relErr } from '../../../helpers/engine-helpers';

beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm', threads: 2 });
  expect(info.name).toBe('wasm');
});

async function onBoth(shape: number[], f: (xs: tf.Tensor[]) => tf.Tensor[], n = 3): Promise<Record<string, Float32Array[]>> {
  const out: Record<string, Float32Array[]> = {};
  for (const be of ['cpu', 'wasm']) {
    await tf.setBackend(be);
    const xs = Array.from({ length: n }, (_, i) => tf.randomNormal(shape, i === 0 ? 0.7 : 0, 1 + i, 'float32', 31 + i));
    const ys = f(xs);
    out[be] = await Promise.all(ys.map(async (y) => (await y.data()) as Float32Array));
    tf.dispose([...xs, ...ys]);
  }
  await tf.setBackend('wasm');
  return out;
}

describe('wasm SIMD module', () => {
  it('instantiates on the backend memory', async () => {
    await tf.setBackend('wasm');
    const k = simdKernels((tf.backend() as BackendWasm).wasm);
    expect(k).not.toBeNull();
    const names = Object.keys(k!);
    for (const f of ['affine', 'colsqdev', 'colsum', 'colsum2', 'ingrad', 'lrelugrad']) expect(names).toContain(f);
    for (const r of [3, 4]) expect(winogradKernels(k!, r)).not.toBeNull();
  });

  it.each([
    [1, 5, 7, 4],
    [2, 9, 3, 8],
    [1, 16, 16, 32],
    [3, 3, 2, 12], // (on 1 or 2 pixels y and dx are exactly 0: rounding noise on both backends)
  ])('instance norm and its gradient on [%i, %i, %i, %i] match cpu', async (...shape) => {
    const r = await onBoth(shape, ([x, dy]) => {
      const [y, rstd] = tf.engine().runKernel(INSTANCE_NORM, { x }, { eps: 1e-5 }) as tf.Tensor[];
      const dx = tf.engine().runKernel(INSTANCE_NORM_GRAD, { dy, y, rstd }, {}) as tf.Tensor;
      return [y, rstd, dx];
    });
    r.wasm.forEach((w, i) => expect(relErr(w, r.cpu[i])).toBeLessThan(1e-4));
  });

  it.each([
    [[2, 3, 5, 4], 0.2],
    [[1, 7, 3, 3], 0.2], // 63 values: 60 in SIMD, a tail of 3 in JS
    [[1, 4, 4, 8], 0],
  ] as Array<[number[], number]>)('activation gradient on %o (alpha %s) equals x > 0 ? dy : alpha * dy', async (shape, alpha) => {
    const r = await onBoth(shape, ([x, dy]) => {
      const zeroed = tf.where(tf.less(tf.abs(x), 0.3), tf.zerosLike(x), x); // exact zeros take the alpha branch
      return [tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x: zeroed }, { alpha }) as tf.Tensor];
    });
    expect(relErr(r.wasm[0], r.cpu[0])).toBe(0);
  });

  it.each([
    [[2, 5, 7, 8], [0, 1, 2], false],
    [[1, 9, 3, 4], [0, 1, 2], true],
    [[6, 12], [0], false],
    [[2, 5, 7, 6], [0, 1, 2], false], // C % 4 != 0: stock kernel
    [[2, 5, 7, 8], [1, 2], true], // not every leading axis: stock kernel
  ] as Array<[number[], number[], boolean]>)('Sum of %o over %o (keepDims %s) and LeakyReLU match cpu', async (shape, axis, keepDims) => {
    const r = await onBoth(shape, ([x]) => [tf.sum(x, axis, keepDims), tf.leakyRelu(x, 0.2)], 1);
    expect(r.wasm[0].length).toBe(r.cpu[0].length);
    expect(relErr(r.wasm[0], r.cpu[0])).toBeLessThan(1e-5);
    // (cpu multiplies by alpha as a double, wasm, stock or ours, as a float32: 1 ulp apart)
    expect(relErr(r.wasm[1], r.cpu[1])).toBeLessThan(1e-7);
  });

  // Winograd F(2x2, 3x3) (wasm-kernels/winograd.ts): 3x3 stride-1 convs with channels in and out
  // multiples of 4 (>= 16) and an even output; an odd output falls back to XNNPACK's convolution.
  it.each([
    [2, 10, 12, 16, 20, 'valid'],
    [1, 8, 8, 32, 16, 'same'],
    [1, 9, 7, 16, 16, 1],
    [2, 9, 9, 16, 16, 'valid'], // odd output: one extra tile row and column, cropped
    // fewer than 8 output channels: the shift form of narrow-conv.ts (7x7 -> 3 like the generator's head; 4x4 -> 1)
    [2, 13, 11, 8, 3, 'valid'],
    [1, 10, 9, 5, 3, 'same'],
    [1, 9, 9, 12, 1, 1],
    // 4x4 stride 1, pad 1 (written -1; the PatchGAN's fourth layer): Winograd F(2x2, 4x4), odd and even outputs
    [1, 10, 10, 16, 20, -1],
    [2, 9, 11, 20, 16, -1],
  ] as Array<[number, number, number, number, number, 'valid' | 'same' | number]>)(
    'conv2d [%i, %i, %i, %i] -> %i channels, pad %s: forward (with bias), input and filter gradients match cpu',
    async (b, h, w, c, k, pad) => {
      const r = await onBoth([b, h, w, c], ([x]) => {
        const fk = pad === -1 ? 4 : k < 8 ? (k === 1 ? 4 : 7) : 3;
        const p = pad === -1 ? 1 : pad;
        const f = tf.randomNormal([fk, fk, c, k], 0, 0.2, 'float32', 41);
        const bias = tf.randomNormal([k], 0, 1, 'float32', 42);
        const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: p, bias });
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 43);
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, g as tf.Tensor4D, 1, p), dy)))([x, f]);
        return [y, tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, p), ...grads];
      }, 1);
      r.wasm.forEach((v, i) => expect(relErr(v, r.cpu[i])).toBeLessThan(1e-4));
    },
  );
});
