/**
 * No tensor leaks on the engine's hot paths: after one burn-in call, a training step and an
 * inference leave tf.memory().numTensors unchanged, and the wasm backend's buffer count stays
 * flat too (the conv kernels' filter cache must not grow across steps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../models/backend/select';
import { createReferenceSession, type ReferenceSession } from '../../../../models/backend/reference-step';

let session: ReferenceSession;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 2 });
  // The reference pair, scaled down so a step takes well under a second.
  session = createReferenceSession({ size: 32, ngf: 8, ndf: 8, nBlocks: 2 });
});
afterAll(() => session.dispose());

describe('tensor memory on wasm', () => {
  it('a training step leaks no tensors and no wasm buffers', async () => {
    await session.trainStep(); // burn-in: optimizer slots, kernel caches
    await session.trainStep();
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 3; i++) {
      const [lossG, lossD] = await session.trainStep();
      expect(Number.isFinite(lossG) && Number.isFinite(lossD)).toBe(true);
      expect(tf.memory().numTensors).toBe(tensors);
    }
    expect(tf.memory().numDataBuffers).toBe(buffers);
  });

  it('an inference leaks no tensors', async () => {
    await session.infer();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await session.infer();
      expect(tf.memory().numTensors).toBe(tensors);
    }
  });

  it('training changes the losses (the step really updates both networks)', async () => {
    const first = await session.trainStep();
    let last = first;
    for (let i = 0; i < 4; i++) last = await session.trainStep();
    expect(last[0]).not.toBe(first[0]);
    expect(last[1]).not.toBe(first[1]);
  });
});
