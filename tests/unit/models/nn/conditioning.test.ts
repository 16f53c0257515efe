import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../models/backend/select';
import { REFERENCE_GENERATOR, ResnetGenerator } from '../../../../models/nn/resnet-generator';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterAll(() => tf.disposeVariables());

describe('ResnetGenerator conditioning', () => {
  it('the condition reaches the output through every instance norm (not erased by it)', () => {
    const g = new ResnetGenerator({ ...REFERENCE_GENERATOR, ngf: 8, nBlocks: 1, condChannels: 2, condAtBlocks: true });
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const young = g.apply(x, tf.tensor2d([[1, 0]]));
    const old = g.apply(x, tf.tensor2d([[0, 1]]));
    // Before FiLM the two differed by ~4e-6: constant condition maps are removed by instance norm.
    const diff = tf.max(tf.abs(tf.sub(young, old))).dataSync()[0];
    expect(diff).toBeGreaterThan(1e-2);
    tf.dispose([x, young, old]);
    g.dispose();
  });

  it('an unconditional generator has no conditional parameters', () => {
    const plain = new ResnetGenerator({ ...REFERENCE_GENERATOR, ngf: 8, nBlocks: 1 });
    expect(plain.params.names().some((n) => n.includes('film'))).toBe(false);
    const conditioned = new ResnetGenerator({ ...REFERENCE_GENERATOR, ngf: 8, nBlocks: 1, condChannels: 3 });
    // stem, 2 down, 2 per block, 2 up: 7 norms x (gamma, beta).
    expect(conditioned.params.names().filter((n) => n.includes('film'))).toHaveLength(14);
    plain.dispose();
    conditioned.dispose();
  });
});
