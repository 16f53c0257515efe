import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FaceDataset } from '../../../../../models/data/face-dataset';
import { loadAgeClassifier } from '../../../../../models/recipes/age-classifier/model';
import { evaluateAgeClassifier } from '../../../../../models/recipes/age-classifier/evaluate';
import { exportAgeClassifier } from '../../../../../models/recipes/age-classifier/export';
import { groupCentres } from '../../../../../models/recipes/age-classifier/trainer';
import { spreadAges, syntheticSource, tinyClassifierTrainer, useCpu } from '../../../../helpers/train-fixtures';

let dir = '';
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(path.join(tmpdir(), 'age-classifier-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('age classifier', () => {
  const ages = spreadAges(10);
  const source = syntheticSource(ages, 16, 5);
  const train = new FaceDataset(source, { split: 'train', resolution: 16, seed: 1 });
  const val = new FaceDataset(source, { split: 'val', resolution: 16, jitter: null });

  it('learns a tiny set: loss falls, val accuracy beats guessing, no tensor leak per step', async () => {
    const t = tinyClassifierTrainer(ages);
    const ce: number[] = [];
    const counts: number[] = [];
    for (let s = 0; s < 60; s++) {
      const b = await train.batch(s, 16);
      const out = await t.trainStep(b, s % 5 === 0 || s === 59);
      b.images.dispose();
      if (out.ce !== undefined) ce.push(out.ce);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    const first = ce.slice(0, 2).reduce((a, b) => a + b) / 2;
    const last = ce.slice(-2).reduce((a, b) => a + b) / 2;
    expect(last).toBeLessThan(first * 0.7);
    const m = await evaluateAgeClassifier(t.net, t.config.groups, t.config.centres, val.sequential(32));
    expect(m.faces).toBe(16);
    expect(m.accuracy).toBeGreaterThan(m.majorityBaseline + 0.2);
    expect(m.mae).toBeLessThan(15);

    await t.save(path.join(dir, 'ckpt'), { totalSteps: 60 });
    t.dispose();
    const out = path.join(dir, 'shipped');
    const { bytes } = await exportAgeClassifier(path.join(dir, 'ckpt'), out, {
      data: 'synthetic test faces.', trainHours: 0.01, hardware: 'test', backend: 'cpu', trainFaces: train.size, valFaces: val.size, val: m,
    });
    // fp16: half the float32 checkpoint's weights file.
    expect((await stat(path.join(out, 'age-classifier.bin'))).size).toBe((await stat(path.join(dir, 'ckpt', 'age-classifier.bin'))).size / 2);
    expect(bytes).toBeGreaterThan(0);
    expect(await readFile(path.join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/non-commercial research/);

    // The shipped (fp16) classifier: same verdicts, differentiable w.r.t. its input, frozen weights.
    const clf = await loadAgeClassifier(out);
    const m16 = await evaluateAgeClassifier(
      { logits: (x: tf.Tensor4D) => clf.logits(x) } as never, clf.groups, [...clf.centres], val.sequential(32));
    expect(Math.abs(m16.accuracy - m.accuracy)).toBeLessThanOrEqual(0.05);
    const batch = await val.fixedBatch(4);
    const up = tf.image.resizeBilinear(batch.images, [32, 32]) as tf.Tensor4D; // a GAN at another resolution
    const g = tf.grad((x) => tf.sum(clf.expectedAge(x as tf.Tensor4D)))(up);
    expect((await tf.max(tf.abs(g)).data())[0]).toBeGreaterThan(0);
    const ea = await clf.expectedAge(batch.images).data();
    for (const a of ea) {
      expect(a).toBeGreaterThan(Math.min(...clf.centres) - 1e-3);
      expect(a).toBeLessThan(Math.max(...clf.centres) + 1e-3);
    }
    // With blur, a 2-pixel checkerboard added to the faces changes nothing: nothing to exploit.
    const blurred = await loadAgeClassifier(out, { blur: true });
    const checker = tf.tidy(() => {
      const [n, r] = batch.images.shape;
      const v = new Float32Array(n * r * r * 3).map((_, i) => {
        const p = Math.floor(i / 3);
        return ((p % r) + Math.floor(p / r) % r) % 2 ? 0.3 : -0.3;
      });
      return tf.add(batch.images, tf.tensor4d(v, batch.images.shape)) as tf.Tensor4D;
    });
    const [l0, l1, l2, l3] = [blurred.logits(batch.images), blurred.logits(checker), clf.logits(checker), clf.logits(batch.images)];
    const [a0, a1, a2, a3] = await Promise.all([l0.data(), l1.data(), l2.data(), l3.data()]);
    a0.forEach((v, i) => expect(a1[i]).toBeCloseTo(v, 4));
    // Without blur the same checkerboard does move the logits.
    expect(Math.max(...Array.from(a2, (v, i) => Math.abs(v - a3[i])))).toBeGreaterThan(1e-3);
    tf.dispose([checker, l0, l1, l2, l3]);
    blurred.dispose();
    // Frozen: an optimizer that collects every trainable variable finds none in the classifier.
    const opt = tf.train.adam(0.1);
    expect(() => opt.minimize(() => tf.sum(clf.logits(batch.images)) as tf.Scalar)).toThrow(/connection between any variable/);
    tf.dispose([batch.images, up, g]);
    opt.dispose();
    clf.dispose();
    expect(groupCentres([5, 7, 25])[0]).toBe(6);
  });
});
