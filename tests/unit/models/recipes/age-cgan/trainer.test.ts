import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../../models/backend/select';
import { mkdtemp, rm, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createAgeCganTrainer, loadAgeCganTrainer } from '../../../../../models/recipes/age-cgan/trainer';
import { loadAgeCganModel } from '../../../../../models/recipes/age-cgan/model';
import type { AgeCganConfigInput } from '../../../../../models/recipes/age-cgan/config';
import { Discriminator, Encoder, Generator } from '../../../../../models/recipes/age-cgan/networks';
import { resolveAgeCganConfig } from '../../../../../models/recipes/age-cgan/config';
import type { FaceBatch } from '../../../../../models/core/trainer';

// Small widths keep a step well under a second.
const tiny = (resolution: number, extra: AgeCganConfigInput = {}): AgeCganConfigInput => ({
  resolution,
  zDim: 16,
  ngf: 8,
  ndf: 8,
  nef: 8,
  maxChannels: 32,
  encoderStartStep: 0,
  ip: { steps: 0 },
  ...extra,
});

function batchOf(n: number, r: number, seed: number): FaceBatch {
  const images = tf.tidy(() => tf.clipByValue(tf.randomNormal([n, r, r, 3], 0, 0.5, 'float32', seed), -1, 1)) as tf.Tensor4D;
  return { images, ages: Float32Array.from({ length: n }, (_, i) => (i * 23 + seed * 7) % 80) };
}

async function values(vars: tf.Variable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
}

