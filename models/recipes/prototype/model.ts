/**
 * The prototype baseline behind the AgingModel interface: no training, only the mean aligned faces
 * of age groups (prototype-means.ts).
 *
 *   delta(s, t) = lowpass(M(t) - M(s)) * mask * strength        [S, S, 3], pixels in [-1, 1] units
 *   output      = clip(input + resize(delta), -1, 1)
 *
 * M(a) interpolates the group means linearly by age, so the slider is continuous and
 * delta(s, s) == 0: at the source age the output is the input, and `reconstruction` is null.
 * The low-pass (Gaussian, sigma in pixels of the 128 px mean) keeps shading, skin tone and greying
 * but drops the mean faces' fine edges, which would otherwise print a ghost of the average eyes and
 * mouth over the input. The soft elliptical mask keeps the background of the crop untouched.
 */
import * as tf from '@tensorflow/tfjs-core';
import { faceMask, gaussianBlur } from './filters';
import { blendByAge, type MeanFace } from './means';

export { faceMask, gaussianBlur, gaussianKernel } from './filters';

export interface PrototypeOptions {
  /** Gaussian sigma of the low-pass on the difference, pixels at the means' size. 0: none. */
  sigma: number;
  /** 'face': a soft ellipse over face and hair; 'none': the whole crop. */
  mask: 'face' | 'none';
  /** Multiplies the difference (1 = the plain prototype method). */
  strength: number;
  /**
   * 'transfer': the plain method, which also moves the face's overall colour towards the mean face's
   * (the means are mostly of light-skinned faces, so a dark-skinned face was visibly lightened,
   * e.g. when made younger at strength 2). 'keep': the difference minus its own average over the
   * face mask, per channel, so the person's overall skin tone stays and only relative changes
   * (shading, hollows, greying relative to the face) are transferred. Absent in older folders:
   * 'transfer'. 'relative': 'keep', and the difference is scaled by the face's brightness over
   * the source prototype's (inside the mask): shading acts multiplicatively, so a darker face gets
   * a proportionally smaller change instead of a pale patch where the young mean face is bright.
   */
  tone?: 'transfer' | 'keep' | 'relative';
  /**
   * Strength for age gaps of 40 years and more (linear from `strength` at a 20-year gap): a large
   * gap already makes a large difference, and the same multiplier there costs identity first
   * (measured: strength 3 keeps 98.8% of faces the same person for gaps under 20, 73% beyond 40).
   * Absent: `strength` at every gap.
   */
  strengthFar?: number;
}

export const DEFAULT_PROTOTYPE_OPTIONS: PrototypeOptions = { sigma: 2, mask: 'face', strength: 1, tone: 'transfer' };

/** The multiplier of the difference for an age gap in years (see PrototypeOptions.strengthFar). */
export function strengthAtGap(o: Pick<PrototypeOptions, 'strength' | 'strengthFar'>, gap: number): number {
  if (o.strengthFar === undefined) return o.strength;
  const t = Math.min(1, Math.max(0, (gap - 20) / 20));
  return o.strength + (o.strengthFar - o.strength) * t;
}

/** Subtracts from d [S*S*3] its per-channel mean weighted by `weights` [S*S], in place. */
export function removeToneShift(d: Float32Array, weights: Float32Array): void {
  const sum = [0, 0, 0];
  let total = 0;
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p];
    total += w;
    for (let c = 0; c < 3; c++) sum[c] += w * d[p * 3 + c];
  }
  if (total <= 0) return;
  for (let p = 0; p < weights.length; p++) for (let c = 0; c < 3; c++) d[p * 3 + c] -= sum[c] / total;
}

/**
 * Not a trained ModelKind (types.ts knows 'age-cgan' and 'cyclegan'), so it declares its own kind;
 * everything else matches AgingModel and evaluateModel accepts it.
 */
export class PrototypeAgingModel {
  readonly kind = 'prototype' as const;
  /** Side of the means; inputs of any size work (the difference is resized to them). */
  readonly resolution: number;
  readonly means: readonly MeanFace[];
  readonly options: PrototypeOptions;
  private readonly mask: Float32Array | null;
  private readonly cache = new Map<string, Float32Array>();

