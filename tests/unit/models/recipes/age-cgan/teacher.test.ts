/**
 * The Age-cGAN's teacher mode (config.teacherWeight, reconstructionWeight): G's shown change
 * G(E(x), y(t)) - G(E(x), y(s)) distils the shipped prototype's delta(s, t), and G(E(x), y(s))
 * learns to reconstruct x. Committed fixture faces at 32 px, the engine's backend.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgeCganAgingModel } from '../../../../../models/recipes/age-cgan/model';
import { AgeCganTrainer, createAgeCganTrainer, loadAgeCganTrainer } from '../../../../../models/recipes/age-cgan/trainer';
import { resolveAgeCganConfig } from '../../../../../models/recipes/age-cgan/config';
import { teacherChanges, type AgeTeacher } from '../../../../../models/recipes/age-cgan/teacher';
import type { AgeCganConfigInput } from '../../../../../models/recipes/age-cgan/config';
import { Encoder, Generator } from '../../../../../models/recipes/age-cgan/networks';
import { loadPrototypeModel } from '../../../../../models/recipes/prototype/checkpoint';
import { initBackend } from '../../../../../models/backend/select';
import { loadFaces } from '../../../../helpers/cyclegan-fixtures';

const PROTOTYPE_DIR = path.join(__dirname, '..', '..', '..', '..', '..', 'assets', 'models', 'prototype');

// The engine's choice (wasm with models/backend's training kernels): several times faster than cpu.
beforeAll(async () => {
  await initBackend();
});

// Tiny networks at 32 px, E trained from step 0 by the joint G step only (no E_pix).
const config = (extra: AgeCganConfigInput = {}): AgeCganConfigInput => ({
  ...{ resolution: 32, zDim: 16, ngf: 8, ndf: 8, nef: 8, maxChannels: 32, seed: 5, ip: { steps: 0 } },
  ...{ encoderStartStep: 0, encoderRealWeight: 0, lrG: 2e-3, lrE: 2e-3, teacherWeight: 10, reconstructionWeight: 1 },
  ...extra,
});

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe('age-cgan teacher', () => {
  it('refuses a teacher weight without a teacher; old configs read it as 0', () => {
    expect(() => new AgeCganTrainer(resolveAgeCganConfig(config()))).toThrow(/needs a teacher/);
    const { teacherWeight: _t, reconstructionWeight: _r, ...old } = resolveAgeCganConfig({ resolution: 32 });
    const t = new AgeCganTrainer(resolveAgeCganConfig(old));
    expect(t.lossNames).not.toContain('G_teacher');
    expect(t.lossNames).not.toContain('G_rec');
    t.dispose();
  });

  it("teacherChanges gives clip(x + delta) - x at x's size", async () => {
    const proto = await loadPrototypeModel(PROTOTYPE_DIR, { strength: 3 });
    const x = tf.fill([2, 32, 32, 3], 0.99) as tf.Tensor4D;
    const d = teacherChanges(proto, x, [20, 20], [70, 20]);
    expect(d.shape).toEqual([2, 32, 32, 3]);
    const v = (await d.data()) as Float32Array;
    const half = v.length / 2;
    expect(Math.max(...v.subarray(0, half))).toBeLessThanOrEqual(0.01 + 1e-6); // cannot go past white
    expect(Math.min(...v.subarray(0, half))).toBeLessThan(-0.05); // older: darker somewhere
    expect(Math.max(...v.subarray(half).map(Math.abs))).toBe(0); // same age: no change
    tf.dispose([x, d]);
    proto.dispose();
  });

  it("G's shown change learns the teacher's, G(E(x), s) learns x, no leak, resume exact", async () => {
    const proto = await loadPrototypeModel(PROTOTYPE_DIR, { strength: 3 });
    const calls: Array<[number, number]> = [];
    // Records the ages it is asked about.
    const teacher: AgeTeacher = { resolution: proto.resolution, difference: (s, t) => (calls.push([s, t]), proto.difference(s, t)) };
    const faces = await loadFaces(32, 4);
    expect(faces.synthetic).toBe(false);
    const batch = { images: faces.images, ages: faces.ages };
    const trainer = await createAgeCganTrainer(config(), { teacher });
    expect(trainer.lossNames).toEqual(expect.arrayContaining(['G_adv', 'G_rec', 'G_teacher', 'E_z']));
    expect(trainer.visualNames).toContain('shown 70');
    const first = await trainer.trainStep(batch, true);
    expect(Object.keys(first).sort()).toEqual([...trainer.lossNames].sort());
    // One teacher call per face: source = its label, target drawn in 5-80.
    expect(calls.length).toBe(faces.ages.length);
    calls.forEach(([s, t], i) => {
      expect(s).toBe(faces.ages[i]);
      expect(t).toBeGreaterThanOrEqual(5);
      expect(t).toBeLessThanOrEqual(80);
    });
    const teacherLoss = [first.G_teacher];
    const recLoss = [first.G_rec];
    const t0 = performance.now();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 80; i++) {
      const l = await trainer.trainStep(batch, true);
      teacherLoss.push(l.G_teacher);
      recLoss.push(l.G_rec);
      for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    }
    console.log(`age-cgan teacher: ${((performance.now() - t0) / 80).toFixed(0)} ms/step; G_teacher ${teacherLoss.map((v) => v.toFixed(3)).join(' ')}; G_rec ${recLoss.map((v) => v.toFixed(3)).join(' ')}`);
    expect(mean(teacherLoss.slice(-5))).toBeLessThan(mean(teacherLoss.slice(0, 5)) * 0.6);
    expect(mean(recLoss.slice(-5))).toBeLessThan(mean(recLoss.slice(0, 5)) * 0.8);
    const grid = await trainer.sampleGrid(batch);
    expect(grid.columns).toEqual([...trainer.visualNames]);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'acgan-teacher-'));
    try {
      await trainer.save(dir);
      await expect(loadAgeCganTrainer(dir)).rejects.toThrow(/needs a teacher/);
      const back = await loadAgeCganTrainer(dir, { teacher });
      expect(back.config.teacherWeight).toBe(10);
      expect(back.config.reconstructionWeight).toBe(1);
      expect(back.step).toBe(trainer.step);
      for (let i = 0; i < 2; i++) {
        const a = await trainer.trainStep(batch, true);
        const b = await back.trainStep(batch, true);
        expect(b).toEqual(a);
      }
      back.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      trainer.dispose();
      faces.images.dispose();
      proto.dispose();
    }
  }, 120_000);

  it('changeScale multiplies the shown change (output - reconstruction) at inference', async () => {
    const changeOf = async (scale: number | undefined) => {
      const c = resolveAgeCganConfig(config({ teacherWeight: 0, changeScale: scale }));
      const m = new AgeCganAgingModel(c, new Generator(c), new Encoder(c));
      const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const { output, reconstruction } = await m.age(x, 25, 65);
      const d = (await tf.sub(output, reconstruction).data()) as Float32Array;
      tf.dispose([x, output, reconstruction]);
      m.dispose();
      return d;
    };
    const one = await changeOf(undefined);
    const two = await changeOf(2);
    expect(Math.max(...one.map(Math.abs))).toBeGreaterThan(1e-4);
    one.forEach((v, i) => expect(two[i]).toBeCloseTo(2 * v, 5));
    expect(() => resolveAgeCganConfig({ changeScale: 0 })).toThrow(/changeScale/);
  });

  it('extraGeneratorLoss sees the shown face x + change and its target condition', async () => {
    const proto = await loadPrototypeModel(PROTOTYPE_DIR, { strength: 3 });
    const faces = await loadFaces(32, 2);
    const shapes: number[][] = [];
    const trainer = await createAgeCganTrainer(config(), {
      teacher: proto,
      // The shown face's mean distance to the input: the size of the change G makes.
      extraGeneratorLoss: (x, shown, y) => {
        shapes.push([...shown.shape], [...y.shape]);
        return tf.mean(tf.abs(tf.sub(shown, x)));
      },
    });
    try {
      expect(trainer.lossNames).toContain('G_extra');
      const l = await trainer.trainStep({ images: faces.images, ages: faces.ages }, true);
      expect(shapes).toEqual([[2, 32, 32, 3], [2, 6]]);
      expect(l.G_extra).toBeGreaterThan(0);
      expect(Number.isFinite(l.G_extra)).toBe(true);
    } finally {
      trainer.dispose();
      faces.images.dispose();
      proto.dispose();
    }
  });
});
