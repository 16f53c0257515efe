import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryFaceSource, SPLIT_TRAIN, SPLIT_VAL } from '../../../../../models/data/face-source';
import { computeMeanFaces, interpolationWeights } from '../../../../../models/recipes/prototype/means';
import { PrototypeAgingModel, faceMask, gaussianBlur } from '../../../../../models/recipes/prototype/model';
import { buildPrototypeModel, loadPrototypeModel, savePrototype } from '../../../../../models/recipes/prototype/checkpoint';

const S = 8;
const N = S * S * 3;

/** Face i: pixel (y, x, c) = (i * 7 + y * 5 + x * 3 + c * 11) mod 256: asymmetric, so flips show. */
function syntheticSource(ages: number[], splits: number[]): MemoryFaceSource {
  const px = new Uint8Array(ages.length * N);
  ages.forEach((_, i) => {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) px[i * N + (y * S + x) * 3 + c] = (i * 7 + y * 5 + x * 3 + c * 11) % 256;
  });
  return new MemoryFaceSource(S, px, Float32Array.from(ages), Uint8Array.from(splits));
}

describe('computeMeanFaces', () => {
  const ages = [22, 27, 25, 44, 61, 23];
  const splits = [SPLIT_TRAIN, SPLIT_TRAIN, SPLIT_TRAIN, SPLIT_TRAIN, SPLIT_TRAIN, SPLIT_VAL];
  const source = syntheticSource(ages, splits);

  it('averages the train faces of each group (val faces excluded), anchors at the mean label', async () => {
    const means = await computeMeanFaces(source, { flip: false });
    expect(means.map((m) => [m.lo, m.count])).toEqual([[20, 3], [40, 1], [60, 1]]);
    expect(means[0].anchorAge).toBeCloseTo((22 + 27 + 25) / 3, 10);
    const face = (i: number) => source.pixels.subarray(i * N, (i + 1) * N);
    for (let j = 0; j < N; j++) expect(means[0].pixels[j]).toBeCloseTo((face(0)[j] + face(1)[j] + face(2)[j]) / 3, 4);
    for (let j = 0; j < N; j++) expect(means[1].pixels[j]).toBe(face(3)[j]);
  });

  it('with flip, averages each face with its mirror image (the mean is symmetric)', async () => {
    const [m] = await computeMeanFaces(source, { flip: true, edges: [0] });
    const at = (y: number, x: number, c: number) => m.pixels[(y * S + x) * 3 + c];
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) expect(at(y, x, c)).toBeCloseTo(at(y, S - 1 - x, c), 4);
    expect(m.count).toBe(5);
  });
});

describe('interpolationWeights', () => {
  const anchors = [10, 25, 45];
  it('is linear between anchors and clamped outside', () => {
    expect(interpolationWeights(anchors, 5)).toEqual([[0, 1]]);
    expect(interpolationWeights(anchors, 50)).toEqual([[2, 1]]);
    expect(interpolationWeights(anchors, 25)).toEqual([[1, 1]]);
    const w = interpolationWeights(anchors, 30);
    expect(w[0][0]).toBe(1);
    expect(w[0][1]).toBeCloseTo(0.75, 10);
    expect(w[1]).toEqual([2, 0.25]);
  });
});

