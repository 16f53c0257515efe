/**
 * Differentiable building-block ops shared by every network (Age-cGAN, CycleGAN, the bench's
 * reference nets). All images are NHWC float32. Backends: whatever the engine selected; ops here
 * must only use kernels that have gradients on every backend we ship (see models/backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasFusedKernel, INSTANCE_NORM, INSTANCE_NORM_GRAD } from '../backend/fused-kernels';

export type PadMode = 'reflect' | 'zero' | 'valid';

/** Pads H and W by `p` on each side. Reflection padding avoids the border artefacts of zero padding. */
export function pad2d(x: tf.Tensor4D, p: number, mode: Exclude<PadMode, 'valid'>): tf.Tensor4D {
  if (p === 0) return x;
  const paddings: Array<[number, number]> = [[0, 0], [p, p], [p, p], [0, 0]];
  return mode === 'reflect' ? tf.mirrorPad(x, paddings, 'reflect') : tf.pad(x, paddings);
}

/**
 * Convolution with explicit padding mode. w: [k, k, cin, cout], b: [cout].
 * 'reflect' and 'zero' pad by `pad` (default floor(k / 2): same size at stride 1 for odd k).
 * Zero padding is given to the convolution itself (no padded copy of x, and none of dy in the
 * backward pass); the bias is fused into the convolution (one pass less, forward and backward).
 */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D | null,
  stride = 1,
  padMode: PadMode = 'zero',
  pad?: number,
): tf.Tensor4D {
  const k = w.shape[0];
  const p = padMode === 'valid' ? 0 : (pad ?? Math.floor(k / 2));
  const xp = padMode === 'reflect' ? pad2d(x, p, 'reflect') : x;
  const convPad: 'valid' | tf.backend_util.ExplicitPadding =
    padMode === 'zero' && p > 0 ? [[0, 0], [p, p], [p, p], [0, 0]] : 'valid';
  // Under a gradient tape the fused op's custom gradient computes dx, dW and db together even when
  // only some are wanted (e.g. all of D's weight gradients in G's update, ~60 ms of a 900 ms step);
  // the plain conv's gradient is per input, so the engine skips the unwanted ones. Untaped
  // (inference), the fused op saves a pass over the output.
  if (b && isTapeOn()) return tf.add(tf.conv2d(xp, w, stride, convPad), b);
  return tf.fused.conv2d({ x: xp, filter: w, strides: stride, pad: convPad, bias: b ?? undefined });
}

/** True while tfjs records operations for a gradient (inside tf.grad / optimizer.minimize). */
function isTapeOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/**
 * 2x upsampling convolution: output [N, 2H, 2W, cout]. w: [k, k, cout, cin] (conv2dTranspose layout).
 */
export function upConv2x(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | null): tf.Tensor4D {
  const [n, h, wd] = x.shape;
  const cout = w.shape[2];
  const y = tf.conv2dTranspose(x, w, [n, h * 2, wd * 2, cout], 2, 'same');
  return b ? tf.add(y, b) : y;
}

/** Instance norm over H, W per sample and channel; optional affine gamma/beta: [C]. */
export function instanceNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D | null = null,
  beta: tf.Tensor1D | null = null,
  eps = 1e-5,
): tf.Tensor4D {
  let y = hasFusedKernel(INSTANCE_NORM) ? fusedInstanceNorm(x, eps) : compositeInstanceNorm(x, eps);
  if (gamma) y = tf.mul(y, gamma);
  if (beta) y = tf.add(y, beta);
  return y;
}

function compositeInstanceNorm(x: tf.Tensor4D, eps: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor4D;
}

/**
 * Same math as compositeInstanceNorm in one fused kernel (wasm, cpu), with the closed-form
 * gradient dx = rstd * (dy - mean(dy) - y * mean(dy * y)) (means over H, W) instead of
 * differentiating ~15 elementwise and reduction kernels.
 */
function fusedInstanceNorm(x: tf.Tensor4D, eps: number): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, rstd] = tf.engine().runKernel(INSTANCE_NORM, { x: input }, { eps }) as tf.Tensor[];
    save([y, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(INSTANCE_NORM_GRAD, { dy, y: saved[0], rstd: saved[1] }, {}) as tf.Tensor,
    };
  });
  return f(x) as tf.Tensor4D;
}

export function leakyRelu(x: tf.Tensor4D, alpha = 0.2): tf.Tensor4D {
  return tf.leakyRelu(x, alpha);
}

/** Broadcasts a per-sample condition [N, C] to feature maps [N, H, W, C] and concatenates it to x. */
export function concatCondition(x: tf.Tensor4D, cond: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const c = cond.shape[1];
  const maps = tf.tile(tf.reshape(cond, [n, 1, 1, c]), [1, h, w, 1]) as tf.Tensor4D;
  return tf.concat([x, maps], 3);
}
