import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { asShown } from '../../../../models/eval/evaluate';
import { useCpu } from '../../../helpers/cyclegan-fixtures';

beforeAll(useCpu);

describe('eval measures what the studio shows', () => {
  it('a low-resolution model contributes only its change, on the sharp input', () => {
    // Sharp input: a checkerboard the 4 px model cannot reproduce.
    const x = tf.tidy(() => tf.tile(tf.tensor4d([0.5, -0.5, -0.5, 0.5], [1, 2, 2, 1]), [1, 4, 4, 3]) as tf.Tensor4D);
    const out = tf.fill([1, 4, 4, 3], 0.3) as tf.Tensor4D;
    const rec = tf.fill([1, 4, 4, 3], 0.1) as tf.Tensor4D;
    const shown = asShown(x, out, rec);
    expect(shown.shape).toEqual([1, 8, 8, 3]);
    const diff = tf.tidy(() => tf.sub(shown, x));
    expect(tf.min(diff).dataSync()[0]).toBeCloseTo(0.2, 5);
    expect(tf.max(diff).dataSync()[0]).toBeCloseTo(0.2, 5);
    tf.dispose([shown, diff]);
  });

  it('clips to [-1, 1], and without a reconstruction shows the output resized', () => {
    const x = tf.fill([1, 8, 8, 3], 0.9) as tf.Tensor4D;
    const out = tf.fill([1, 4, 4, 3], 0.5) as tf.Tensor4D;
    const rec = tf.fill([1, 4, 4, 3], -0.5) as tf.Tensor4D;
    const clipped = asShown(x, out, rec);
    expect(tf.max(clipped).dataSync()[0]).toBe(1);
    const direct = asShown(x, out, null);
    expect(direct.shape).toEqual([1, 8, 8, 3]);
    expect(tf.max(tf.abs(tf.sub(direct, 0.5))).dataSync()[0]).toBeLessThan(1e-6);
    const before = tf.memory().numTensors;
    asShown(x, out, rec).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, out, rec, clipped, direct]);
  });
});