  constructor(means: readonly MeanFace[], size: number, options: Partial<PrototypeOptions> = {}) {
    if (means.length === 0) throw new Error('the prototype needs at least one mean face');
    for (const m of means) if (m.pixels.length !== size * size * 3) throw new Error('mean face size does not match');
    this.means = [...means].sort((a, b) => a.anchorAge - b.anchorAge);
    this.resolution = size;
    this.options = { ...DEFAULT_PROTOTYPE_OPTIONS, ...options };
    this.mask = this.options.mask === 'face' ? faceMask(size) : null;
  }

  /** Prototype face of `age`: interpolated mean, [S, S, 3] in [0, 255]. */
  prototypeOf(age: number): Float32Array {
    return blendByAge(this.means.map((m) => m.anchorAge), this.means.map((m) => m.pixels), age);
  }

  /** delta(source, target) in [-1, 1] pixel units, [S, S, 3]; cached per (source, target) pair. */
  difference(sourceAge: number, targetAge: number): Float32Array {
    const key = `${sourceAge.toFixed(2)}:${targetAge.toFixed(2)}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const S = this.resolution;
    const a = this.prototypeOf(targetAge);
    const b = this.prototypeOf(sourceAge);
    let d: Float32Array = new Float32Array(a.length);
    for (let j = 0; j < d.length; j++) d[j] = (a[j] - b[j]) / 127.5;
    d = gaussianBlur(d, S, this.options.sigma);
    if (this.options.tone === 'keep' || this.options.tone === 'relative') removeToneShift(d, this.mask ?? faceMask(S));
    const strength = strengthAtGap(this.options, Math.abs(targetAge - sourceAge));
    for (let p = 0; p < S * S; p++) {
      const w = strength * (this.mask ? this.mask[p] : 1);
      d[p * 3] *= w;
      d[p * 3 + 1] *= w;
      d[p * 3 + 2] *= w;
    }
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(key, d);
    return d;
  }

  /** faces [N, H, W, 3] in [-1, 1] -> same shape; H, W need not equal the means' size. */
  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }> {
    opts.signal?.throwIfAborted();
    const d = this.difference(sourceAge, targetAge);
    const S = this.resolution;
    const scale = this.options.tone === 'relative' ? this.brightnessRatios(faces, sourceAge) : null;
    const output = tf.tidy(() => {
      const [, h, w] = faces.shape;
      let delta: tf.Tensor4D = tf.tensor4d(d, [1, S, S, 3]);
      if (h !== S || w !== S) delta = tf.image.resizeBilinear(delta, [h, w], false, true);
      // [N, 1, 1, 1] per-face factor (see PrototypeOptions.tone 'relative').
      if (scale) delta = tf.mul(delta, tf.reshape(scale, [-1, 1, 1, 1]));
      return tf.clipByValue(tf.add(faces, delta), -1, 1) as tf.Tensor4D;
    });
    scale?.dispose();
    return { output, reconstruction: null };
  }

  /**
   * Mean brightness of each face inside the mask over that of the source prototype, [N], clamped to
   * [0.25, 1.5] (a nearly black crop must not zero the change, nor a blown-out one double it).
   */
  private brightnessRatios(faces: tf.Tensor4D, sourceAge: number): tf.Tensor1D {
    const S = this.resolution;
    const weights = this.mask ?? faceMask(S);
    const proto = this.prototypeOf(sourceAge);
    let num = 0;
    let den = 0;
    for (let p = 0; p < S * S; p++) {
      num += weights[p] * (proto[p * 3] + proto[p * 3 + 1] + proto[p * 3 + 2]);
      den += weights[p];
    }
    const protoMean = num / den / 3 / 255;
    return tf.tidy(() => {
      const [, h, w] = faces.shape;
      const small = h === S && w === S ? faces : tf.image.resizeBilinear(faces, [S, S], false, true);
      const grey = tf.div(tf.add(tf.mean(small, 3), 1), 2); // [N, S, S] in [0, 1]
      const m = tf.tensor3d(weights, [1, S, S]);
      const faceMean = tf.div(tf.sum(tf.mul(grey, m), [1, 2]), den);
      return tf.clipByValue(tf.div(faceMean, protoMean), 0.25, 1.5) as tf.Tensor1D;
    });
  }

  dispose(): void {
    this.cache.clear();
  }
}
