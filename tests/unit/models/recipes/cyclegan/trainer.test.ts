import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCycleGanTrainer } from '../../../../../models/recipes/cyclegan/export';
import { AgeGenerator } from '../../../../../models/recipes/cyclegan/networks';
import { AgeDiscriminator, patchReceptiveField } from '../../../../../models/recipes/cyclegan/networks';
import { defaultCycleGanConfig } from '../../../../../models/recipes/cyclegan/config';
import { AgeClassifierNet } from '../../../../../models/recipes/age-classifier/networks';
import { frozenAgeClassifier } from '../../../../../models/recipes/age-classifier/model';
import { DEFAULT_AGE_GROUPS } from '../../../../../models/data/age-bins';
import { loadFaces, tinyConfig, useCpu } from '../../../../helpers/cyclegan-fixtures';

beforeAll(useCpu);

describe('cyclegan networks', () => {
  it('generator keeps the image shape at 32 and 64 px and starts as the exact identity', () => {
    const c = tinyConfig(32);
    const g = new AgeGenerator(c);
    for (const res of [32, 64]) {
      const x = tf.randomUniform([2, res, res, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const code = tf.tensor2d([1, 0, 0, 1], [2, 2]);
      const { image, mask } = g.translate(x, code);
      expect(image.shape).toEqual([2, res, res, 3]);
      expect(mask?.shape).toEqual([2, res, res, 1]);
      expect(tf.max(tf.abs(tf.sub(image, x))).dataSync()[0]).toBe(0);
      tf.dispose([x, code, image, mask as tf.Tensor]);
    }
    g.dispose();
  });

  it('direct output is not the identity and stays in [-1, 1]', () => {
    const g = new AgeGenerator({ ...tinyConfig(16), generator: { ...tinyConfig(16).generator, output: 'direct' } });
    const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const code = tf.tensor2d([[1, 0]]);
    const y = g.translate(x, code).image;
    expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBeGreaterThan(0.1);
    expect(tf.max(tf.abs(y)).dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([x, code, y]);
    g.dispose();
  });

  it('the 3-layer PatchGAN gives 14x14 scores at 128 px, with a 70x70 receptive field', () => {
    const c = defaultCycleGanConfig(128);
    c.discriminator.ndf = 4;
    const d = new AgeDiscriminator(c);
    const x = tf.randomUniform([1, 128, 128, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const code = tf.tensor2d([[0.3, 0.7]]);
    const out = d.apply(x, code);
    expect(out.shape).toEqual([1, 14, 14, 1]);
    expect(patchReceptiveField(3)).toBe(70);
    tf.dispose([x, code, out]);
    d.dispose();
  });

  it('projection D scores depend on the age code', () => {
    const c = tinyConfig(32);
    const d = new AgeDiscriminator(c);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
    const diff = tf.tidy(() => {
      const a = d.apply(x, tf.tensor2d([[1, 0]]));
      const b = d.apply(x, tf.tensor2d([[0, 1]]));
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    });
    expect(diff).toBeGreaterThan(0);
    x.dispose();
    d.dispose();
  });
});

describe('cyclegan training step', () => {
  it('gives finite losses, leaks no tensors after a burn-in step, and fills a sample grid', async () => {
    const faces = await loadFaces(16, 2);
    const config = tinyConfig(16);
    config.generator.ngf = 4;
    const t = createCycleGanTrainer(config);
    expect(t.resolution).toBe(16);
    const batch = { images: faces.images, ages: faces.ages };
    const first = await t.trainStep(batch, true);
    expect(Object.keys(first).sort()).toEqual([...t.lossNames].sort());
    for (const v of Object.values(first)) expect(Number.isFinite(v)).toBe(true);
    const before = tf.memory().numTensors;
    await t.trainStep(batch, false);
    expect(tf.memory().numTensors).toBe(before);
    const l = await t.trainStep(batch, true);
    expect(tf.memory().numTensors).toBe(before);
    for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
    expect(t.step).toBe(3);
    // After training, the generator is no longer the identity.
    expect(l.G_cycle).toBeGreaterThan(0);
    // The age code reaches the generator (FiLM weights got gradients) and changes its output.
    const film = t.gen.params.get('block0.a.film');
    expect(tf.tidy(() => tf.max(tf.abs(film)).dataSync()[0])).toBeGreaterThan(0);
    const codeEffect = tf.tidy(() => {
      const young = t.gen.translate(faces.images, tf.tensor2d([1, 0, 1, 0], [2, 2])).image;
      const old = t.gen.translate(faces.images, tf.tensor2d([0, 1, 0, 1], [2, 2])).image;
      return tf.max(tf.abs(tf.sub(young, old))).dataSync()[0];
    });
    expect(codeEffect).toBeGreaterThan(0);

    const grid = await t.sampleGrid(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(grid.columns).toEqual(['input', 'young', 'old', 'cycle', 'mask']);
    expect(grid.width).toBe(16 * 5);
    expect(grid.height).toBe(16 * 2);
    expect(grid.rgb.length).toBe(16 * 5 * 16 * 2 * 3);
    t.dispose();
    faces.images.dispose();
  });

  it('drops faces outside every age domain and skips a batch with none', async () => {
    const t = createCycleGanTrainer(tinyConfig(16));
    const images = tf.zeros([2, 16, 16, 3]) as tf.Tensor4D;
    expect(await t.trainStep({ images, ages: Float32Array.from([40, 45]) }, true)).toEqual({});
    expect(t.step).toBe(0);
    t.dispose();
    images.dispose();
  });

  it('adds the frozen age classifier loss and never changes the classifier', async () => {
    const faces = await loadFaces(16, 2);
    const net = new AgeClassifierNet({ inputSize: 16, width: 4, hidden: 8, groups: DEFAULT_AGE_GROUPS.edges.length });
    const classifier = frozenAgeClassifier(net, DEFAULT_AGE_GROUPS, [6, 16, 25, 35, 45, 55, 65, 75]);
    const c = tinyConfig(16);
    c.generator.ngf = 4;
    const t = createCycleGanTrainer(c, { classifier });
    expect(t.lossNames).toContain('G_age');
    const before = await Promise.all(net.params.variables().map((v) => v.data()));
    const l = await t.trainStep({ images: faces.images, ages: faces.ages }, true);
    expect(Number.isFinite(l.G_age)).toBe(true);
    expect(l.G_age).toBeGreaterThan(0);
    const after = await Promise.all(net.params.variables().map((v) => v.data()));
    after.forEach((a, i) => expect(a).toEqual(before[i]));
    t.dispose();
    classifier.dispose();
    faces.images.dispose();
  });

  it('trains small first (progressive schedule), resizing larger batches', async () => {
    const faces = await loadFaces(32, 2);
    const c = tinyConfig(32, { resolutionSchedule: [{ untilStep: 1, resolution: 16 }] });
    c.discriminator = { ...c.discriminator, nLayers: 2 };
    c.generator.ngf = 4;
    const t = createCycleGanTrainer(c);
    expect(t.resolution).toBe(16);
    await t.trainStep({ images: faces.images, ages: faces.ages }, false);
    expect(t.resolution).toBe(32);
    expect(t.pool.serialize().imageSize).toBe(16 * 16 * 3);
    t.dispose();
    faces.images.dispose();
  });
});
