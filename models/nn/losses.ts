/** Loss terms of the recipe, each a scalar tensor; callers run them inside tidy/minimize. */
import * as tf from '@tensorflow/tfjs-core';

/** Least-squares GAN (Mao et al. 2017): mean (score - target)^2 over all patches. */
export function lsgan(scores: tf.Tensor, target: 0 | 1): tf.Scalar {
  return tf.mean(tf.square(target === 1 ? tf.sub(scores, 1) : scores));
}

export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}

/**
 * Charbonnier (pseudo-Huber) distance, mean of s * (sqrt((a - b)^2 / s^2 + 1) - 1): ~(a-b)^2 / 2s
 * for |a - b| << s, ~|a - b| - s for |a - b| >> s. Written without a branch so every op has a
 * registered gradient.
 */
export function charbonnier(a: tf.Tensor, b: tf.Tensor, s: number): tf.Scalar {
  return tf.tidy(() => {
    const r = tf.div(tf.sub(a, b), s);
    return tf.mul(tf.mean(tf.sub(tf.sqrt(tf.add(tf.square(r), 1)), 1)), s) as tf.Scalar;
  });
}

/** Reconstruction distance of a config's cycle and identity terms (config.loss.reconstruction). */
export function reconstructionDistance(
  kind: 'l1' | 'charbonnier' | undefined,
  scale: number | undefined,
): (a: tf.Tensor, b: tf.Tensor) => tf.Scalar {
  if (kind === 'charbonnier') return (a, b) => charbonnier(a, b, scale ?? 0.05);
  return l1;
}

/** Mean absolute difference of neighbouring pixels of [N, H, W, C] (smoothness of a mask or a change). */
export function totalVariation(m: tf.Tensor4D): tf.Scalar {
  const [n, h, w, c] = m.shape;
  const dy = tf.sub(tf.slice(m, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(m, [0, 0, 0, 0], [n, h - 1, w, c]));
  const dx = tf.sub(tf.slice(m, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(m, [0, 0, 0, 0], [n, h, w - 1, c]));
  return tf.add(tf.mean(tf.abs(dy)), tf.mean(tf.abs(dx)));
}

/** Cross-entropy against soft labels: logits [N, K], target [N, K] rows summing to 1. */
export function softCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1)));
}

/**
 * Colour cast of a change d = output - input, [N, H, W, 3] (H, W divisible by 4): L1 of its chroma
 * (the change minus its grey component, the mean over RGB), once per pixel and once averaged over
 * a 4x4 grid. A global tint costs twice its size; a tint in fine stripes (what a 300-step run found
 * against the low-frequency term alone: green/magenta lines that average out per cell) costs its
 * size; a grey change (hair going white, shading) costs nothing.
 */
export function colourCast(d: tf.Tensor4D): tf.Scalar {
  const chroma = (t: tf.Tensor4D) => tf.mean(tf.abs(tf.sub(t, tf.mean(t, 3, true))));
  const cell = [d.shape[1] / 4, d.shape[2] / 4] as [number, number];
  return tf.add(chroma(d), chroma(tf.avgPool(d, cell, cell, 'valid')));
}
