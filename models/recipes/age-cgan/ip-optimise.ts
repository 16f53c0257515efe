/**
 * The paper's "identity-preserving latent optimisation" (Antipov et al., sec. 3.2):
 *   z*_IP = argmin_z || FR(x) - FR(G(z, y0)) ||_2,   started from z0 = E(x),
 * with FR the face-api recognition net (identity-net.ts). The paper used L-BFGS-B; we run Adam on
 * z for a fixed budget (predictable time, progress and cancellation) and add two optional terms:
 * pixel L1 to the input (keeps colours and pose) and mean(z^2) (keeps z where G was trained).
 * Faces are optimised as one batch; each keeps the z of its own lowest objective.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { IpConfig } from './config';
import { assertGradientsRegistered } from './networks';
import type { Generator } from './networks';
import type { FaceRecognizer } from '../../face/identity-net';

export interface IpProgress {
  step: number;
  steps: number;
  /** Mean over faces of the descriptor distance at this step. */
  distance: number;
  loss: number;
}

export interface IpResult {
  /** Optimised latents, [N * zDim] row-major. */
  z: Float32Array;
  /** Descriptor distance FR(x) <-> FR(G(z, y0)) per face, at z0 and at the returned z. */
  distanceBefore: number[];
  distanceAfter: number[];
  steps: number;
  ms: number;
}

export interface IpOptions {
  signal?: AbortSignal;
  onProgress?: (p: IpProgress) => void;
}

export function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

/** Lets pending I/O (an abort message) run between steps; data() alone only yields microtasks. */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * faces: [N, R, R, 3] in [-1, 1] at G's resolution; y0: [N, 6] source conditions; z0: [N, zDim].
 * Does not dispose its inputs.
 */
export async function optimiseLatent(
  G: Generator,
  fr: FaceRecognizer,
  faces: tf.Tensor4D,
  y0: tf.Tensor2D,
  z0: tf.Tensor2D,
  cfg: IpConfig,
  opts: IpOptions = {},
): Promise<IpResult> {
  assertGradientsRegistered();
  const t0 = performance.now();
  const [n, zDim] = z0.shape;
  const target = tf.tidy(() => fr.describe(faces));
  const z = tf.variable(z0, true);
  const opt = tf.train.adam(cfg.lr);
  const best = new Float32Array(n * zDim);
  const bestLoss = new Array<number>(n).fill(Infinity);
  const before: number[] = [];
  const after = new Array<number>(n).fill(NaN);
  try {
    for (let step = 0; step <= cfg.steps; step++) {
      if (opts.signal?.aborted) throw abortError();
      const last = step === cfg.steps;
      let perFace: tf.Tensor1D | null = null;
      let dist: tf.Tensor1D | null = null;
      // Objective per face: d^2 + pixelWeight * L1 + priorWeight * mean(z^2); summed over faces.
      const objective = (): tf.Scalar => {
        const x = G.apply(z as unknown as tf.Tensor2D, y0);
        const d2 = tf.sum(tf.squaredDifference(fr.describe(x), target), 1);
        let per = d2;
        if (cfg.pixelWeight > 0) per = tf.add(per, tf.mul(tf.mean(tf.abs(tf.sub(x, faces)), [1, 2, 3]), cfg.pixelWeight));
        if (cfg.priorWeight > 0) per = tf.add(per, tf.mul(tf.mean(tf.square(z), 1), cfg.priorWeight));
        perFace = tf.keep(per as tf.Tensor1D);
        dist = tf.keep(tf.sqrt(d2) as tf.Tensor1D);
        return tf.sum(per);
      };
      const zNow = await z.data();
      if (last) {
        tf.tidy(objective).dispose();
      } else {
        const { value, grads } = tf.variableGrads(objective, [z]);
        opt.applyGradients(grads as unknown as Record<string, tf.Variable>);
        tf.dispose([value, ...Object.values(grads)]);
      }
      const pf = perFace as unknown as tf.Tensor1D;
      const dd = dist as unknown as tf.Tensor1D;
      const lossV = (await pf.data()) as Float32Array;
      const distV = (await dd.data()) as Float32Array;
      tf.dispose([pf, dd]);
      for (let i = 0; i < n; i++) {
        if (step === 0) before.push(distV[i]);
        if (lossV[i] < bestLoss[i]) {
          bestLoss[i] = lossV[i];
          after[i] = distV[i];
          best.set(zNow.subarray(i * zDim, (i + 1) * zDim), i * zDim);
        }
      }
      opts.onProgress?.({
        step,
        steps: cfg.steps,
        distance: distV.reduce((a, b) => a + b, 0) / n,
        loss: lossV.reduce((a, b) => a + b, 0) / n,
      });
      await yieldToEvents();
    }
  } finally {
    tf.dispose([target, z]);
    opt.dispose();
  }
  return { z: best, distanceBefore: before, distanceAfter: after, steps: cfg.steps, ms: performance.now() - t0 };
}
