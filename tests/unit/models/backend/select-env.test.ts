/** FACE_AGE_BACKEND selects the backend when no argument is given (own process: see engine-backend). */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../models/backend/select';

describe('FACE_AGE_BACKEND', () => {
  it('cpu from the environment wins over the default order', async () => {
    process.env.FACE_AGE_BACKEND = 'cpu';
    const info = await initBackend();
    expect(info).toMatchObject({ name: 'cpu', threads: 1, simd: false, fallbacksTried: [] });
    expect(tf.getBackend()).toBe('cpu');
  });
});