describe('PrototypeAgingModel', () => {
  // Two groups: a dark young mean and a bright old mean.
  const young = { lo: 20, hi: 30, anchorAge: 25, count: 500, pixels: new Float32Array(N).fill(60) };
  const old = { lo: 60, hi: 70, anchorAge: 65, count: 300, pixels: new Float32Array(N).fill(160) };

  it('returns the input unchanged at the source age, and no reconstruction', async () => {
    tf.setBackend('cpu');
    const model = new PrototypeAgingModel([young, old], S, { sigma: 1, mask: 'face' });
    const x = tf.randomUniform([2, S, S, 3], -0.9, 0.9) as tf.Tensor4D;
    for (const age of [10, 25, 40, 80]) {
      const { output, reconstruction } = await model.age(x, age, age);
      expect(reconstruction).toBeNull();
      expect(Array.from(await output.data())).toEqual(Array.from(await x.data()));
      output.dispose();
    }
    x.dispose();
  });

  it('adds the mean difference interpolated by age (no mask, no low-pass)', async () => {
    const model = new PrototypeAgingModel([young, old], S, { sigma: 0, mask: 'none', strength: 1 });
    const x = tf.zeros([1, S, S, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { output } = await model.age(x, 25, 45); // halfway: +50 levels
    expect(tf.memory().numTensors).toBe(before + 1);
    for (const v of await output.data()) expect(v).toBeCloseTo(50 / 127.5, 5);
    output.dispose();
    // Younger goes the other way, clamped ages beyond the anchors.
    const back = await model.age(x, 90, 0);
    for (const v of await back.output.data()) expect(v).toBeCloseTo(-100 / 127.5, 5);
    back.output.dispose();
    // Another input size: the difference is resized to it.
    const big = tf.zeros([1, 2 * S, 2 * S, 3]) as tf.Tensor4D;
    const r = await model.age(big, 25, 65);
    expect(r.output.shape).toEqual([1, 2 * S, 2 * S, 3]);
    for (const v of await r.output.data()) expect(v).toBeCloseTo(100 / 127.5, 5);
    r.output.dispose();
    x.dispose();
    big.dispose();
  });

  it('keeps the crop corners unchanged with the face mask', async () => {
    const model = new PrototypeAgingModel([young, old], S, { sigma: 0, mask: 'face' });
    const d = model.difference(25, 65);
    expect(d[0]).toBe(0); // top-left corner
    const centre = ((S / 2) * S + S / 2) * 3;
    expect(d[centre]).toBeCloseTo(100 / 127.5, 5);
    const m = faceMask(64);
    expect(m[0]).toBe(0);
    expect(m[32 * 64 + 32]).toBe(1);
  });

  it('low-pass keeps a constant and the mean of an impulse', () => {
    const c = gaussianBlur(new Float32Array(N).fill(0.3), S, 1.5);
    for (const v of c) expect(v).toBeCloseTo(0.3, 5);
    const imp = new Float32Array(16 * 16 * 3);
    imp[(8 * 16 + 8) * 3] = 1;
    const b = gaussianBlur(imp, 16, 1);
    let sum = 0;
    for (let i = 0; i < b.length; i += 3) sum += b[i];
    expect(sum).toBeCloseTo(1, 4);
    expect(b[(8 * 16 + 8) * 3]).toBeLessThan(0.2);
  });
});

describe('buildPrototypeModel / save / load', () => {
  it('drops small groups, and a saved prototype reloads with 8-bit means and the same options', async () => {
    const source = syntheticSource([22, 27, 25, 44, 61, 63], [0, 0, 0, 0, 0, 0]);
    const model = await buildPrototypeModel(source, { minGroupFaces: 2, sigma: 0.5, strength: 1.5 });
    expect(model.means.map((m) => m.lo)).toEqual([20, 60]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proto-'));
    try {
      await savePrototype(model, dir, { note: 'test' });
      expect(readdirSync(dir).sort()).toEqual(['mean-20-30.png', 'mean-60-70.png', 'meta.json']);
      const back = await loadPrototypeModel(dir);
      expect(back.options).toEqual(model.options);
      expect(back.means.map((m) => [m.anchorAge, m.count])).toEqual(model.means.map((m) => [Number(m.anchorAge.toFixed(3)), m.count]));
      for (let g = 0; g < 2; g++) {
        for (let j = 0; j < N; j++) expect(Math.abs(back.means[g].pixels[j] - model.means[g].pixels[j])).toBeLessThanOrEqual(0.5 + 1e-4);
      }
      expect((await loadPrototypeModel(dir, { sigma: 3 })).options.sigma).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped prototype (assets/models/prototype)', () => {
  it('holds aggregates of at least 200 faces per group, ages monotone, and changes a face only inside the mask', async () => {
    tf.setBackend('cpu');
    const model = await loadPrototypeModel(path.join(__dirname, '..', '..', '..', '..', '..', 'assets', 'models', 'prototype'));
    expect(model.resolution).toBe(128);
    expect(model.means.length).toBeGreaterThanOrEqual(8);
    for (const m of model.means) expect(m.count).toBeGreaterThanOrEqual(200);
    const anchors = model.means.map((m) => m.anchorAge);
    expect([...anchors].sort((a, b) => a - b)).toEqual(anchors);
    const x = tf.randomUniform([1, 128, 128, 3], -0.8, 0.8, 'float32', 7) as tf.Tensor4D;
    const same = await model.age(x, 33, 33);
    expect(Array.from(await same.output.data())).toEqual(Array.from(await x.data()));
    const older = await model.age(x, 25, 70);
    const diff = tf.tidy(() => tf.mean(tf.abs(tf.sub(older.output, x))).dataSync()[0]);
    expect(diff).toBeGreaterThan(0.01); // a visible change, not the identity
    // Corners (background) are left alone by the face mask.
    const corner = tf.tidy(() => tf.max(tf.abs(tf.slice(tf.sub(older.output, x), [0, 0, 0, 0], [1, 4, 4, 3]))).dataSync()[0]);
    expect(corner).toBe(0);
    for (const t of [x, same.output, older.output]) t.dispose();
  });
});

describe('prototype tone', () => {
  it("'keep' removes the overall colour shift of the difference but keeps its relative changes", async () => {
    const { PrototypeAgingModel: Model, faceMask: mask } = await import('../../../../../models/recipes/prototype/model');
    const S = 16;
    // Old mean: 40 levels lighter everywhere, plus a darker band (a shadow) in the middle rows.
    const young = { lo: 20, hi: 30, anchorAge: 25, count: 10, pixels: new Float32Array(S * S * 3).fill(100) };
    const old = { lo: 60, hi: null, anchorAge: 70, count: 10, pixels: new Float32Array(S * S * 3).fill(140) };
    for (let y = 6; y < 10; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) old.pixels[(y * S + x) * 3 + c] = 120;
    const plain = new Model([young, old], S, { sigma: 0, mask: 'face', strength: 1, tone: 'transfer' });
    const keep = new Model([young, old], S, { sigma: 0, mask: 'face', strength: 1, tone: 'keep' });
    const w = mask(S);
    const weightedMean = (d: Float32Array) => {
      let s = 0;
      let t = 0;
      for (let p = 0; p < S * S; p++) {
        s += d[p * 3] * w[p];
        t += w[p] * w[p];
      }
      return s / t;
    };
    const dp = plain.difference(25, 70);
    const dk = keep.difference(25, 70);
    expect(weightedMean(dp)).toBeGreaterThan(0.2);
    expect(Math.abs(weightedMean(dk))).toBeLessThan(0.01);
    // The shadow band is still darker than the rest of the face, by the same amount.
    const centre = (y: number) => (y * S + 8) * 3;
    expect(dk[centre(8)] - dk[centre(4)]).toBeCloseTo(dp[centre(8)] - dp[centre(4)], 5);
    expect(keep.difference(40, 40).every((v) => v === 0)).toBe(true);
  });
});

describe('prototype strength by age gap', () => {
  it('uses strength up to a 20-year gap, strengthFar from 40, linear between', async () => {
    const { strengthAtGap } = await import('../../../../../models/recipes/prototype/model');
    const o = { strength: 3, strengthFar: 2 };
    expect(strengthAtGap(o, 0)).toBe(3);
    expect(strengthAtGap(o, 20)).toBe(3);
    expect(strengthAtGap(o, 30)).toBeCloseTo(2.5, 6);
    expect(strengthAtGap(o, 40)).toBe(2);
    expect(strengthAtGap(o, 70)).toBe(2);
    expect(strengthAtGap({ strength: 1.5 }, 60)).toBe(1.5);
  });
});

describe("prototype tone 'relative'", () => {
  it('a face half as bright as the source prototype gets half the change; no tensor is left behind', async () => {
    const { PrototypeAgingModel: Model } = await import('../../../../../models/recipes/prototype/model');
    const S = 16;
    const young = { lo: 20, hi: 30, anchorAge: 25, count: 10, pixels: new Float32Array(S * S * 3).fill(160) };
    const old = { lo: 60, hi: null, anchorAge: 70, count: 10, pixels: new Float32Array(S * S * 3).fill(160) };
    for (let y = 6; y < 10; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) old.pixels[(y * S + x) * 3 + c] = 130;
    const model = new Model([young, old], S, { sigma: 0, mask: 'face', strength: 1, tone: 'relative' });
    // Brightness 160/255 (like the prototype) and 80/255, as [-1, 1] pixels.
    const level = (v: number) => (v / 255) * 2 - 1;
    const faces = tf.concat([tf.fill([1, S, S, 3], level(160)), tf.fill([1, S, S, 3], level(80))]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const { output } = await model.age(faces, 25, 70);
    const change = tf.tidy(() => tf.sum(tf.abs(tf.sub(output, faces)), [1, 2, 3]).arraySync() as number[]);
    expect(change[0]).toBeGreaterThan(0);
    expect(change[1] / change[0]).toBeCloseTo(0.5, 2);
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
    faces.dispose();
  });
});
