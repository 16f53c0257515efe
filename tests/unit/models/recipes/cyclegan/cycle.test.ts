import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createCycleGanTrainer } from '../../../../../models/recipes/cyclegan/export';
import { ageCodes } from '../../../../../models/recipes/cyclegan/age-code';
import type { CycleGanTrainer } from '../../../../../models/recipes/cyclegan/trainer';
import { loadFaces, tinyConfig, useCpu } from '../../../../helpers/cyclegan-fixtures';

beforeAll(useCpu);

/** Mean |F(G(x)) - x|: each face to the other domain's centre and back to its own age. */
function cycleError(t: CycleGanTrainer, x: tf.Tensor4D, ages: Float32Array): number {
  const domains = t.config.domains;
  const g = domains.length;
  const other = Array.from(ages, (a) => (a < 45 ? 72 : 23));
  return tf.tidy(() => {
    const there = t.gen.translate(x, tf.tensor2d(ageCodes(other, domains), [ages.length, g])).image;
    const back = t.gen.translate(there, tf.tensor2d(ageCodes(ages, domains), [ages.length, g])).image;
    return tf.mean(tf.abs(tf.sub(back, x))).dataSync()[0];
  });
}

describe('cyclegan cycle consistency', () => {
  it('reconstruction error of a freshly initialised (direct) generator falls over a short run', async () => {
    const faces = await loadFaces(16, 2);
    const c = tinyConfig(16);
    c.generator = { ...c.generator, output: 'direct', ngf: 4 };
    c.discriminator = { ...c.discriminator, ndf: 4 };
    c.optim = { ...c.optim, lr: 5e-3 };
    const t = createCycleGanTrainer(c);
    const before = cycleError(t, faces.images, faces.ages);
    const losses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const l = await t.trainStep({ images: faces.images, ages: faces.ages }, true);
      losses.push(l.G_cycle);
    }
    const after = cycleError(t, faces.images, faces.ages);
    console.log('cycle L1 before/after', before.toFixed(3), after.toFixed(3), 'G_cycle', losses.map((v) => v.toFixed(2)).join(' '),
      faces.synthetic ? '(synthetic faces)' : `(fixtures ${faces.files.join(' ')})`);
    expect(after).toBeLessThan(before * 0.8);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    t.dispose();
    faces.images.dispose();
  });
});
