/**
 * models/nn/adam-state: one saver for every trainer's Adam state. The fixtures in
 * tests/fixtures/optimizer-state were written by the two savers it replaced (Age-cGAN's
 * 'face-age-adam' and CycleGAN's 'face-age-optimizer' manifests) after 40 Adam steps, with the
 * variables then and after a 4th step: loading them and taking that step must give the same
 * variables bit for bit, and a save/load round trip must resume exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../models/backend/select';
import { loadOptimizerState, saveOptimizerState } from '../../../../models/core/optimizer-state';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'optimizer-state');
const A0 = [[0.5, -1.25, 2], [0.125, 3, -0.75]];
const B0 = [1, -2, 0.25, 4];
let dir = '';
let a: tf.Variable;
let b: tf.Variable;

interface Expected {
  lr: number;
  beta1: number;
  beta2: number;
  steps: number;
  before: { a: number[]; b: number[] };
  after: { a: number[]; b: number[] };
}

/** The fixtures' objective: sum (a - 0.3)^2 + sum b sin b. */
const loss = () => tf.add(tf.sum(tf.square(tf.sub(a, 0.3))), tf.sum(tf.mul(tf.sin(b), b))) as tf.Scalar;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = mkdtempSync(path.join(tmpdir(), 'adam-state-'));
  a = tf.variable(tf.tensor2d(A0), true, 'adam-state-a');
  b = tf.variable(tf.tensor1d(B0), true, 'adam-state-b');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

async function values(): Promise<{ a: number[]; b: number[] }> {
  return { a: Array.from(await a.data()), b: Array.from(await b.data()) };
}

describe('optimizer state files', () => {
  for (const name of ['age-cgan-adam', 'cyclegan-optimizer']) {
    it(`loads a checkpoint written by the old ${name} saver (40 steps) and resumes bit for bit`, async () => {
      const e = JSON.parse(readFileSync(path.join(FIXTURES, `${name}-expected.json`), 'utf8')) as Expected;
      a.assign(tf.tensor2d(e.before.a, [2, 3]));
      b.assign(tf.tensor1d(e.before.b));
      const opt = tf.train.adam(e.lr, e.beta1, e.beta2);
      await loadOptimizerState(opt, FIXTURES, name);
      const [iter] = await opt.getWeights();
      expect((await iter.tensor.data())[0]).toBe(e.steps);
      opt.minimize(loss, false, [a, b]);
      expect(await values()).toEqual(e.after);
      opt.dispose();
    });
  }

  it('round trip: save after 40 steps, load into a fresh Adam, the next step matches an uninterrupted run', async () => {
    // 40 steps: by then the running products beta^t differ from pow(beta, t) in the last bits, so
    // the step after a load that did not restore them differs too.
    const reset = () => {
      a.assign(tf.tensor2d(A0));
      b.assign(tf.tensor1d(B0));
    };
    reset();
    const straight = tf.train.adam(0.05, 0.9, 0.999);
    for (let i = 0; i < 41; i++) straight.minimize(loss, false, [a, b]);
    const want = await values();
    straight.dispose();

    reset();
    const first = tf.train.adam(0.05, 0.9, 0.999);
    for (let i = 0; i < 40; i++) first.minimize(loss, false, [a, b]);
    await saveOptimizerState(first, dir, 'adam');
    first.dispose();
    const manifest = JSON.parse(readFileSync(path.join(dir, 'adam.json'), 'utf8')) as { format: string; iterations: number; accBeta: number[] };
    expect(manifest).toMatchObject({ format: 'face-age-optimizer', iterations: 40 });
    expect(manifest.accBeta).toHaveLength(2);
    const resumed = tf.train.adam(0.05, 0.9, 0.999);
    const before = tf.memory().numTensors;
    await loadOptimizerState(resumed, dir, 'adam');
    // Only the optimizer's own variables (4 slots + iteration + 2 beta powers) remain.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(7);
    resumed.minimize(loss, false, [a, b]);
    expect(await values()).toEqual(want);
    resumed.dispose();
  });

  it('refuses a file that is not optimizer state', async () => {
    await expect(loadOptimizerState(tf.train.adam(0.1), path.join(FIXTURES), 'age-cgan-adam-expected')).rejects.toThrow(/not an optimizer state file/);
  });
});
