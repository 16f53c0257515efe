import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { loadFaceModels } from '../../../../models/face/face-models';
import { openEvalData, readFaceAt, type EvalData } from '../../../../models/eval/eval-data';
import { evaluateModel, type EvalReport, type EvaluableModel } from '../../../../models/eval/evaluate';
import { floatsToBytes, measureCrop } from '../../../../models/eval/measure';
import { identityModel } from '../../../helpers/eval-fakes';

// Real aligned 128 px crops of real people (from the portraits), labelled by hand.
const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'faces');
const TARGETS = [30, 60];
const LIMIT = 4; // faces 0, 4, 9, 13 of 18: obama-1, biden-1, rose-leslie-2, obama-and-biden


/** Returns another person's face (alex-lacamoire-1, face 10) whatever the input. */
function swapModel(other: Float32Array): EvaluableModel {
  return {
    kind: 'swap-fake',
    resolution: 128,
    async age(faces) {
      return { output: tf.tensor4d(other, [faces.shape[0], 128, 128, 3]), reconstruction: null };
    },
    dispose() {},
  };
}

let data: EvalData;
let cacheDir: string;
let identity: EvalReport;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  data = await openEvalData(FIXTURES);
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'eval-test-'));
  identity = await evaluateModel({ model: identityModel, data, targets: TARGETS, limit: LIMIT, cacheDir });
});

afterAll(async () => {
  await data?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

describe('evaluateModel on real faces with fake models', () => {
  it('an identity model scores exactly like doing nothing and keeps every identity', () => {
    expect(identity.faces).toBe(LIMIT);
    expect(identity.outputs).toBe(LIMIT * TARGETS.length);
    expect(identity.age.mae).toBeCloseTo(identity.age.maeNoChange, 6);
    expect(identity.age.maeCalibrated).toBeCloseTo(identity.age.maeCalibratedNoChange!, 6);
    expect(identity.identity.sameRate).toBe(1);
    expect(identity.identity.meanDistance).toBeLessThan(1e-3);
    // The estimator sees grown men and women, not children or pensioners.
    expect(identity.age.maeRealFaces).toBeLessThan(15);
    expect(Object.keys(identity.byTarget)).toEqual(['30', '60']);
    expect(identity.reference.cached).toBe(false);
  });

  it("'no-change' gives the identity model's numbers without running a model", async () => {
    const r = await evaluateModel({ model: 'no-change', data, targets: TARGETS, limit: LIMIT, cacheDir });
    expect(r.age.mae).toBeCloseTo(identity.age.mae, 6);
    expect(r.age.maeRealFaces).toBeCloseTo(identity.age.maeRealFaces, 6);
    expect(r.identity.sameRate).toBe(1);
    expect(r.identity.meanDistance).toBe(0);
    // Second run over the same data and resolution: the reference table comes from the cache.
    expect(r.reference.cached).toBe(true);
    expect(r.reference.entries).toEqual(identity.reference.entries);
  });

  it('a model that returns a different person is caught by identity.sameRate', async () => {
    const other = await readFaceAt(data.source, 10, 128);
    const r = await evaluateModel({ model: swapModel(other), data, targets: TARGETS, limit: LIMIT, cacheDir });
    expect(r.identity.sameRate).toBeLessThanOrEqual(0.25);
    expect(r.identity.meanDistance).toBeGreaterThan(0.6);
    // Every output is the same picture, so every output gets the same estimate.
    const est = r.byTarget['30'].meanEstimate;
    expect(r.byTarget['60'].meanEstimate).toBeCloseTo(est, 6);
    expect(r.age.mae).not.toBeCloseTo(r.age.maeNoChange, 1);
  });

  it('the calibration reference is the mean estimate of the faces labelled target +- 5', async () => {
    for (const t of TARGETS) {
      const near = data.pool.filter((i) => Math.abs(data.source.ages[i] - t) <= 5);
      let sum = 0;
      for (const i of near) sum += (await measureCrop(floatsToBytes(await readFaceAt(data.source, i, 128)), 128)).age;
      const entry = identity.reference.entries.find((e) => e.target === t)!;
      expect(entry.count).toBe(near.length);
      expect(entry.count).toBeGreaterThan(0);
      expect(entry.mean!).toBeCloseTo(sum / near.length, 6);
    }
  });
});
