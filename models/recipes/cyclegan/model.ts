/**
 * Inference side: a trained (or exported) CycleGAN generator behind the AgingModel interface.
 * output = G(x, code(target)); reconstruction = G(x, code(source)), so paste-back transfers only
 * the change the model made, not its reconstruction error. An untrained residual generator is
 * exactly the identity, and then reconstruction is null.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AgingModel } from '../../core/trainer';
import { validateCycleGanConfig, type CycleGanConfig } from './config';
import { ageCode } from './age-code';
import { AgeGenerator } from './networks';
import { loadPrior, readCycleGanMeta } from './checkpoint';
import { teacherDeltas, type AgeTeacher } from '../../nn/teacher';
import { faceMask, strengthAtGap } from '../prototype/model';

export class CycleGanAgingModel implements AgingModel {
  readonly kind = 'cyclegan' as const;
  readonly resolution: number;

  /** `identityAtSource`: the generator is known to return its input unchanged (untrained). */
  constructor(
    readonly gen: AgeGenerator,
    readonly config: CycleGanConfig,
    private readonly identityAtSource: boolean,
    private readonly ownsGenerator: boolean,
    /** The prototype G refines (config.generator.prior): G's input is clip(x + delta(source, target)). */
    private readonly prior: (AgeTeacher & { dispose?: () => void }) | null = null,
  ) {
    this.resolution = config.resolution;
  }

  private run(faces: tf.Tensor4D, sourceAge: number, age: number): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = faces.shape;
      const r = this.resolution;
      let x = h === r && w === r ? faces : tf.image.resizeBilinear(faces, [r, r], true);
      if (this.prior && sourceAge !== age) {
        const d = teacherDeltas(this.prior, [sourceAge], [age], r);
        x = tf.clipByValue(tf.add(x, d), -1, 1) as tf.Tensor4D;
      }
      const code = tf.tile(tf.tensor2d(ageCode(age, this.config.domains), [1, this.config.domains.length]), [n, 1]);
      let y = tf.clipByValue(this.gen.translate(x, code as tf.Tensor2D).image, -1, 1) as tf.Tensor4D;
      if (h !== r || w !== r) y = tf.image.resizeBilinear(y, [h, w], true);
      return y;
    });
  }

  async age(
    faces: tf.Tensor4D,
    sourceAge: number,
    targetAge: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ output: tf.Tensor4D; reconstruction: tf.Tensor4D | null }> {
    opts.signal?.throwIfAborted();
    const output = this.run(faces, sourceAge, targetAge);
    if (this.identityAtSource) return { output, reconstruction: null };
    // Let an abort between the two passes land before the second one.
    await new Promise((r) => setImmediate(r));
    if (opts.signal?.aborted) {
      output.dispose();
      opts.signal.throwIfAborted();
    }
    const reconstruction = this.run(faces, sourceAge, sourceAge);
    const k = strengthAtGap(
      { strength: this.config.changeScale ?? 1, strengthFar: this.config.changeScaleFar },
      Math.abs(targetAge - sourceAge),
    );
    const chroma = this.config.changeChroma ?? 1;
    const keepTone = this.config.changeTone === 'keep';
    if (k === 1 && chroma === 1 && !keepTone) return { output, reconstruction };
    // The shown change is output - reconstruction (paste-back); reshaping it is the strength knob.
    const shaped = tf.tidy(() => {
      let d = tf.sub(output, reconstruction) as tf.Tensor4D; // [n, h, w, 3]
      if (chroma !== 1) {
        // Luma of the change (BT.601 weights), [n, h, w, 1]; the colour part is scaled by chroma.
        const luma = tf.sum(tf.mul(d, tf.tensor1d([0.299, 0.587, 0.114])), -1, true);
        d = tf.add(luma, tf.mul(tf.sub(d, luma), chroma)) as tf.Tensor4D;
      }
      if (keepTone) d = removeMeanTone(d);
      return tf.clipByValue(tf.add(reconstruction, tf.mul(d, k)), -1, 1) as tf.Tensor4D;
    });
    output.dispose();
    return { output: shaped, reconstruction };
  }

  dispose(): void {
    if (this.ownsGenerator) {
      this.gen.dispose();
      this.prior?.dispose?.();
    }
  }
}

/** Loads a checkpoint or an exported model folder (meta.json + G.json/G.bin). */
export async function loadCycleGanModel(dir: string): Promise<AgingModel> {
  const meta = await readCycleGanMeta(dir);
  validateCycleGanConfig(meta.config);
  const gen = new AgeGenerator(meta.config);
  try {
    await gen.params.load(dir);
  } catch (err) {
    gen.dispose();
    throw err;
  }
  let prior: Awaited<ReturnType<typeof loadPrior>>;
  try {
    prior = await loadPrior(dir, meta.config);
  } catch (err) {
    gen.dispose();
    throw err;
  }
  const identity = meta.step === 0 && meta.config.generator.output !== 'direct' && !prior;
  return new CycleGanAgingModel(gen, meta.config, identity, true, prior);
}

/**
 * The change minus its own mean colour over the face ellipse, per face and channel (the prototype's
 * tone 'keep'): a person's overall skin tone stays, relative shading and greying remain.
 * d: [n, h, w, 3]; the ellipse is drawn on the square crop, stretched when h != w.
 */
function removeMeanTone(d: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = d.shape;
  const m = tf.image.resizeBilinear(tf.tensor4d(faceMask(Math.max(h, w)), [1, Math.max(h, w), Math.max(h, w), 1]), [h, w], true);
  const mean = tf.div(tf.sum(tf.mul(d, m), [1, 2], true), tf.sum(m));
  return tf.sub(d, mean) as tf.Tensor4D;
}
