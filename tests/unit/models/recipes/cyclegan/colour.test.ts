import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { colourCast } from '../../../../../models/nn/losses';
import { createCycleGanTrainer } from '../../../../../models/recipes/cyclegan/export';
import { loadFaces, tinyConfig, useCpu } from '../../../../helpers/cyclegan-fixtures';

beforeAll(useCpu);

describe('cyclegan colour-cast penalty and extra generator loss', () => {
  it('a global green tint costs twice its size, fine stripes of tint their size; a local grey change (hair going white) costs little', () => {
    const tint = tf.tidy(() => tf.tile(tf.tensor4d([-0.1, 0.2, -0.1], [1, 1, 1, 3]), [1, 32, 32, 1]) as tf.Tensor4D);
    // Top quarter of the image brightens by 0.4 in every channel: grey, so zero chroma.
    const grey = tf.tidy(() => tf.concat([tf.fill([1, 8, 32, 3], 0.4), tf.zeros([1, 24, 32, 3])], 1) as tf.Tensor4D);
    const cast = colourCast(tint).dataSync()[0];
    const hair = colourCast(grey).dataSync()[0];
    expect(cast).toBeCloseTo((2 * (0.1 + 0.2 + 0.1)) / 3, 5);
    // Alternating green/magenta rows average out per 4x4 cell but not per pixel.
    const stripes = tf.tidy(() => tf.tile(tf.tensor4d([-0.1, 0.2, -0.1, 0.1, -0.2, 0.1], [1, 2, 1, 3]), [1, 16, 32, 1]) as tf.Tensor4D);
    expect(colourCast(stripes).dataSync()[0]).toBeCloseTo((0.1 + 0.2 + 0.1) / 3, 5);
    stripes.dispose();
    expect(hair).toBeLessThan(1e-6);
    tf.dispose([tint, grey]);
  });

  it('the trainer reports G_colour and the extra term, and the extra term moves the generator', async () => {
    const faces = await loadFaces(16, 2);
    const ages = new Float32Array([22, 70]);
    let calls = 0;
    const withExtra = await createCycleGanTrainer(tinyConfig(16), {
      extraGeneratorLoss: (x, fake) => {
        calls++;
        expect(fake.shape).toEqual(x.shape);
        return tf.mul(tf.mean(tf.abs(tf.sub(fake, tf.onesLike(fake)))), 100) as tf.Scalar;
      },
    });
    const plain = await createCycleGanTrainer(tinyConfig(16));
    const before = tf.memory().numTensors;
    const a = await withExtra.trainStep({ images: faces.images, ages }, true);
    const b = await plain.trainStep({ images: faces.images, ages }, true);
    expect(calls).toBe(1);
    expect(a.G_extra).toBeGreaterThan(0);
    expect(Number.isFinite(a.G_colour)).toBe(true);
    expect(b.G_extra).toBeUndefined();
    // Same seed, same batch: only the extra term differs, so the generators' weights must differ.
    const diff = tf.tidy(() => {
      const wa = withExtra.gen.params.variables();
      const wb = plain.gen.params.variables();
      return wa.reduce((s, v, i) => s + tf.max(tf.abs(tf.sub(v, wb[i]))).dataSync()[0], 0);
    });
    expect(diff).toBeGreaterThan(0);
    // After the first step (Adam's slots now exist) a step must not leave a tensor behind.
    const burnt = tf.memory().numTensors;
    await withExtra.trainStep({ images: faces.images, ages }, true);
    expect(tf.memory().numTensors).toBe(burnt);
    expect(burnt).toBeGreaterThan(before);
    withExtra.dispose();
    plain.dispose();
    faces.images.dispose();
  });
});