let dir = '';
beforeAll(async () => {
  // The engine's choice (wasm here, with models/backend's training kernels): 5x faster than cpu.
  await initBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'age-cgan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Age-cGAN networks', () => {
  it.each([64, 128])('have the documented shapes at %i px', (r) => {
    const c = resolveAgeCganConfig(tiny(r));
    const G = new Generator(c);
    const D = new Discriminator(c);
    const E = new Encoder(c);
    tf.tidy(() => {
      const z = tf.randomNormal([2, c.zDim]) as tf.Tensor2D;
      const y = tf.tensor2d([[1, 0, 0, 0, 0, 0], [0, 0, 0.5, 0.5, 0, 0]]);
      const x = G.apply(z, y);
      expect(x.shape).toEqual([2, r, r, 3]);
      expect(D.apply(x, y).shape).toEqual([2, 1]);
      expect(E.apply(x).shape).toEqual([2, c.zDim]);
      const [lo, hi] = [tf.min(x).dataSync()[0], tf.max(x).dataSync()[0]];
      expect(lo).toBeGreaterThanOrEqual(-1);
      expect(hi).toBeLessThanOrEqual(1);
    });
    [G, D, E].forEach((n) => n.dispose());
  });
});

describe('AgeCganTrainer', () => {
  it('trains with finite losses and leaks no tensor per step', async () => {
    const t = await createAgeCganTrainer(tiny(64));
    const b = batchOf(2, 64, 1);
    const first = await t.trainStep(b, true); // burn-in: creates Adam slots
    expect(Object.keys(first).sort()).toEqual([...t.lossNames].sort());
    const before = tf.memory().numTensors;
    const losses = await t.trainStep(b, true);
    expect(tf.memory().numTensors).toBe(before);
    await t.trainStep(b, false);
    expect(tf.memory().numTensors).toBe(before);
    for (const v of Object.values(losses)) expect(Number.isFinite(v)).toBe(true);
    expect(t.step).toBe(3);
    const grid = await t.sampleGrid(b);
    expect(grid.columns).toEqual([...t.visualNames]);
    expect(grid.width).toBe(64 * t.visualNames.length);
    expect(grid.height).toBe(64 * 2);
    expect(grid.rgb.length).toBe(grid.width * grid.height * 3);
    expect(tf.memory().numTensors).toBe(before);
    b.images.dispose();
    t.dispose();
  });

  it('resumes exactly: save, load, step gives identical weights', async () => {
    const a = await createAgeCganTrainer(tiny(32));
    const b1 = batchOf(2, 32, 2);
    const b2 = batchOf(2, 32, 3);
    await a.trainStep(b1, true);
    await a.trainStep(b2, true);
    const ck = path.join(dir, 'ck');
    await a.save(ck, { metrics: { fid: 1.5 }, totalSteps: 10 });
    const meta = JSON.parse(await readFile(path.join(ck, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'face-age-checkpoint', kind: 'age-cgan', step: 2, totalSteps: 10, metrics: { fid: 1.5 } });
    expect(meta.config.resolution).toBe(32);
    expect((await readdir(ck)).sort()).toEqual(
      ['D.bin', 'D.json', 'E.bin', 'E.json', 'G.bin', 'G.json', 'meta.json', 'optim-D.bin', 'optim-D.json', 'optim-E.bin', 'optim-E.json', 'optim-G.bin', 'optim-G.json'],
    );
    const b = await loadAgeCganTrainer(ck);
    expect(b.step).toBe(2);
    expect(b.config).toEqual(a.config);
    await a.trainStep(b1, false);
    await b.trainStep(b1, false);
    for (const net of ['G', 'D', 'E'] as const) {
      const va = await values(a[net].params.variables());
      const vb = await values(b[net].params.variables());
      va.forEach((v, i) => expect(Array.from(vb[i])).toEqual(Array.from(v)));
    }
    // The resumed model ages a face exactly as the original does.
    await b.save(path.join(dir, 'ck3'));
    const model = await loadAgeCganModel(path.join(dir, 'ck3'));
    const face = tf.slice(b1.images, 0, 1) as tf.Tensor4D;
    const r1 = await model.age(face, 30, 70);
    expect(r1.output.shape).toEqual([1, 32, 32, 3]);
    expect(r1.reconstruction.shape).toEqual([1, 32, 32, 3]);
    const expected = tf.tidy(() => a.G.apply(a.E.apply(face), tf.tensor2d([[0, 0, 0, 0, 0, 1]])));
    expect(Array.from(await r1.output.data())).toEqual(Array.from(await expected.data()));
    tf.dispose([r1.output, r1.reconstruction, expected, face, b1.images, b2.images]);
    model.dispose();
    a.dispose();
    b.dispose();
  });

  it('runs the phases: E from encoderStartStep, G and D only until ganStopStep', async () => {
    const t = await createAgeCganTrainer(tiny(32, { encoderStartStep: 1, ganStopStep: 2, mismatchWeight: 0, encoderRealWeight: 0 }));
    const b = batchOf(2, 32, 4);
    const snap = async () => ({ G: await values(t.G.params.variables()), D: await values(t.D.params.variables()), E: await values(t.E.params.variables()) });
    const changed = (x: Float32Array[], y: Float32Array[]) => x.some((v, i) => v.some((e, j) => e !== y[i][j]));
    const s0 = await snap();
    expect(Object.keys(await t.trainStep(b, true)).sort()).toEqual(['D_fake', 'D_real', 'G_adv']);
    const s1 = await snap();
    expect(changed(s0.G, s1.G) && changed(s0.D, s1.D)).toBe(true);
    expect(changed(s0.E, s1.E)).toBe(false);
    expect(Object.keys(await t.trainStep(b, true)).sort()).toEqual(['D_fake', 'D_real', 'E_z', 'G_adv']);
    const s2 = await snap();
    expect(Object.keys(await t.trainStep(b, true))).toEqual(['E_z']);
    const s3 = await snap();
    expect(changed(s2.G, s3.G) || changed(s2.D, s3.D)).toBe(false);
    expect(changed(s2.E, s3.E)).toBe(true);
    b.images.dispose();
    t.dispose();
  });

  it('rejects a batch of the wrong resolution and a checkpoint of another kind', async () => {
    const t = await createAgeCganTrainer(tiny(32));
    const b = batchOf(2, 64, 5);
    await expect(t.trainStep(b, false)).rejects.toThrow(/32 px/);
    await expect(loadAgeCganTrainer(path.join(dir, 'nothing-here'))).rejects.toThrow(/not an Age-cGAN checkpoint/);
    b.images.dispose();
    t.dispose();
  });
});
