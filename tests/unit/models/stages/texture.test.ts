import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryFaceSource, SPLIT_TRAIN } from '../../../../models/data/face-source';
import { PrototypeAgingModel } from '../../../../models/recipes/prototype/model';
import { loadEvalModel } from '../../../../models/eval/load-model';
import type { Point } from '../../../../models/face/affine';
import { CANONICAL_POINTS } from '../../../../models/face/template';
import { MAX_DETAIL_CROP, cropSizeFor } from '../../../../main/engine/ops/aging-core';
import { buildPrototypeModel, savePrototype } from '../../../../models/recipes/prototype/checkpoint';
import { TexturedAgingModel } from '../../../../models/stages/textured-model';
import { CORING, TEXTURE_BANDS, TEXTURE_SIGMAS, blurTensor, detailAmplitudes, loadTextureStage, textureChange, textureGains, textureStageFromMeans } from '../../../../models/stages/texture';

const S = 32;
const N = S * S * 3;

/** Grey face with vertical stripes of the given contrast (0: flat) and a period of 2 px. */
function stripes(contrast: number): Uint8Array {
  const px = new Uint8Array(N);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) px[(y * S + x) * 3 + c] = 128 + (x % 2 === 0 ? contrast : -contrast);
  return px;
}

/** Detail energy inside the central quarter of [1, S, S, 3]: sum of squared differences of neighbours. */
async function centreDetail(t: tf.Tensor4D): Promise<number> {
  const d = await t.data();
  let e = 0;
  for (let y = S / 4; y < (3 * S) / 4; y++) {
    for (let x = S / 4; x < (3 * S) / 4; x++) {
      const a = d[(y * S + x) * 3];
      const b = d[(y * S + x + 1) * 3];
      e += (a - b) ** 2;
    }
  }
  return e;
}

describe('detailAmplitudes', () => {
  it('is zero for a flat face and grows with the contrast of fine detail', () => {
    const flat = detailAmplitudes(stripes(0), S);
    expect(flat.length).toBe(TEXTURE_BANDS * S * S);
    expect(Math.max(...flat)).toBeLessThan(1e-6);
    const weak = detailAmplitudes(stripes(10), S);
    const strong = detailAmplitudes(stripes(40), S);
    const centre = (S / 2) * S + S / 2;
    expect(weak[centre]).toBeGreaterThan(0.02);
    expect(strong[centre] / weak[centre]).toBeCloseTo(4, 1);
  });

  it('with mirror, the maps are left-right symmetric', () => {
    const px = stripes(20);
    for (let y = 0; y < S; y++) for (let x = 0; x < S / 2; x++) for (let c = 0; c < 3; c++) px[(y * S + x) * 3 + c] = 128;
    const a = detailAmplitudes(px, S, true);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) expect(a[y * S + x]).toBeCloseTo(a[y * S + (S - 1 - x)], 6);
    const b = detailAmplitudes(px, S, false);
    expect(b[(S / 2) * S + 2]).toBeLessThan(b[(S / 2) * S + S - 3]);
  });

  it('gains are the clamped amplitude ratio to the power of the strength, 1 outside the face', () => {
    const from = new Float32Array(TEXTURE_BANDS * S * S).fill(0.02);
    const to = new Float32Array(TEXTURE_BANDS * S * S).fill(0.04);
    const g = textureGains(from, to, S, 1);
    const centre = ((S / 2) * S + S / 2) * TEXTURE_BANDS;
    expect(g[centre]).toBeCloseTo((0.04 + 0.004) / (0.02 + 0.004), 5);
    expect(textureGains(from, to, S, 1.5)[centre]).toBeCloseTo(((0.04 + 0.004) / (0.02 + 0.004)) ** 1.5, 4);
    expect(g[0]).toBe(1); // crop corner: outside the face mask
    expect(textureGains(from, new Float32Array(from.length).fill(1), S, 1)[centre]).toBe(3);
  });
});

