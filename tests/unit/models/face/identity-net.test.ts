import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../../models/backend/select';
import * as path from 'node:path';
import sharp from 'sharp';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { FaceRecognizer, defaultFaceApiModelDir, descriptorDistance } from '../../../../models/face/identity-net';
import { optimiseLatent } from '../../../../models/recipes/age-cgan/ip-optimise';
import { Encoder, Generator } from '../../../../models/recipes/age-cgan/networks';
import { resolveAgeCganConfig } from '../../../../models/recipes/age-cgan/config';
import { ageToCondition } from '../../../../models/recipes/age-cgan/condition';

const FACES = path.join(__dirname, '..', '..', '..', 'fixtures', 'faces');

/** Fixture crops as [N, 128, 128, 3] in [-1, 1]. */
async function loadFaces(files: string[]): Promise<tf.Tensor4D> {
  const arrays = await Promise.all(
    files.map(async (f) => {
      const { data, info } = await sharp(path.join(FACES, f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([128, 128, 3]);
      return Float32Array.from(data, (v) => v / 127.5 - 1);
    }),
  );
  const all = new Float32Array(files.length * 128 * 128 * 3);
  arrays.forEach((a, i) => all.set(a, i * a.length));
  return tf.tensor4d(all, [files.length, 128, 128, 3]);
}

let fr: FaceRecognizer;
beforeAll(async () => {
  await initBackend();
  fr = await FaceRecognizer.load();
});
afterAll(() => fr.dispose());

describe('FaceRecognizer (differentiable face-api recognition net)', () => {
  it("reproduces face-api's own descriptors", async () => {
    await faceapi.nets.faceRecognitionNet.loadFromDisk(defaultFaceApiModelDir());
    const x = await loadFaces(['face-00-obama-1.jpg', 'face-08-rose-leslie-1.jpg']);
    for (let i = 0; i < 2; i++) {
      const one = tf.tidy(() => tf.mul(tf.add(tf.slice(x, i, 1), 1), 127.5)) as tf.Tensor4D;
      const ref = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(one as never)) as Float32Array;
      const ours = tf.tidy(() => fr.describe(tf.slice(x, i, 1) as tf.Tensor4D));
      const mine = await ours.data();
      expect(mine.length).toBe(128);
      const maxDiff = Math.max(...Array.from(mine, (v, j) => Math.abs(v - ref[j])));
      expect(maxDiff).toBeLessThan(1e-4);
      tf.dispose([one, ours]);
    }
    faceapi.nets.faceRecognitionNet.dispose();
    x.dispose();
  });

  it('puts two photos of one person closer than two people, and has finite gradients', async () => {
    const x = await loadFaces(['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-08-rose-leslie-1.jpg']);
    const before = tf.memory().numTensors;
    const [same, diff] = tf.tidy(() => {
      const d = fr.describe(x);
      const a = tf.slice(d, 0, 1) as tf.Tensor2D;
      return [descriptorDistance(a, tf.slice(d, 1, 1) as tf.Tensor2D).dataSync()[0], descriptorDistance(a, tf.slice(d, 2, 1) as tf.Tensor2D).dataSync()[0]];
    });
    expect(same).toBeLessThan(0.6);
    expect(diff).toBeGreaterThan(same);
    const g = tf.tidy(() => tf.grad((img: tf.Tensor) => tf.sum(fr.describe(img as tf.Tensor4D)))(tf.slice(x, 0, 1) as tf.Tensor4D));
    const gv = await g.data();
    expect(gv.every(Number.isFinite)).toBe(true);
    expect(gv.some((v) => v !== 0)).toBe(true);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('identity-preserving latent optimisation', () => {
  it('lowers the descriptor distance to real faces from z0, reports progress and leaks nothing', async () => {
    const cfg = resolveAgeCganConfig({ resolution: 32, zDim: 16, ngf: 8, nef: 8, maxChannels: 32 });
    const G = new Generator(cfg);
    const E = new Encoder(cfg);
    const x = await loadFaces(['face-04-biden-1.jpg', 'face-06-kit-harington-1.jpg']);
    const small = tf.image.resizeBilinear(x, [32, 32], true);
    const z0 = tf.tidy(() => E.apply(small));
    const y0 = tf.tensor2d([ageToCondition(62), ageToCondition(29)]);
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const res = await optimiseLatent(G, fr, small, y0, z0, { ...cfg.ip, steps: 4, lr: 0.1 }, { onProgress: (p) => steps.push(p.step) });
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect(res.z.length).toBe(2 * 16);
    for (let i = 0; i < 2; i++) {
      expect(res.distanceAfter[i]).toBeLessThan(res.distanceBefore[i]);
    }
    // Abort before the first step.
    const ac = new AbortController();
    ac.abort();
    await expect(optimiseLatent(G, fr, small, y0, z0, cfg.ip, { signal: ac.signal })).rejects.toThrow(/aborted/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, small, z0, y0]);
    G.dispose();
    E.dispose();
  });
});
