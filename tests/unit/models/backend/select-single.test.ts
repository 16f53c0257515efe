/** threads: 1 loads the single-threaded SIMD build without touching worker_threads (own process). */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../models/backend/select';

describe('initBackend with one thread', () => {
  it('starts wasm with 1 thread and trains a conv layer', async () => {
    const info = await initBackend({ backend: 'wasm', threads: 1 });
    expect(info).toMatchObject({ name: 'wasm', threads: 1, simd: true, fallbacksTried: [] });
    expect(info.threadsNote).toBeUndefined();
    const x = tf.randomNormal([1, 12, 12, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.variable(tf.randomNormal([3, 3, 4, 6], 0, 0.1, 'float32', 2));
    const opt = tf.train.sgd(0.1);
    const loss = () => tf.mean(tf.square(tf.conv2d(x, w as unknown as tf.Tensor4D, 2, 'same'))) as tf.Scalar;
    const before = (await loss().data())[0];
    for (let i = 0; i < 5; i++) opt.minimize(loss);
    expect((await loss().data())[0]).toBeLessThan(before);
  });
});
