/**
 * The shipped training-free pipeline (assets/models/engineered) on real fixture faces: loads, ages a
 * face toward the target in the directions the stages promise, leaves the crop's border alone,
 * keeps a greyscale face grey, changes nothing at the source age, and leaks no tensor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { loadFaceModels } from '../../../../models/face/face-models';
import { decodeImage } from '../../../../models/image/image-io';
import { EngineeredAgingModel, loadEngineeredModel } from '../../../../models/stages/engineered-model';
import { warpFade } from '../../../../models/stages/shape/shape-stage';
import { DEFAULT_HAIR, hairEdgeFade, hairRegions } from '../../../../models/stages/hair/hair-stage';

const DIR = path.resolve(__dirname, '../../../../assets/models/engineered');
const FACES = path.resolve(__dirname, '../../../fixtures/faces');

let model: EngineeredAgingModel;
let obama: tf.Tensor4D;
let S: number;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  model = await loadEngineeredModel(DIR);
  const img = await decodeImage(path.join(FACES, 'face-00-obama-1.jpg'));
  S = img.width;
  obama = tf.tidy(() => tf.tensor4d(Float32Array.from(img.data, (v) => v / 127.5 - 1), [1, S, S, 3]));
});

async function pixels(t: tf.Tensor4D): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

describe('engineered aging model (shipped)', () => {
  it('changes nothing at the source age and leaves the crop border alone at any age', async () => {
    const input = await pixels(obama);
    const { output, reconstruction } = await model.age(obama, 50, 50);
    expect(reconstruction).toBeNull();
    const same = await pixels(output);
    output.dispose();
    let maxDiff = 0;
    for (let i = 0; i < same.length; i++) maxDiff = Math.max(maxDiff, Math.abs(same[i] - input[i]));
    expect(maxDiff * 127.5).toBeLessThan(1.5);
    const old = await model.age(obama, 50, 85);
    const aged = await pixels(old.output);
    old.output.dispose();
    // The outermost band: no warp, no appearance (outside the face), no hair change; only the
    // texture stage's smooth gain map may leave a trace of a level or two.
    let sum = 0;
    let n = 0;
    let max = 0;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        if (warpFade((x + 0.5) / S, (y + 0.5) / S) > 0 || hairEdgeFade((x + 0.5) / S, (y + 0.5) / S) > 0) continue;
        const o = (y * S + x) * 3;
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(aged[o + c] - input[o + c]) * 127.5;
          sum += d;
          n++;
          max = Math.max(max, d);
        }
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(sum / n).toBeLessThan(0.5);
    expect(max).toBeLessThan(6);
  });

  it('reshapes and re-textures the face: a child target shortens the lower face, an old one changes the skin', async () => {
    const input = await pixels(obama);
    const child = await model.age(obama, 50, 5);
    const old = await model.age(obama, 50, 85);
    const c = await pixels(child.output);
    const o = await pixels(old.output);
    tf.dispose([child.output, old.output]);
    // Mean absolute change inside the face: both targets change the face visibly.
    const change = (a: Float32Array) => {
      let s = 0;
      let n = 0;
      for (let y = Math.floor(0.3 * S); y < 0.8 * S; y++) for (let x = Math.floor(0.3 * S); x < 0.7 * S; x++) for (let k = 0; k < 3; k++) {
        s += Math.abs(a[(y * S + x) * 3 + k] - input[(y * S + x) * 3 + k]) * 127.5;
        n++;
      }
      return s / n;
    };
    expect(change(c)).toBeGreaterThan(4);
    expect(change(o)).toBeGreaterThan(4);
    // The hair stage greys the brows at 85: the brow band (from the face's own landmarks) is
    // lighter than the same model's output without the hair stage.
    const noHair = await loadEngineeredModel(DIR, { hair: { ...DEFAULT_HAIR, strength: 0 } });
    const plain = await noHair.age(obama, 50, 85);
    const p = await pixels(plain.output);
    plain.output.dispose();
    const { shape } = await model.hintsFor(input, S);
    const brows = hairRegions(S, shape, null);
    const browMean = (a: Float32Array) => {
      let s = 0;
      let n = 0;
      for (let q = 0; q < S * S; q++) if (brows[3 * q + 1] > 0.5) { s += (a[3 * q] + a[3 * q + 1] + a[3 * q + 2]) / 3; n++; }
      expect(n).toBeGreaterThan(20);
      return ((s / n) + 1) * 127.5;
    };
    expect(browMean(o)).toBeGreaterThan(browMean(p) + 3);
  });

  it('keeps a greyscale face grey', async () => {
    const grey = tf.tidy(() => {
      const y = obama.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(-1, true);
      return tf.concat([y, y, y], -1) as tf.Tensor4D;
    });
    const { output } = await model.age(grey, 40, 80);
    const px = await pixels(output);
    tf.dispose([grey, output]);
    let maxChroma = 0;
    for (let p = 0; p < S * S; p++) maxChroma = Math.max(maxChroma, Math.abs(px[3 * p] - px[3 * p + 1]), Math.abs(px[3 * p + 1] - px[3 * p + 2]));
    expect(maxChroma * 127.5).toBeLessThan(2);
  });

  it('leaks no tensor per aged face (after one warm-up)', async () => {
    const warm = await model.age(obama, 40, 60);
    tf.dispose([warm.output]);
    const before = tf.memory().numTensors;
    const r = await model.age(obama, 40, 70);
    tf.dispose([r.output]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