describe('textureChange', () => {
  it('at 4x the means\' size (levels shrunk before blurring) matches blurring at full size within 5%', async () => {
    tf.setBackend('cpu');
    const H = 4 * S;
    // Smooth random texture at several scales, so every band has content.
    const noise = tf.tidy(() => {
      const n = tf.randomUniform([1, H / 8, H / 8, 3], -0.5, 0.5, 'float32', 7) as tf.Tensor4D;
      return tf.add(tf.image.resizeBilinear(n, [H, H]), tf.randomUniform([1, H, H, 3], -0.2, 0.2, 'float32', 8)) as tf.Tensor4D;
    });
    const gains = new Float32Array(S * S * TEXTURE_BANDS);
    for (let q = 0; q < S * S; q++) {
      gains[q * TEXTURE_BANDS] = 2;
      gains[q * TEXTURE_BANDS + 1] = 0.5;
    }
    const fast = tf.tidy(() => textureChange(noise, gains, S, S));
    const direct = tf.tidy(() => {
      const lum = tf.sum(tf.mul(noise, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D;
      const lv = TEXTURE_SIGMAS.map((sg) => blurTensor(lum, sg * 4));
      // The amplified band is cored (detail under the noise floor left as it is), the smoothed one not.
      const fine = tf.sub(lv[0], lv[1]);
      const cored = tf.sub(fine, tf.clipByValue(fine, -CORING, CORING));
      return tf.add(tf.mul(cored, 1), tf.mul(tf.sub(lv[1], lv[2]), -0.5)) as tf.Tensor4D;
    });
    // Away from the zero-padded border.
    const inner = (t: tf.Tensor4D) => tf.slice(t, [0, 16, 16, 0], [1, H - 32, H - 32, 1]);
    const err = tf.tidy(() => tf.mean(tf.abs(tf.sub(inner(fast), inner(direct)))).dataSync()[0]);
    const mag = tf.tidy(() => tf.mean(tf.abs(inner(direct))).dataSync()[0]);
    expect(mag).toBeGreaterThan(0.01);
    expect(err / mag).toBeLessThan(0.05);
    tf.dispose([noise, fast, direct]);
  });
});

describe('the texture stage', () => {
  // Young faces are smooth, old faces have strong fine detail; both the same mean grey.
  const ages = [22, 24, 26, 64, 66, 68];
  const faces = [stripes(2), stripes(3), stripes(2), stripes(30), stripes(25), stripes(35)];
  const px = new Uint8Array(ages.length * N);
  faces.forEach((f, i) => px.set(f, i * N));
  const source = new MemoryFaceSource(S, px, Float32Array.from(ages), new Uint8Array(ages.length).fill(SPLIT_TRAIN));

  it('amplifies a face\'s own detail when ageing and smooths it when rejuvenating, on top of the model', async () => {
    tf.setBackend('cpu');
    const proto = await buildPrototypeModel(source, { textureMaps: true, sigma: 0, strength: 1, edges: [0, 40] });
    expect(proto.means.every((m) => m.texture?.length === TEXTURE_BANDS * S * S)).toBe(true);
    const model = new TexturedAgingModel(proto, textureStageFromMeans(proto.means, S, 1));
    const input = tf.tensor4d(Float32Array.from(stripes(8), (v) => v / 127.5 - 1), [1, S, S, 3]);
    const before = await centreDetail(input);
    const aged = await model.age(input, 25, 66);
    const younger = await model.age(input, 66, 25);
    const same = await model.age(input, 30, 30);
    expect(await centreDetail(aged.output)).toBeGreaterThan(before * 2);
    expect(await centreDetail(younger.output)).toBeLessThan(before / 2);
    const x = await input.data();
    (await same.output.data()).forEach((v, i) => expect(v).toBeCloseTo(x[i], 5));
    // Without the stage: only the (here zero) mean difference, the detail stays as it was.
    const p = await proto.age(input, 25, 66);
    expect(await centreDetail(p.output)).toBeCloseTo(before, 3);
    // At twice the size the bands scale with it: ageing still adds detail there.
    const big = tf.image.resizeNearestNeighbor(input, [2 * S, 2 * S]) as tf.Tensor4D;
    const bigAged = await model.age(big, 25, 66);
    expect(bigAged.output.shape).toEqual([1, 2 * S, 2 * S, 3]);
    const grown = tf.sub(bigAged.output, big);
    expect(Math.max(...(await tf.abs(grown).data()))).toBeGreaterThan(0.05);
    tf.dispose([input, aged.output, younger.output, same.output, p.output, big, bigAged.output, grown]);
  });

  it('amplifies a crease but not faint grain: detail under the noise floor is left as it is', async () => {
    tf.setBackend('cpu');
    // Faint 1-level grain everywhere (JPEG, sensor) and one strong 20-level crease across the face.
    const px = new Float32Array(N);
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const grain = (x + y) % 2 === 0 ? 1 : -1;
        const crease = y === S / 2 ? -20 : 0;
        for (let c = 0; c < 3; c++) px[(y * S + x) * 3 + c] = (128 + grain + crease) / 127.5 - 1;
      }
    }
    const M = 8;
    const gains = new Float32Array(M * M * TEXTURE_BANDS).fill(3);
    const change = tf.tidy(() => textureChange(tf.tensor4d(px, [1, S, S, 3]), gains, M, S));
    const d = await change.data();
    change.dispose();
    const at = (x: number, y: number) => d[y * S + x] * 127.5;
    // Away from the crease the grain is not tripled (at most a fraction of a level added)...
    let grainChange = 0;
    for (let y = 2; y < S / 2 - 6; y++) for (let x = 2; x < S - 2; x++) grainChange = Math.max(grainChange, Math.abs(at(x, y)));
    expect(grainChange).toBeLessThan(0.5);
    // ...while the crease deepens by many levels.
    expect(at(S / 2, S / 2)).toBeLessThan(-10);
  });

  it('keeps a model\'s reconstruction and leaves no tensors behind', async () => {
    const proto = await buildPrototypeModel(source, { textureMaps: true, edges: [0, 40] });
    const seen: number[][] = [];
    const inner = {
      kind: 'fake',
      resolution: S / 2,
      age: async (f: tf.Tensor4D) => {
        seen.push(f.shape.slice());
        return { output: f.clone(), reconstruction: tf.zeros([1, S / 2, S / 2, 3]) as tf.Tensor4D };
      },
      dispose: () => {},
    };
    const model = new TexturedAgingModel(inner, textureStageFromMeans(proto.means, S, 1));
    const input = tf.zeros([1, S, S, 3]) as tf.Tensor4D;
    const n = tf.memory().numTensors;
    const r = await model.age(input, 25, 66);
    expect(r.output.shape).toEqual([1, S, S, 3]);
    expect(r.reconstruction?.shape).toEqual([1, S, S, 3]);
    expect(seen).toEqual([[1, S / 2, S / 2, 3]]); // a change-transfer model runs at its own size
    expect(tf.memory().numTensors).toBe(n + 2);
    tf.dispose([input, r.output, r.reconstruction ?? []].flat());
  });

  it('refuses mean faces without amplitude maps', () => {
    const means = [{ lo: 20, hi: 30, anchorAge: 25, count: 1, pixels: new Float32Array(N) }];
    expect(() => textureStageFromMeans(means, S, 1)).toThrow(/--texture-maps/);
  });

  it('is saved beside the means and reloads exactly; a model folder with it loads textured', async () => {
    const model = await buildPrototypeModel(source, { textureMaps: true, edges: [0, 40] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proto-tex-'));
    try {
      await savePrototype(model, dir, {}, { textureStrength: 0.8 });
      expect(readdirSync(dir).sort()).toEqual(['mean-0-40.png', 'mean-40-up.png', 'meta.json', 'texture.bin', 'texture.json']);
      const stage = await loadTextureStage(dir);
      expect(stage?.strength).toBe(0.8);
      stage?.maps.forEach((m, i) => expect(Array.from(m)).toEqual(Array.from(model.means[i].texture ?? [])));
      const loaded = await loadEvalModel(dir);
      expect(loaded.model).toBeInstanceOf(TexturedAgingModel);
      expect(await loadTextureStage(dir, 0)).toMatchObject({ strength: 0 });
      // Strength 0 in the folder: still wrapped (full-size crops in the studio), adding no texture.
      await savePrototype(model, dir, {}, { textureStrength: 0 });
      const off = (await loadEvalModel(dir)).model as TexturedAgingModel;
      expect(off.texture.strength).toBe(0);
      tf.setBackend('cpu');
      const x = tf.tensor4d(Float32Array.from(stripes(8), (v) => v / 127.5 - 1), [1, S, S, 3]);
      const a = await off.age(x, 25, 66);
      const b = await (off.inner as PrototypeAgingModel).age(x, 25, 66);
      expect(Array.from(await a.output.data())).toEqual(Array.from(await b.output.data()));
      tf.dispose([x, a.output, b.output]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cropSizeFor (engine)', () => {
  /** 68 landmarks whose eyes and mouth corners sit on the canonical points scaled by `scale` photo px. */
  function landmarksAt(scale: number): Point[] {
    const pts: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
    const [l, r, ml, mr] = CANONICAL_POINTS.map((p) => ({ x: 100 + p.x * scale, y: 50 + p.y * scale }));
    for (let i = 36; i < 42; i++) pts[i] = l;
    for (let i = 42; i < 48; i++) pts[i] = r;
    pts[48] = ml;
    pts[54] = mr;
    return pts;
  }

  it('ages a textured model\'s or the prototype\'s faces at their size in the photo (at least the model\'s, at most 512), others at the model\'s', async () => {
    const proto = await buildPrototypeModel(new MemoryFaceSource(S, stripes(5), Float32Array.of(30), Uint8Array.of(SPLIT_TRAIN)), { textureMaps: true });
    const textured = new TexturedAgingModel(proto, textureStageFromMeans(proto.means, S, 1));
    expect(cropSizeFor(textured, landmarksAt(300))).toBe(300);
    expect(cropSizeFor(textured, landmarksAt(2000))).toBe(MAX_DETAIL_CROP);
    expect(cropSizeFor(textured, landmarksAt(10))).toBe(S);
    expect(cropSizeFor(proto, landmarksAt(300))).toBe(300);
    const gan = { kind: 'age-cgan', resolution: 64, age: proto.age.bind(proto), dispose: () => {} };
    expect(cropSizeFor(gan, landmarksAt(300))).toBe(64);
  });
});
