/**
 * The Charbonnier reconstruction distance (config.loss.reconstruction): L1's gradient has the same
 * size however small the residual, so a G that starts as the identity stays there unless another
 * term's gradient is larger; the Charbonnier distance is quadratic near zero and lets a weak term
 * move G. Both halves are checked on the distance itself and on the real trainer.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { charbonnier, l1, reconstructionDistance } from '../../../../../models/nn/losses';
import { createCycleGanTrainer } from '../../../../../models/recipes/cyclegan/export';
import { validateCycleGanConfig } from '../../../../../models/recipes/cyclegan/config';
import { initBackend } from '../../../../../models/backend/select';
import { loadFaces, tinyConfig } from '../../../../helpers/cyclegan-fixtures';



beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

/** d distance(a, b) / d a at one element of residual r (all others equal). */
function slopeAt(dist: (a: tf.Tensor, b: tf.Tensor) => tf.Scalar, r: number): number {
  return tf.tidy(() => {
    const b = tf.zeros([4]);
    const g = tf.grad((a: tf.Tensor) => dist(a, b))(tf.tensor1d([r, 0, 0, 0]));
    return g.dataSync()[0];
  });
}

describe('cyclegan reconstruction distance', () => {
  it('Charbonnier is quadratic near zero and L1-like far away; L1 has a constant slope', () => {
    const s = 0.05;
    const ch = (a: tf.Tensor, b: tf.Tensor) => charbonnier(a, b, s);
    // Mean over 4 elements: L1's slope is 1/4 at any residual, even 1e-4.
    expect(slopeAt(l1, 1e-4)).toBeCloseTo(0.25, 5);
    expect(slopeAt(l1, 0.5)).toBeCloseTo(0.25, 5);
    // Charbonnier: r / s / 4 near zero (5e-4 at r = 1e-4), 0.25 * r / sqrt(r^2 + s^2) far away.
    expect(slopeAt(ch, 1e-4)).toBeCloseTo(1e-4 / s / 4, 6);
    expect(slopeAt(ch, 0.5)).toBeGreaterThan(0.24);
    // Value: ~r^2 / 2s near zero, ~|r| - s far away (per element, then the mean over 4).
    const v = (r: number) => tf.tidy(() => ch(tf.tensor1d([r, 0, 0, 0]), tf.zeros([4])).dataSync()[0] * 4);
    expect(v(0.005)).toBeCloseTo(0.005 ** 2 / (2 * s), 5);
    expect(v(2)).toBeCloseTo(2 - s, 2);
    expect(reconstructionDistance(undefined, undefined)).toBe(l1);
  });

  it('rejects an unknown distance or a bad scale', () => {
    const c = tinyConfig(16);
    expect(() => validateCycleGanConfig({ ...c, loss: { ...c.loss, reconstruction: 'l2' as never } })).toThrow(/reconstruction/);
    expect(() => validateCycleGanConfig({ ...c, loss: { ...c.loss, reconstruction: 'charbonnier', reconstructionScale: 0 } })).toThrow(
      /reconstructionScale/,
    );
  });

  it('on a G one step away from the identity, the identity term pulls its head with L1 and barely with Charbonnier', async () => {
    const faces = await loadFaces(16, 2);
    const c = tinyConfig(16, { targetSampling: 'centre', seed: 5 });
    c.generator = { ...c.generator, output: 'residual' };
    // Adam's first step moves every weight by about lr: a tenth of the default keeps G near the identity.
    c.optim = { ...c.optim, lr: 2e-5 };
    // One step with a pull towards a brighter face moves the zeroed head off the identity.
    const t = await createCycleGanTrainer(c, {
      extraGeneratorLoss: (x, fake) => tf.mul(l1(fake, tf.add(x, 0.2)), 3) as tf.Scalar,
    });
    await t.trainStep({ images: faces.images, ages: faces.ages }, false);
    const head = t.gen.params.variables().find((v) => v.name.includes('head.w'));
    if (!head) throw new Error('no head.w variable');
    const code = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const headSlope = (dist: (a: tf.Tensor, b: tf.Tensor) => tf.Scalar) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => dist(t.gen.translate(faces.images, code).image, faces.images), [head]);
        return Math.sqrt(tf.sum(tf.square(grads[head.name])).dataSync()[0]);
      });
    const residual = tf.tidy(() => tf.mean(tf.abs(tf.sub(t.gen.translate(faces.images, code).image, faces.images))).dataSync()[0]);
    const withL1 = headSlope(l1);
    const withCharbonnier = headSlope(reconstructionDistance('charbonnier', 0.05));
    expect(residual).toBeGreaterThan(0);
    expect(residual).toBeLessThan(0.05);
    expect(withL1).toBeGreaterThan(0);
    // Near zero the Charbonnier slope is residual / s of L1's, so under a fifth here.
    expect(withCharbonnier).toBeLessThan(0.2 * withL1);
    tf.dispose([code]);
    t.dispose();
    faces.images.dispose();
  }, 60_000);
});
