/**
 * A short version of the memory soak (tools/bench/soak-bench.ts; the full one is
 * `npm run bench -- soak`): slider previews through the real engine op with the shipped
 * prototype model, and training steps of the real CycleGAN and Age-cGAN trainers, must leave the
 * tensor count exactly where it was after the warm-up.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { runSoakBench } from '../../../../tools/bench/soak-bench';

afterAll(() => {
  tf.disposeVariables();
});

describe('memory soak (short)', () => {
  it('previews and training steps leak no tensors once warm', async () => {
    const r = await runSoakBench({ previews: 30, warmupPreviews: 5, trainSteps: 5, warmupSteps: 2, resolution: 32 });
    expect(r.phases.map((p) => [p.name, p.iterations])).toEqual([['previews', 30], ['cyclegan', 5], ['age-cgan', 5]]);
    for (const p of r.phases) {
      expect(p.tensorsAfterWarmup, p.name).toBeGreaterThan(0);
      expect(p.tensorsAtEnd, p.name).toBe(p.tensorsAfterWarmup);
      expect(p.rssSamplesMB.length).toBeGreaterThanOrEqual(Math.min(10, p.iterations));
    }
    console.log(r.backend, JSON.stringify(r.phases.map(({ rssSamplesMB: _s, ...p }) => p)));
  });
});
