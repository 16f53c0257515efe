import { faceMask } from '../../../../../models/recipes/prototype/model';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  agingModelOfTrainer,
  createCycleGanTrainer,
  exportCycleGanModel,
  loadCycleGanTrainer,
} from '../../../../../models/recipes/cyclegan/export';
import { loadCycleGanModel } from '../../../../../models/recipes/cyclegan/model';
import { readCycleGanMeta } from '../../../../../models/recipes/cyclegan/checkpoint';
import type { CycleGanTrainer } from '../../../../../models/recipes/cyclegan/trainer';
import { loadFaces, tinyConfig, useCpu, type Faces } from '../../../../helpers/cyclegan-fixtures';

let tmp = '';
let faces: Faces;
beforeAll(async () => {
  await useCpu();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cyclegan-'));
  faces = await loadFaces(16, 2);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  faces.images.dispose();
});

async function weights(t: CycleGanTrainer): Promise<Float32Array[]> {
  const vars = [...t.gen.params.variables(), ...t.disc.params.variables()];
  return Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
}

describe('cyclegan save / load / resume', () => {
  it('a resumed run takes exactly the steps of the uninterrupted run', async () => {
    const batch = { images: faces.images, ages: faces.ages };
    const config = tinyConfig(16, { poolSize: 2 });
    config.generator.ngf = 4;
    const a = createCycleGanTrainer(config);
    await a.trainStep(batch, true);
    const dir = path.join(tmp, 'ckpt');
    await a.save(dir, { metrics: { note: 1 } });
    const meta = await readCycleGanMeta(dir);
    expect(meta.kind).toBe('cyclegan');
    expect(meta.step).toBe(1);
    expect(meta.config).toEqual(a.config);
    expect(Object.keys(meta.losses).sort()).toEqual([...a.lossNames].sort());
    expect(meta.metrics).toEqual({ note: 1 });
    // The pool is full (capacity 2), so its random swaps matter from here on.
    expect(a.pool.size).toBe(2);
    const la = await a.trainStep(batch, true);
    const wa = await weights(a);

    const b = await loadCycleGanTrainer(dir);
    expect(b.step).toBe(1);
    expect(b.pool.size).toBe(2);
    const lb = await b.trainStep(batch, true);
    const wb = await weights(b);
    expect(lb).toEqual(la);
    expect(wb.length).toBe(wa.length);
    for (let i = 0; i < wa.length; i++) expect(wb[i]).toEqual(wa[i]);
    a.dispose();
    b.dispose();
  });

  it('exports a float16 model that ages faces like the trainer and leaks nothing', async () => {
    const batch = { images: faces.images, ages: faces.ages };
    const t = createCycleGanTrainer(tinyConfig(16));
    const untrained = agingModelOfTrainer(t);
    const u = await untrained.age(faces.images, 24, 70);
    expect(u.reconstruction).toBeNull();
    expect(tf.max(tf.abs(tf.sub(u.output, faces.images))).dataSync()[0]).toBe(0);
    u.output.dispose();
    await t.trainStep(batch, false);
    await t.trainStep(batch, false);
    const dir = path.join(tmp, 'export');
    await exportCycleGanModel(t, dir);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['G.bin', 'G.json', 'meta.json']);
    const gBytes = statSync(path.join(dir, 'G.bin')).size;
    expect(gBytes).toBe(t.gen.params.count() * 2);

    const model = await loadCycleGanModel(dir);
    expect(model.kind).toBe('cyclegan');
    expect(model.resolution).toBe(16);
    const ref = await agingModelOfTrainer(t).age(faces.images, 24, 70);
    const before = tf.memory().numTensors;
    const got = await model.age(faces.images, 24, 70);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(got.output.shape).toEqual(faces.images.shape);
    expect(got.reconstruction?.shape).toEqual(faces.images.shape);
    const err = tf.max(tf.abs(tf.sub(got.output, ref.output))).dataSync()[0];
    expect(err).toBeLessThan(0.02); // float16 weights
    // The trained model changes the face, and the output stays a valid image.
    expect(tf.max(tf.abs(tf.sub(got.output, faces.images))).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.max(tf.abs(got.output)).dataSync()[0]).toBeLessThanOrEqual(1);
    // Any input size: resized to the model's resolution and back.
    const big = tf.image.resizeBilinear(faces.images, [24, 24]) as tf.Tensor4D;
    const gotBig = await model.age(big, 24, 70);
    expect(gotBig.output.shape).toEqual([2, 24, 24, 3]);
    const ctl = new AbortController();
    ctl.abort();
    await expect(model.age(faces.images, 24, 70, { signal: ctl.signal })).rejects.toThrow();
    // changeScale in the export's meta scales the shown change (output - reconstruction).
    const metaPath = path.join(dir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeScale: 1.5 } }));
    const strong = await loadCycleGanModel(dir);
    const s = await strong.age(faces.images, 24, 70);
    const want = tf.add(got.reconstruction as tf.Tensor, tf.mul(tf.sub(got.output, got.reconstruction as tf.Tensor), 1.5));
    expect(tf.max(tf.abs(tf.sub(s.output, want))).dataSync()[0]).toBeLessThan(1e-5);
    // changeScaleFar takes over at gaps of 40+ (24 -> 70: 46 years), linearly from a 20-year gap (24 -> 54: 1.3).
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeScale: 1.5, changeScaleFar: 1.1 } }));
    const far = await loadCycleGanModel(dir);
    const f = await far.age(faces.images, 24, 70);
    const wantFar = tf.add(got.reconstruction as tf.Tensor, tf.mul(tf.sub(got.output, got.reconstruction as tf.Tensor), 1.1));
    expect(tf.max(tf.abs(tf.sub(f.output, wantFar))).dataSync()[0]).toBeLessThan(1e-5);
    const mid = await far.age(faces.images, 24, 54);
    const plainMid = await model.age(faces.images, 24, 54);
    const wantMid = tf.add(plainMid.reconstruction as tf.Tensor, tf.mul(tf.sub(plainMid.output, plainMid.reconstruction as tf.Tensor), 1.3));
    expect(tf.max(tf.abs(tf.sub(mid.output, wantMid))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([f.output, f.reconstruction as tf.Tensor, wantFar, mid.output, mid.reconstruction as tf.Tensor, plainMid.output, plainMid.reconstruction as tf.Tensor, wantMid]);
    far.dispose();
    // changeChroma 0 leaves a grey change (equal in R, G, B); changeTone 'keep' a change of zero mean colour over the face.
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeChroma: 0 } }));
    const grey = await loadCycleGanModel(dir);
    const gr = await grey.age(faces.images, 24, 70);
    const gd = tf.sub(gr.output, gr.reconstruction as tf.Tensor);
    const [dr, dg, db] = tf.split(gd, 3, -1);
    expect(tf.max(tf.abs(tf.sub(dr, dg))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(dg, db))).dataSync()[0]).toBeLessThan(1e-5);
    const luma = (t: tf.Tensor) => tf.sum(tf.mul(t, tf.tensor1d([0.299, 0.587, 0.114])), -1);
    const plainD = tf.sub(got.output, got.reconstruction as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(luma(gd), luma(plainD)))).dataSync()[0]).toBeLessThan(1e-5);
    grey.dispose();
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeTone: 'keep' } }));
    const kept = await loadCycleGanModel(dir);
    const kp = await kept.age(faces.images, 24, 70);
    const kd = tf.sub(kp.output, kp.reconstruction as tf.Tensor);
    const side = faces.images.shape[1];
    const mask = tf.tensor4d(faceMask(side), [1, side, side, 1]);
    const meanColour = tf.div(tf.sum(tf.mul(kd, mask), [1, 2]), tf.sum(mask));
    expect(tf.max(tf.abs(meanColour)).dataSync()[0]).toBeLessThan(1e-4);
    const wantKeep = tf.sub(plainD, tf.div(tf.sum(tf.mul(plainD, mask), [1, 2], true), tf.sum(mask)));
    expect(tf.max(tf.abs(tf.sub(kd, wantKeep))).dataSync()[0]).toBeLessThan(1e-5);
    kept.dispose();
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeChroma: -1 } }));
    await expect(loadCycleGanModel(dir)).rejects.toThrow(/changeChroma/);
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeScaleFar: 0 } }));
    await expect(loadCycleGanModel(dir)).rejects.toThrow(/changeScaleFar/);
    writeFileSync(metaPath, JSON.stringify({ ...meta, config: { ...meta.config, changeScale: -1 } }));
    await expect(loadCycleGanModel(dir)).rejects.toThrow(/changeScale/);
    tf.dispose([s.output, s.reconstruction as tf.Tensor, want]);
    strong.dispose();
    tf.dispose([got.output, got.reconstruction as tf.Tensor, ref.output, ref.reconstruction as tf.Tensor, big, gotBig.output, gotBig.reconstruction as tf.Tensor]);
    model.dispose();
    t.dispose();
  });
});
