/**
 * The shape-normalised mean faces as a teacher (nn/teacher.ts AgeTeacher) for a generator that
 * works in the same reference frame: difference(s, t) is the appearance stage's change for a face of
 * average brightness and unknown sex (referenceChange), in [-1, 1] pixel units. On faces warped
 * onto the reference shape (tools/research/normalise-dataset-main.ts) this is the engineered
 * pipeline's appearance change, so a CycleGAN with generator.prior 'engineered' starts exactly
 * where the training-free stage is and spends its steps on what means cannot give: a change that
 * fits the person and looks real to a discriminator of the target age.
 */
import type { AgeTeacher } from '../../nn/teacher';
import { DEFAULT_APPEARANCE, outlineMask, referenceChange, type AppearanceOptions } from './appearance-change';
import type { AppearanceMeans } from './normalised-means';

/** Mean face luminance (0-255) the teacher assumes: UTKFace's median over the face region. */
const TYPICAL_FACE_LUMA = 128;

export class MeansTeacher implements AgeTeacher {
  readonly resolution: number;
  private readonly mask: Float32Array;
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    readonly means: AppearanceMeans,
    readonly options: AppearanceOptions = DEFAULT_APPEARANCE,
  ) {
    this.resolution = means.size;
    this.mask = outlineMask(means.reference, means.size, 2);
  }

  /** Nothing to free (plain arrays); present so callers treat every teacher alike. */
  dispose(): void {
    this.cache.clear();
  }

  difference(sourceAge: number, targetAge: number): Float32Array {
    // Ages on a half-year grid: a training run asks for thousands of pairs, mostly repeated.
    const s = Math.round(sourceAge * 2) / 2;
    const t = Math.round(targetAge * 2) / 2;
    const key = `${s}:${t}`;
    let d = this.cache.get(key);
    if (!d) {
      const ref = referenceChange(this.means, this.mask, s, t, null, TYPICAL_FACE_LUMA, false, this.options);
      d = Float32Array.from(ref, (v) => v / 127.5);
      if (this.cache.size > 4000) this.cache.clear();
      this.cache.set(key, d);
    }
    return d;
  }
}
